#pragma once
#include <warden/core/actions.hpp>
#include <warden/detail/reason.hpp>
#include <warden/facts/context.hpp>
#include <warden/facts/recovery_choice.hpp>
#include <warden/rails/verdict.hpp>

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
        if (!recovery_capped(ctx.config, s.facts)) return verdict::allow();
        const auto recoveries = s.facts.recoveries_last_24h;
        const auto cap = ctx.config.daily_recovery_cap;
        const bool soft = choose_recovery(ctx, s).mode != recovery_mode::full;
        return verdict::deny(detail::reason("max_recoveries_", soft ? "soft" : "full", ": ",
                                            recoveries, " recoveries in the last 24 h (cap ", cap,
                                            ")"));
    }
};

} // namespace v0
} // namespace warden
