#pragma once
#include <warden/core/actions.hpp>
#include <warden/rails/context.hpp>
#include <warden/rails/verdict.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace warden {
inline namespace v0 {

// The window a verdict of `rule` must wait out after a start; zero for other rules.
[[nodiscard]] inline duration grace_for(const config& c, rule_id rule) noexcept {
    if (rule == rule_id::stall_recovery) return c.start_grace;
    if (rule == rule_id::orphan_sweep) return std::max(c.start_grace, c.orphan_grace);
    return duration{};
}

// Inside the closed window [started_at, started_at + grace]; a job with no start time never is.
[[nodiscard]] inline bool inside_grace(const config& c, const job& j, timestamp now,
                                       rule_id rule) noexcept {
    return j.started_at && now - *j.started_at <= grace_for(c, rule);
}

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
        return verdict::deny(fmt::format("started {} s ago, inside the {} s grace window",
                                         since_start.count(), grace.count()));
    }
};

} // namespace v0
} // namespace warden
