#pragma once
#include <warden/core/config.hpp>
#include <warden/core/job.hpp>
#include <warden/core/rule_id.hpp>
#include <warden/core/time.hpp>

#include <algorithm>

namespace warden {
inline namespace v0 {

// The window a verdict of `rule` must wait out after a start; zero for other rules.
[[nodiscard]] inline duration grace_for(const config& c, rule_id rule) noexcept {
    if (rule == rule_id::stall_recovery) return c.start_grace;
    if (rule == rule_id::orphan_sweep) return std::max(c.start_grace, c.orphan_grace);
    return duration{};
}

// Inside the closed window [started_at, started_at + grace]; a job with no start time never is.
// The grace_window rail refuses a verdict inside it, and the engine judges from it (not from
// which rail refused first) whether a refused stall holds queue fill back.
[[nodiscard]] inline bool inside_grace(const config& c, const job& j, timestamp now,
                                       rule_id rule) noexcept {
    return j.started_at && now - *j.started_at <= grace_for(c, rule);
}

} // namespace v0
} // namespace warden
