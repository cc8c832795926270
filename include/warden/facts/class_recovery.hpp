#pragma once
#include <warden/core/class_spec.hpp>
#include <warden/core/config.hpp>
#include <warden/core/job.hpp>
#include <warden/core/source_profile.hpp>
#include <warden/core/tool_options.hpp>
#include <warden/facts/campaign.hpp>
#include <warden/facts/job_class.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>

namespace warden {
inline namespace v0 {

// Issue #21 item 1: what a start or a stall recovery of a job writes into its options, and what
// the annual_minimums rail holds it to, as its class says (class_spec::minimums,
// recovery_min_restarts, stall_timeout_minutes), each missing key at the global value for the
// job. Without a `classes` key this is exactly warden's behaviour before classes.
struct class_recovery {
    // The minimums the job is raised to and held to; nullopt: none (a job that is not annual,
    // of a class without minimums).
    std::optional<tool_options> minimums;
    // max_container_restarts after a recovery, at least.
    std::int32_t min_restarts = 0;
    // The stall timeout a row without one gets; nullopt: none.
    std::optional<std::int32_t> stall_timeout_minutes;
};

// The global values: an annual job the annual minimums (its source profile's), their
// max_container_restarts and the annual stall timeout; another job no minimums,
// recovery_min_restarts_non_annual and no stall timeout.
[[nodiscard]] inline class_recovery global_recovery(const config& c, const job& j, bool annual) {
    if (!annual) return class_recovery{std::nullopt, c.recovery_min_restarts_non_annual, {}};
    const tool_options m = c.annual_minimums_for(j.source);
    return class_recovery{m, m.max_container_restarts, c.annual_stall_timeout_for(j.source)};
}

// The job's class's values over the global ones. A source profile (annual jobs only, issue #17
// item 2) still wins over the class: the class's minimums and stall timeout take the place of
// the shared baseline the profile overrides.
[[nodiscard]] inline class_recovery recovery_of(const config& c, const job& j, bool annual) {
    class_recovery out = global_recovery(c, j, annual);
    if (c.classes.empty()) return out; // the implicit annual class has no overrides
    const class_spec* k = class_spec_of(c, j);
    if (!k) return out;
    const auto profile = annual ? c.source_profiles.find(j.source) : c.source_profiles.end();
    const bool has_profile = profile != c.source_profiles.end();
    if (k->minimums) {
        tool_options m = has_profile ? minimums_with(*k->minimums, profile->second) : *k->minimums;
        // An annual job's class may raise the annual floor, never lower it: the floor is what
        // keeps annual crawls from being started with thresholds of 0 (B4), and a class written
        // for other jobs must not take that away by also recognising annual ones.
        if (annual && out.minimums) m = raised_to(m, *out.minimums);
        out.minimums = m;
        out.min_restarts = m.max_container_restarts;
    }
    if (k->recovery_min_restarts)
        out.min_restarts = annual ? std::max(out.min_restarts, *k->recovery_min_restarts)
                                  : *k->recovery_min_restarts;
    if (k->stall_timeout_minutes && !(has_profile && profile->second.stall_timeout_minutes))
        out.stall_timeout_minutes = *k->stall_timeout_minutes;
    return out;
}

[[nodiscard]] inline class_recovery recovery_of(const config& c, const job& j) {
    return recovery_of(c, j, is_annual(j));
}

} // namespace v0
} // namespace warden
