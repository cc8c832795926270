#pragma once
#include <warden/core/actions.hpp>
#include <warden/core/time.hpp>
#include <warden/facts/context.hpp>
#include <warden/facts/job_class.hpp>
#include <warden/facts/runner_class.hpp>
#include <warden/rules/proposal.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace warden {
inline namespace v0 {

// Issue #21 item 4: the deadline of a running job, when its class has one (class_spec::
// max_runtime_minutes): started_at plus max_runtime. nullopt: no deadline.
[[nodiscard]] inline std::optional<timestamp> deadline_of(const config& c, const job& j) noexcept {
    // Without `classes` the one implicit class (annual) has no deadline: skip the class lookup,
    // which every running job would otherwise pay (issue #22's profile: 10 % of decide).
    if (!j.started_at || c.classes.empty()) return std::nullopt;
    const class_spec* k = class_spec_of(c, j);
    if (!k || !k->max_runtime_minutes) return std::nullopt;
    return *j.started_at + std::chrono::minutes{*k->max_runtime_minutes};
}

// What the deadline rule decided for a job past its deadline: the proposal (empty when what runs
// the job cannot be named: nothing is written, an operator is needed) and how long it has run.
struct deadline_verdict {
    proposal stop;
    bool runner_unknown = false;
    duration run_time{};
};

// Issue #21 item 4 (Kubernetes' activeDeadlineSeconds, systemd's RuntimeMaxSec): a running job of
// a class with max_runtime_minutes that has run longer than that since its started_at is failed,
// reason deadline_exceeded, and its runner stopped, not restarted. Failed is terminal: no rule
// retries it, whatever the retry budget. The shape is a stall recovery's (the status write, then
// the stop), through the rails like any write. What runs it decides the stop: nothing runs it,
// the row only; the worker's processes or a systemd unit, those are stopped; a runner warden
// cannot name (a process it does not own, a lock with the worker down, no process list) or the
// worker with no process to signal (stopping it would stop every crawl it runs) is left to an
// operator. A finished crawl (completed_at) is consistency repair's, never failed here.
[[nodiscard]] inline std::optional<deadline_verdict> deadline(const decision_context& ctx,
                                                              const subject& s) {
    const job& j = s.row;
    if (j.status != job_status::running) return std::nullopt;
    if (j.completed_at && ctx.config.guards.completed_at_is_completion) return std::nullopt;
    const auto at = deadline_of(ctx.config, j);
    if (!at || ctx.snapshot.now <= *at) return std::nullopt;
    deadline_verdict v;
    v.run_time = ctx.snapshot.now - *j.started_at;
    const job_runner runner = classify_runner(ctx, s);
    std::vector<std::int64_t> pids = attributable_pids(ctx, s);
    const bool stoppable = runner.runner == runner_class::systemd_unit ||
                           (runner.runner == runner_class::worker && !pids.empty());
    if (runner.runner != runner_class::none && !stoppable) {
        v.runner_unknown = true;
        return v;
    }
    v.stop.add(set_status{j.id, j.status, j.version, job_status::failed, std::nullopt,
                          rule_id::deadline, "deadline_exceeded",
                          evidence{evidence_kind::run_time, v.run_time.count()}});
    if (stoppable)
        v.stop.add(stop_job{j.id, std::move(pids), rule_id::deadline,
                            "deadline_exceeded: stop its runner (not restarted)", runner.runner,
                            std::string(runner.unit), false});
    return v;
}

} // namespace v0
} // namespace warden
