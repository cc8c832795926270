#pragma once
#include <warden/facts/context.hpp>
#include <warden/rails/verdict.hpp>

#include <string_view>

namespace warden {
inline namespace v0 {

// No write of any kind while the automation sentinel is absent. Removing the sentinel file is
// how an operator turns the watchdog into a dry run without stopping it: the plan is still
// computed and shown, and every action in it lands in plan.blocked under this rail. Being a
// dry-run gate, it is consulted after every other rail, so what it blocks is exactly what apply
// mode would do.
struct sentinel_gate {
    static constexpr std::string_view name = "sentinel_gate";
    static constexpr bool dry_run_gate = true;

    template <class Action>
    [[nodiscard]] verdict check(const decision_context& ctx, const subject&, const Action&) const {
        if (ctx.snapshot.host.sentinel_present) return verdict::allow();
        return verdict::deny_host("automation sentinel absent (dry run)");
    }
};

} // namespace v0
} // namespace warden
