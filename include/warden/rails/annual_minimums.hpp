#pragma once
#include <warden/core/actions.hpp>
#include <warden/detail/reason.hpp>
#include <warden/facts/campaign.hpp>
#include <warden/facts/class_recovery.hpp>
#include <warden/facts/context.hpp>
#include <warden/rails/verdict.hpp>

#include <string_view>

namespace warden {
inline namespace v0 {

// Issue #21 item 1: a job of a class with `minimums` (annual or not) is held to the class's.
// Annual crawls run for days; with default thresholds a few timeouts end them and the restarts
// thrash (B4). An annual job is never started or recovered with options below the minimums or
// with a page cap. The rules already raise options; this rail is the backstop for host rules and
// for a configuration that switched raising off.
struct annual_minimums {
    static constexpr std::string_view name = "annual_minimums";

    [[nodiscard]] verdict check(const decision_context& ctx, const subject& s,
                                const start_job& a) const {
        return judge(ctx, s, a.options);
    }
    // A write that lowers none of the minimum fields and adds no page cap makes nothing worse:
    // with B4's raising switched off, a recovery still turns monitoring on, and refusing that
    // would refuse the recovery itself (and hold queue fill back for it). The start that follows
    // is judged in full.
    [[nodiscard]] verdict check(const decision_context& ctx, const subject& s,
                                const set_tool_options& a) const {
        if (!lowers_minimum_fields(a.before, a.after)) return verdict::allow();
        return judge(ctx, s, a.after);
    }

  private:
    [[nodiscard]] static std::string_view what(bool annual) noexcept {
        return annual ? "annual" : "class";
    }
    [[nodiscard]] static verdict judge(const decision_context& ctx, const subject& s,
                                       const tool_options& o) {
        // Issue #17 item 2: a source with a profile is held to the profile's values. Issue #21
        // item 1: a class with minimums holds its jobs, annual or not, to the class's.
        const bool annual = is_annual(s.row);
        if (!annual && ctx.config.classes.empty()) return verdict::allow();
        const auto minimums = recovery_of(ctx.config, s.row, annual).minimums;
        if (!minimums) return verdict::allow();
        const tool_options& m = *minimums;
        if (meets_minimums(o, m)) return verdict::allow();
        if (o.page_cap)
            return verdict::deny(
                detail::reason(what(annual), " crawl with page cap ", *o.page_cap));
        return verdict::deny(
            detail::reason(what(annual), " options below minimums: restarts ",
                           o.max_container_restarts, "/", m.max_container_restarts, ", timeout ",
                           o.error_threshold_timeout, "/", m.error_threshold_timeout, ", http ",
                           o.error_threshold_http, "/", m.error_threshold_http, ", backoff ",
                           o.backoff_delay_minutes, "/", m.backoff_delay_minutes));
    }
};

} // namespace v0
} // namespace warden
