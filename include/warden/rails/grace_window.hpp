#pragma once
#include <warden/core/actions.hpp>
#include <warden/detail/reason.hpp>
#include <warden/facts/context.hpp>
#include <warden/facts/grace.hpp>
#include <warden/rails/verdict.hpp>

#include <string_view>

namespace warden {
inline namespace v0 {

// Liveness signals lag: a fresh crawl takes a while to take its lock, spawn its process and
// report progress. A stall or orphan verdict inside that window kills healthy jobs and then
// double-starts them (B8, B9). The window is closed: at exactly start + grace the job is still
// protected; one second later it is not.
struct grace_window {
    static constexpr std::string_view name = "grace_window";

    [[nodiscard]] verdict check(const decision_context& ctx, const subject& s,
                                const set_status& a) const {
        if (a.rule != rule_id::stall_recovery && a.rule != rule_id::orphan_sweep)
            return verdict::allow();
        // No start time: progress is the evidence.
        if (!inside_grace(ctx.config, s.row, ctx.snapshot.now, a.rule)) return verdict::allow();
        const duration since_start = ctx.snapshot.now - *s.row.started_at;
        const duration grace = grace_for(ctx.config, a.rule);
        return verdict::deny(detail::reason("started ", since_start.count(), " s ago, inside the ",
                                            grace.count(), " s grace window"));
    }
};

} // namespace v0
} // namespace warden
