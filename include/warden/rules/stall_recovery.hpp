#pragma once
#include <warden/rails/context.hpp>
#include <warden/rails/legacy_annual.hpp>
#include <warden/rules/proposal.hpp>
#include <warden/rules/reconcile.hpp>

#include <optional>

namespace warden {
inline namespace v0 {

// A running job with no sign of life for stall_after is recovered: marked retryable (so queue
// fill can restart it) and its runner stopped (so its lock is released and reconcile does not flip
// it back). An annual job also gets its tool options raised to the annual minimums (B4), so the
// next attempt does not stall the same way.
[[nodiscard]] inline std::optional<proposal> stall_recovery(const decision_context& ctx,
                                                            const subject& s) {
    const job& j = s.row;
    if (j.status != job_status::running) return std::nullopt;
    const auto age = progress_age(j, ctx.snapshot.now);
    if (!age || *age < ctx.config.stall_after) return std::nullopt;

    proposal p;
    p.add(set_status{j.id,
                     j.status,
                     j.version,
                     job_status::retryable,
                     std::nullopt,
                     rule_id::stall_recovery,
                     "no progress",
                     {evidence_kind::progress_age, age->count()}});
    const config& c = ctx.config;
    if (c.guards.raise_annual_minimums && is_annual(j) &&
        !meets_minimums(j.options, c.annual_minimums))
        p.add(set_tool_options{j.id, job_status::retryable, j.version + 1, j.options,
                               raised_to(j.options, c.annual_minimums), rule_id::stall_recovery});
    p.add(stop_job{j.id, attributable_pids(ctx, s), rule_id::stall_recovery,
                   "stalled: release the job's lock and worker"});
    return p;
}

} // namespace v0
} // namespace warden
