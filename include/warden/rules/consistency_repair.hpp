#pragma once
#include <warden/core/plan.hpp>
#include <warden/facts/context.hpp>
#include <warden/facts/liveness.hpp>
#include <warden/rules/proposal.hpp>

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace warden {
inline namespace v0 {

namespace detail {

// consistency_repair's one kind of write: the row, from the status and version it was read in,
// to `to` (with `failure`), the reason and evidence of the repair.
[[nodiscard]] inline proposal consistency_repair_to(const job& j, job_status to,
                                                    std::optional<failure_class> failure,
                                                    std::string_view reason, evidence e) {
    proposal p;
    p.add(
        set_status{j.id, j.status, j.version, to, failure, rule_id::consistency_repair, reason, e});
    return p;
}

} // namespace detail

// Issue #17, recap's third repair (its migration's last UPDATE): a queued (pending) job whose
// last_stage is set but is not the final stage, and whose updated_at is older than
// stale_pipeline_after (strictly), died mid-pipeline and would otherwise wait for ever: it is
// failed by compare-and-set. Never while a lock, a process or a running-set entry shows it alive
// (recap's one-off migration checks no liveness signal; warden runs every tick next to live
// workers), and never without updated_at (its age cannot be told).
[[nodiscard]] inline std::optional<proposal> stale_pipeline_repair(const decision_context& ctx,
                                                                   const subject& s) {
    const job& j = s.row;
    if (j.status != job_status::queued || !j.last_stage || *j.last_stage == ctx.config.final_stage)
        return std::nullopt;
    if (!j.updated_at) return std::nullopt;
    const duration age = ctx.snapshot.now - *j.updated_at;
    if (age <= ctx.config.stale_pipeline_after) return std::nullopt;
    if (s.facts.has_live_evidence() || s.facts.in_running_set) return std::nullopt;
    return detail::consistency_repair_to(
        j, job_status::failed, failure_class::infra_error,
        "stale_pipeline: pending mid-pipeline past stale_pipeline_after_minutes",
        {evidence_kind::stale_update, age.count()});
}

// B7: a job reached the final stage but the status write never landed (two non-atomic writes),
// so it sits queued with last_stage == persist and would be crawled again. Its outputs decide the
// repair: completed if they exist, else failed. Other impossible states are reported, not
// written: guessing there could destroy the only evidence of what happened.
[[nodiscard]] inline std::optional<proposal> consistency_repair(const decision_context& ctx,
                                                                const subject& s) {
    const job& j = s.row;
    // Issue #16, item 3: completion's first write (completed_at) landed and its status write did
    // not, so the row says running for a finished crawl. The Flask crawler's fix treats
    // completed_at as completion; so does warden. While a lock or process is live the second
    // write may be in flight: wait, and let no other rule touch the row (stall_recovery and the
    // orphan sweep skip it).
    if (ctx.config.guards.completed_at_is_completion && j.status == job_status::running &&
        j.completed_at) {
        if (s.facts.has_live_evidence()) return std::nullopt;
        return detail::consistency_repair_to(j, job_status::completed, failure_class::none,
                                             "completed_at set", {evidence_kind::none, 0});
    }
    // Issue #18, finding 3: an operator marked such a running row retryable or queued (the
    // repair above sees only running rows), and the finished crawl ran again. completed_at is
    // written only by a crawl's completion, so a waiting row that carries it has finished: with no
    // live evidence it is repaired to completed. A human who wants a finished crawl run again
    // clears completed_at with the requeue (docs/rules/consistency_repair.md). While a lock,
    // process or running-set entry shows an attempt, reconcile owns the row.
    if (ctx.config.guards.completed_at_is_completion &&
        ctx.config.guards.waiting_completed_at_is_completion && is_waiting(j.status) &&
        j.completed_at) {
        if (s.facts.has_live_evidence() || s.facts.in_running_set) return std::nullopt;
        return detail::consistency_repair_to(j, job_status::completed, failure_class::none,
                                             "completed_at set, waiting", {evidence_kind::none, 0});
    }
    if (!ctx.config.guards.consistency_repair) return std::nullopt;
    if (j.status == job_status::queued && j.last_stage && *j.last_stage != ctx.config.final_stage)
        return stale_pipeline_repair(ctx, s); // issue #17
    if (j.status != job_status::queued || !j.last_stage || *j.last_stage != ctx.config.final_stage)
        return std::nullopt;
    // A held lock, a live process or a running-set entry means an attempt runs now, so last_stage
    // is a leftover of an earlier attempt: reconcile owns that job (found by the simulator,
    // docs/simulator.md; the running set since review 7 finding 3, as the other repairs).
    if (runtime_alive(s.facts)) return std::nullopt;
    if (j.has_outputs)
        return detail::consistency_repair_to(j, job_status::completed, std::nullopt,
                                             "queued after the final stage, outputs present",
                                             {evidence_kind::final_stage, 1});
    return detail::consistency_repair_to(j, job_status::failed, failure_class::infra_error,
                                         "queued after the final stage, no outputs",
                                         {evidence_kind::final_stage, 0});
}

// Impossible or ambiguous combinations, reported for a human and never written. Returns true
// when one of them makes every rule unsafe for this job, so none runs. Several processes in one
// output_dir that are not one ppid tree (a possible double attempt, issue #16, item 9) are only
// reported: they rule out reconcile's process fallback, but a stalled crawl must still be
// recovered.
inline bool detect_anomalies(const subject& s, std::vector<anomaly>& out,
                             bool completed_at_is_completion = false) {
    const job& j = s.row;
    const job_facts& f = s.facts;
    const std::size_t before = out.size();
    // With completed_at set, a finished_at is completion's too: the repair to completed resolves
    // both, so neither is reported nor blocks it (issue #16, item 3).
    if (j.status == job_status::running && j.finished_at &&
        !(completed_at_is_completion && j.completed_at))
        out.push_back(
            {j.id, anomaly_kind::running_with_finished_at, "running yet finished_at is set"});
    if (j.status == job_status::running && !j.started_at)
        out.push_back({j.id, anomaly_kind::running_without_started_at,
                       "running without started_at: no stall or orphan verdict is possible"});
    // Reconciled, such a job would run with no start time, so no stall or orphan verdict could
    // ever free its slot. The start write may be in flight: the next tick looks again.
    if (is_waiting(j.status) && f.lock_held && !j.started_at)
        out.push_back({j.id, anomaly_kind::lock_without_started_at,
                       "waiting, per-job lock held, no started_at: not reconciled"});
    if (j.status == job_status::completed && !j.finished_at)
        out.push_back(
            {j.id, anomaly_kind::completed_without_finished_at, "completed without finished_at"});
    if (is_terminal(j.status) && f.has_live_evidence())
        out.push_back({j.id, anomaly_kind::terminal_with_live_evidence,
                       f.lock_held ? "terminal status, per-job lock held"
                                   : "terminal status, live process in its output_dir"});
    if (f.shared_output_dir && f.process_count > 0)
        out.push_back({j.id, anomaly_kind::process_claimed_by_many,
                       "several jobs share the output_dir of a live process"});
    const bool blocking = out.size() != before;
    if (f.process_count > 1 && !f.one_process_tree)
        out.push_back({j.id, anomaly_kind::several_processes,
                       "more than one live process in the job's output_dir"});
    return blocking;
}

} // namespace v0
} // namespace warden
