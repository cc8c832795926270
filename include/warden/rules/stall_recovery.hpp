#pragma once
#include <warden/facts/context.hpp>
#include <warden/facts/progress.hpp>
#include <warden/facts/recovery_choice.hpp>
#include <warden/facts/runner_class.hpp>
#include <warden/rules/proposal.hpp>
#include <warden/rules/recovery_options.hpp>

#include <optional>

namespace warden {
inline namespace v0 {

struct stall_verdict {
    recovery_choice choice;
    // Empty for operator_needed. For guarded, what a soft recovery would do: the engine files it
    // in plan.blocked, so the plan shows what waits for the guard window to close.
    proposal recovery;
};

// A running job with no sign of life for stall_after is recovered: marked retryable (so queue
// fill can restart it) and, in a full recovery, its runner stopped and started again (so its
// lock is released and reconcile does not flip it back). Both kinds also rewrite its tool options
// (rules/recovery_options.hpp: issue #8, and B4 for an annual job) when they differ, so the next
// attempt does not stall the same way.
[[nodiscard]] inline std::optional<stall_verdict> stall_recovery(const decision_context& ctx,
                                                                 const subject& s) {
    const job& j = s.row;
    if (j.status != job_status::running) return std::nullopt;
    // Issue #16, item 3: completed_at set is a finished crawl whose status write did not land;
    // consistency repair completes it, and a recovery would run it again.
    if (j.completed_at && ctx.config.guards.completed_at_is_completion) return std::nullopt;
    const auto age = progress_age(j, ctx.snapshot.now);
    if (!age || *age < ctx.config.stall_after) return std::nullopt;

    stall_verdict v{choose_recovery(ctx, s), {}};
    const recovery_mode mode = v.choice.mode;
    if (mode == recovery_mode::operator_needed) return v;
    proposal& p = v.recovery;
    // Issue #16, item 10: nothing runs the job, so there is nothing to stop, and restarting the
    // worker would kill every other crawl it runs. Production only marks such a row retryable.
    const bool row_only = mode == recovery_mode::full &&
                          v.choice.runner.runner == runner_class::none &&
                          ctx.config.guards.runner_none_status_only;
    p.add(set_status{j.id,
                     j.status,
                     j.version,
                     job_status::retryable,
                     std::nullopt,
                     rule_id::stall_recovery,
                     mode != recovery_mode::full ? "no progress (soft recovery: nothing runs it)"
                     : row_only                  ? "no progress (nothing runs it: row only)"
                                                 : "no progress",
                     {evidence_kind::progress_age, age->count()}});
    if (const tool_options options = recovery_options(ctx.config, j); options != j.options)
        p.add(set_tool_options{j.id, job_status::retryable, j.version + 1, j.options, options,
                               rule_id::stall_recovery});
    if (mode == recovery_mode::full && !row_only)
        p.add(stop_job{j.id, attributable_pids(ctx, s), rule_id::stall_recovery,
                       v.choice.guard_active
                           ? "stalled: stop and restart its runner (the guard window is active: "
                             "another job progressed within it)"
                           : "stalled: stop and restart its runner",
                       v.choice.runner.runner, std::string(v.choice.runner.unit), true});
    return v;
}

} // namespace v0
} // namespace warden
