#pragma once
#include <warden/core/actions.hpp>
#include <warden/rails/context.hpp>
#include <warden/rails/verdict.hpp>
#include <warden/rules/guard_window.hpp>

#include <fmt/format.h>

#include <string_view>

namespace warden {
inline namespace v0 {

// A job that stalls again after every recovery would be stopped and restarted for ever, each
// time losing its crawl's progress. At most `daily_recovery_cap` recoveries per job per rolling
// 24 h (now - 24 h < t <= now), counted from the persisted recovery history, never from memory
// (as the start cap, B12). Soft and full recoveries share the one budget; the reason names which
// one was refused, as the production watchdog's max_recoveries_soft / _full did (issue #8).
struct daily_recovery_cap {
    static constexpr std::string_view name = "daily_recovery_cap";

    [[nodiscard]] verdict check(const decision_context& ctx, const subject& s,
                                const set_status& a) const {
        if (a.rule != rule_id::stall_recovery) return verdict::allow();
        const auto recoveries = s.facts.recoveries_last_24h;
        const auto cap = ctx.config.daily_recovery_cap;
        if (recoveries < cap) return verdict::allow();
        const bool soft = choose_recovery(ctx, s).mode != recovery_mode::full;
        return verdict::deny(
            fmt::format("max_recoveries_{}: {} recoveries in the last 24 h (cap {})",
                        soft ? "soft" : "full", recoveries, cap));
    }
};

// True when the cap refuses this job's next recovery, whichever rail was asked first.
[[nodiscard]] inline bool recovery_capped(const config& c, const job_facts& f) noexcept {
    return f.recoveries_last_24h >= c.daily_recovery_cap;
}

} // namespace v0
} // namespace warden
