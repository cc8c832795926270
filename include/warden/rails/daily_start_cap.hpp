#pragma once
#include <warden/core/actions.hpp>
#include <warden/detail/reason.hpp>
#include <warden/facts/context.hpp>
#include <warden/rails/verdict.hpp>

#include <string_view>

namespace warden {
inline namespace v0 {

// A job that fails fast would otherwise be restarted every tick. The count comes from the
// persisted start history in the snapshot, never from memory: a watchdog restart must not reset
// the budget (B12). Window: starts at t with now - 24 h < t <= now.
struct daily_start_cap {
    static constexpr std::string_view name = "daily_start_cap";

    [[nodiscard]] verdict check(const decision_context& ctx, const subject& s,
                                const start_job&) const {
        const auto starts = s.facts.starts_last_24h;
        const auto cap = ctx.config.daily_start_cap;
        if (starts < cap) return verdict::allow();
        return verdict::deny(detail::reason(starts, " starts in the last 24 h (cap ", cap, ")"));
    }
};

} // namespace v0
} // namespace warden
