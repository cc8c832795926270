#pragma once
#include <warden/core/actions.hpp>
#include <warden/facts/campaign.hpp>
#include <warden/facts/context.hpp>
#include <warden/rails/verdict.hpp>

#include <fmt/format.h>

#include <string_view>

namespace warden {
inline namespace v0 {

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
    [[nodiscard]] static verdict judge(const decision_context& ctx, const subject& s,
                                       const tool_options& o) {
        if (!is_annual(s.row)) return verdict::allow();
        // Issue #17 item 2: a source with a profile is held to the profile's values.
        const tool_options m = ctx.config.annual_minimums_for(s.row.source);
        if (meets_minimums(o, m)) return verdict::allow();
        if (o.page_cap)
            return verdict::deny(fmt::format("annual crawl with page cap {}", *o.page_cap));
        return verdict::deny(fmt::format("annual options below minimums: restarts {}/{}, timeout "
                                         "{}/{}, http {}/{}, backoff {}/{}",
                                         o.max_container_restarts, m.max_container_restarts,
                                         o.error_threshold_timeout, m.error_threshold_timeout,
                                         o.error_threshold_http, m.error_threshold_http,
                                         o.backoff_delay_minutes, m.backoff_delay_minutes));
    }
};

} // namespace v0
} // namespace warden
