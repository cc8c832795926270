#pragma once
#include <warden/core/actions.hpp>
#include <warden/detail/reason.hpp>
#include <warden/facts/context.hpp>
#include <warden/facts/job_class.hpp>
#include <warden/rails/verdict.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace warden {
inline namespace v0 {

// Issue #21 item 5: an operator holds the starts of one source or one class without stopping
// the watchdog (the sentinel holds every write). The switches are host facts, beside the
// sentinel (host.paused_sources, host.paused_classes): the host reads them where its operators
// set them, as it reads the sentinel file. Starts only, for this job only: recoveries, repairs
// and reconciles go on, and queue fill moves on to a job that is not paused.
struct pause {
    static constexpr std::string_view name = "pause";

    [[nodiscard]] verdict check(const decision_context& ctx, const subject& s,
                                const start_job&) const {
        const host_facts& h = ctx.snapshot.host;
        if (listed(h.paused_sources, s.row.source))
            return verdict::deny(
                detail::reason("source ", s.row.source, " is paused (host.paused_sources)"));
        const std::string_view job_class = class_of(ctx.config, s.row);
        if (listed(h.paused_classes, job_class))
            return verdict::deny(
                detail::reason("class ", job_class, " is paused (host.paused_classes)"));
        return verdict::allow();
    }

  private:
    [[nodiscard]] static bool listed(const std::vector<std::string>& names,
                                     std::string_view value) {
        return !value.empty() && std::find(names.begin(), names.end(), value) != names.end();
    }
};

} // namespace v0
} // namespace warden
