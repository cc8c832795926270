#pragma once
#include <warden/core/actions.hpp>
#include <warden/core/concurrency_limit.hpp>
#include <warden/detail/reason.hpp>
#include <warden/facts/concurrency.hpp>
#include <warden/facts/context.hpp>
#include <warden/rails/verdict.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>

namespace warden {
inline namespace v0 {

// Issue #21 item 2: at most max_running jobs per source, class or group key
// (config.concurrency_limits). A start is counted against the jobs of its group running now
// (facts/concurrency.hpp, built once per tick) plus the starts and reconciles to running this
// plan has already accepted: a rail that saw only the snapshot would let three queued jobs of
// one source all start in one tick. A job the plan moves out of running (a stall recovery) still
// counts this tick: its runner is being stopped, and queue fill errs low. Denied for this job
// only: a job of another group may take the slot.
struct concurrency_limits {
    static constexpr std::string_view name = "concurrency_limits";

    [[nodiscard]] verdict check(const decision_context& ctx, const subject& s,
                                const start_job&) const {
        const config& c = ctx.config;
        if (c.concurrency_limits.empty()) return verdict::allow();
        // decide()'s own plan only grows: its joins are counted once each as it grows.
        const bool counted =
            ctx.groups && ctx.in_progress && ctx.groups->growing_plan == ctx.in_progress;
        if (counted) count_joining(ctx, *ctx.groups);
        for (std::size_t k = 0; k < c.concurrency_limits.size(); ++k) {
            const concurrency_limit& l = c.concurrency_limits[k];
            const std::string_view value = limit_value_of(c, s.row, l.by);
            if (!limit_applies(l, value)) continue;
            std::int64_t running = ctx.groups ? ctx.groups->running(k, value) : 0;
            if (counted) {
                running += ctx.groups->joining(k, value);
            } else {
                // Any other plan (a rail checked on its own): walk it.
                for (const accepted_action& a : ctx.accepted())
                    if (joins_running(ctx, a) && limit_value_of(c, ctx.row_of(a), l.by) == value)
                        ++running;
            }
            if (running >= l.max_running)
                return verdict::deny(detail::reason(
                    running, running == 1 ? " job" : " jobs", " of ", to_string(l.by), " ", value,
                    " running or starting (limit ", l.max_running, ")"));
        }
        return verdict::allow();
    }

  private:
    // Brings g's count of the plan's joins up to date with the actions accepted since the last
    // check (facts/concurrency.hpp): each accepted action is counted once per tick, not once per
    // start checked.
    static void count_joining(const decision_context& ctx, const running_groups& g) {
        const config& c = ctx.config;
        const std::span<const accepted_action> plan = ctx.accepted();
        if (g.joining_per_limit.size() != c.concurrency_limits.size() ||
            g.counted_actions > plan.size()) {
            g.joining_per_limit.assign(c.concurrency_limits.size(), {});
            g.counted_actions = 0;
        }
        for (; g.counted_actions < plan.size(); ++g.counted_actions) {
            const accepted_action& a = plan[g.counted_actions];
            if (!joins_running(ctx, a)) continue;
            for (std::size_t k = 0; k < c.concurrency_limits.size(); ++k) {
                const concurrency_limit& l = c.concurrency_limits[k];
                const std::string_view value = limit_value_of(c, ctx.row_of(a), l.by);
                if (limit_applies(l, value)) ++g.joining_per_limit[k][value];
            }
        }
    }

    // An accepted action that puts a job into a slot it did not occupy when the snapshot was
    // read: a start, or a reconcile to running of a job not already counted.
    [[nodiscard]] static bool joins_running(const decision_context& ctx,
                                            const accepted_action& a) noexcept {
        if (std::holds_alternative<start_job>(a.action)) return true;
        const auto* st = std::get_if<set_status>(&a.action);
        if (!st || st->status != job_status::running) return false;
        const job& row = ctx.row_of(a);
        const bool lock_held = a.job_index < ctx.facts.size() && ctx.facts[a.job_index].lock_held;
        return !occupies_slot(row, lock_held);
    }
};

} // namespace v0
} // namespace warden
