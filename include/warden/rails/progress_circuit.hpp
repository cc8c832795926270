#pragma once
#include <warden/core/actions.hpp>
#include <warden/detail/reason.hpp>
#include <warden/facts/context.hpp>
#include <warden/rails/verdict.hpp>

#include <string_view>

namespace warden {
inline namespace v0 {

// Issue #17, the production watchdog's progress circuit breaker: a recovery that restarts a crawl
// which then gains almost nothing is churn, and a fourth one will not do better. When each of a
// job's last progress_circuit_window recoveries (default 3) gained fewer than
// progress_circuit_min_pages pages (default 10), its next recovery is refused; the tick's
// outcome is progress_circuit_open. The history is the whole persisted recovery history, not
// the last 24 h. Fewer recoveries than the window, or a count missing: closed. The judgement is
// made once per tick (facts/progress_circuit.hpp); the rail reads its flag.
struct progress_circuit {
    static constexpr std::string_view name = "progress_circuit";

    [[nodiscard]] verdict check(const decision_context& ctx, const subject& s,
                                const set_status& a) const {
        if (a.rule != rule_id::stall_recovery || !s.facts.progress_circuit_open)
            return verdict::allow();
        return verdict::deny(detail::reason(
            "progress_circuit_open: each of the last ", ctx.config.progress_circuit_window,
            " recoveries gained fewer than ", ctx.config.progress_circuit_min_pages,
            " pages (at most ", s.facts.progress_circuit_best_gain, ")"));
    }
};

} // namespace v0
} // namespace warden
