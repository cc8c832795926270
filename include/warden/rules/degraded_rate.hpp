#pragma once
#include <warden/core/plan.hpp>
#include <warden/facts/context.hpp>
#include <warden/facts/progress.hpp>

#include <optional>

namespace warden {
inline namespace v0 {

// Issue #17, the production watchdog's degraded-rate observation: a crawl can progress too
// slowly to be stalled and still never finish. A running job whose progress rate stayed under
// degraded_rate_pages_per_minute for degraded_rate_ticks consecutive observations (its
// degraded_streak, counted by the host's progress_tracker) is reported, never acted on. A
// stalled job is stall recovery's, not reported here; nor is a job without progress information.
// degraded_rate_ticks 0: nothing is reported.
[[nodiscard]] inline std::optional<observation> degraded_rate(const decision_context& ctx,
                                                              const subject& s) {
    const job& j = s.row;
    const std::int32_t ticks = ctx.config.degraded_rate_ticks;
    if (ticks <= 0 || j.status != job_status::running || !j.progress_known) return std::nullopt;
    if (j.degraded_streak < ticks) return std::nullopt;
    if (progress_is_stale(j, ctx.snapshot.now, ctx.config.stall_after)) return std::nullopt;
    return observation{j.id, observation_kind::degraded_rate, j.degraded_streak};
}

} // namespace v0
} // namespace warden
