#pragma once
#include <warden/core/config.hpp>
#include <warden/core/job.hpp>
#include <warden/core/tool_options.hpp>
#include <warden/facts/campaign.hpp>
#include <warden/facts/class_recovery.hpp>

#include <algorithm>
#include <string>
#include <string_view>

namespace warden {
inline namespace v0 {

// The tool options a stalled job is recovered with, soft or full (issue #8: parity with the
// production watchdog, which rewrites them at every recovery):
// - monitoring and adaptive restart on, whatever the row said;
// - max_container_restarts at least annual_minimums.max_container_restarts (20) for an annual
//   job, at least recovery_min_restarts_non_annual (6) for any other; a higher value is kept;
// - an annual job: every field raised to the annual minimums (B4, while
//   guards.raise_annual_minimums is on: thresholds 50 / 50, backoff 2 min, no page cap), our
//   stricter choice where the production watchdog only fills missing values; and
//   stall_timeout_minutes set to annual_stall_timeout_minutes (60) when missing, an explicit
//   one kept even below it.
// - an annual job whose source has a profile (config.source_profiles, issue #17 item 2): each
//   option missing or still at the shared baseline takes the profile's value first, and the
//   profile's values are the minimums it is raised to (they may be lower than the shared ones).
// - an annual job: docker_shm_size "1g" and skip_final_build true when missing (issue #17 item
//   3); initial_workers only from a profile.
// A job that is not annual keeps its thresholds, backoff, page cap and stall timeout.
// Issue #21 item 1: a job's class may set its own minimums (then raised to as above, page cap
// dropped, for any job of the class), recovery restarts and stall timeout
// (facts/class_recovery.hpp); a missing key keeps the rule above.
// Production's shm size for an annual crawl whose row has none.
inline constexpr std::string_view annual_docker_shm_size = "1g";

[[nodiscard]] inline tool_options recovery_options(const config& c, const job& j) {
    const bool annual = is_annual(j);
    tool_options in = j.options;
    if (annual) {
        const auto profile = c.source_profiles.find(j.source);
        if (profile != c.source_profiles.end())
            in = with_profile(in, c.annual_minimums, c.annual_stall_timeout_minutes,
                              profile->second);
    }
    // Issue #21 item 1: the job's class may set its own minimums, restarts and stall timeout;
    // without those keys (and without `classes`) these are the global values above.
    const class_recovery r = recovery_of(c, j, annual);
    tool_options out =
        r.minimums && c.guards.raise_annual_minimums ? raised_to(in, *r.minimums) : in;
    out.monitoring = true;
    out.adaptive_restart = true;
    out.max_container_restarts = std::max(out.max_container_restarts, r.min_restarts);
    if (r.stall_timeout_minutes && !out.stall_timeout_minutes)
        out.stall_timeout_minutes = r.stall_timeout_minutes;
    // Issue #17 item 3, as production does for an annual job: a missing shm size is 1g and a
    // missing skip_final_build is true; explicit values (a profile's included) are kept.
    if (annual && out.docker_shm_size.empty())
        out.docker_shm_size = std::string{annual_docker_shm_size};
    if (annual && !out.skip_final_build) out.skip_final_build = true;
    return out;
}

// The options queue fill starts a job with (issue #16 item 7): the same as a recovery's, so an
// annual job gets the annual set and a job of another class its class's.
[[nodiscard]] inline tool_options start_options(const config& c, const job& j) {
    return recovery_options(c, j);
}

} // namespace v0
} // namespace warden
