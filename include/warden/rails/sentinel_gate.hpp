#pragma once
#include <warden/rails/context.hpp>
#include <warden/rails/verdict.hpp>

#include <string_view>

namespace warden {
inline namespace v0 {

// No write of any kind while the automation sentinel is absent. Removing the sentinel file is
// how an operator turns the watchdog into a dry run without stopping it: the plan is still
// computed and shown, and every action in it lands in plan.blocked under this rail.
struct sentinel_gate {
    static constexpr std::string_view name = "sentinel_gate";

    template <class Action>
    [[nodiscard]] verdict check(const decision_context& ctx, const subject&, const Action&) const {
        if (ctx.snapshot.host.sentinel_present) return verdict::allow();
        return verdict::deny_host("automation sentinel absent (dry run)");
    }
};

} // namespace v0
} // namespace warden
