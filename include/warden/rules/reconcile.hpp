#pragma once
#include <warden/facts/context.hpp>
#include <warden/facts/progress.hpp>
#include <warden/facts/runner_class.hpp>
#include <warden/rules/proposal.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace warden {
inline namespace v0 {

// The evidence reconcile would act on, if any: a held lock, or the process fallback: one live
// process in the job's output_dir, or several that form one ppid tree (issue #16, item 9: a
// production crawl is archive-tool and its `docker run` child), for a job that started. This is
// the runtime half of the "alive" predicate (facts/liveness.hpp); a waiting row's recent progress
// alone never revives it, as in production.
//
// Issue #18, finding 2: the fallback once required no finished_at ("for a job that has not
// finished"), as production's does. But a waiting row's finished_at says only that some writer
// ended an attempt: production's failed-attempt path and an operator marking a running row
// retryable both stamp it while the crawl may still run. Such a crawl whose lock file vanished was
// never reconciled, and when it stalled never stopped (drift, missed_stall). With
// guards.finished_row_processes_are_live, the live processes count whatever finished_at says: the
// revival clears finished_at (issue #16, item 1), and a stale attempt is stopped.
[[nodiscard]] inline bool reconcile_evidence(const config& c, const job& j,
                                             const job_facts& f) noexcept {
    return f.lock_held ||
           ((f.process_count == 1 || f.one_process_tree) && !f.shared_output_dir && j.started_at &&
            (!j.finished_at || c.guards.finished_row_processes_are_live));
}

// A waiting job held by a stale attempt that warden cannot name the runner of (issue #8): it must
// not be stopped, so reconcile proposes nothing and the engine reports it for an operator.
[[nodiscard]] inline bool stale_attempt_unowned(const decision_context& ctx, const subject& s) {
    const job& j = s.row;
    return ctx.config.guards.reconcile && is_waiting(j.status) &&
           reconcile_evidence(ctx.config, j, s.facts) &&
           progress_is_stale(j, ctx.snapshot.now, ctx.config.stall_after) &&
           classify_runner(ctx, s).runner == runner_class::unknown;
}

// B1: the database says queued or retryable while the crawl still runs (manual edit, a restart,
// an old runner). A held per-job lock is strong evidence; failing that, exactly one live process
// (or one process tree) in the job's output_dir, for a job that started (reconcile_evidence).
//
// No flip-flop with stall_recovery: both use progress_is_stale(). A waiting job whose live
// attempt is stale is not reconciled to running (stall_recovery would at once send it back);
// its runner is stopped instead, so the next tick sees it idle and queue fill may restart it;
// unless the runner cannot be named (stale_attempt_unowned): then nothing.
[[nodiscard]] inline std::optional<proposal> reconcile(const decision_context& ctx,
                                                       const subject& s) {
    const job& j = s.row;
    const job_facts& f = s.facts;
    if (!ctx.config.guards.reconcile || !is_waiting(j.status)) return std::nullopt;

    if (!reconcile_evidence(ctx.config, j, f)) return std::nullopt;
    const evidence ev = f.lock_held ? evidence{evidence_kind::lock, 0}
                                    : evidence{evidence_kind::process, f.first_pid};
    const std::string_view reason = f.lock_unprobeable ? "per-job lock unprobeable, taken as held"
                                    : f.lock_held      ? "per-job lock held"
                                    : f.process_count == 1
                                        ? "one live process in its output_dir"
                                        : "one live process tree in its output_dir";

    proposal p;
    if (progress_is_stale(j, ctx.snapshot.now, ctx.config.stall_after)) {
        const job_runner runner = classify_runner(ctx, s);
        if (runner.runner == runner_class::unknown) return std::nullopt;
        p.add(stop_job{j.id, attributable_pids(ctx, s), rule_id::reconcile,
                       "a stalled attempt still holds the job", runner.runner,
                       std::string(runner.unit), false});
        return p;
    }
    // Production clears finished_at when it syncs a row to running (issue #16, item 1): a
    // revived row that kept it would read as running_with_finished_at and never be recovered.
    p.add(set_status{j.id, j.status, j.version, job_status::running, std::nullopt,
                     rule_id::reconcile, reason, ev,
                     ctx.config.guards.reconcile_clears_finished_at && j.finished_at.has_value()});
    return p;
}

} // namespace v0
} // namespace warden
