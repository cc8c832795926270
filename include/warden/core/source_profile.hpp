#pragma once
#include <warden/core/tool_options.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace warden {
inline namespace v0 {

// Issue #17 item 2: one source's tool options for its annual jobs (production's per-source
// profiles in vps-crawl-auto-recover.py, e.g. cihr: stall 45, timeout 35, http 35, backoff 1,
// restarts 20). A missing value leaves the shared annual baseline in force for that option.
struct source_profile {
    std::optional<std::int32_t> stall_timeout_minutes = std::nullopt;
    std::optional<std::int32_t> error_threshold_timeout = std::nullopt;
    std::optional<std::int32_t> error_threshold_http = std::nullopt;
    std::optional<std::int32_t> backoff_delay_minutes = std::nullopt;
    std::optional<std::int32_t> max_container_restarts = std::nullopt;
    // Issue #17 item 3's options: a profile may set them too; they are not minimums.
    std::string docker_shm_size{}; // "": the profile names none (see tool_options)
    std::optional<bool> skip_final_build = std::nullopt;
    std::optional<std::int32_t> initial_workers = std::nullopt;

    friend bool operator==(const source_profile&, const source_profile&) = default;
};

// Whether `size` is a size docker's --shm-size takes: a positive decimal number of bytes with an
// optional unit b, k, m or g (either case), optionally followed by b ("1g", "512m", "64mb",
// "1048576"). Issue #17 item 3: a value the crawler cannot parse fails the crawl at its start.
[[nodiscard]] constexpr bool plausible_shm_size(std::string_view size) noexcept {
    std::size_t digits = 0;
    bool nonzero = false;
    while (digits < size.size() && size[digits] >= '0' && size[digits] <= '9') {
        nonzero = nonzero || size[digits] != '0';
        ++digits;
    }
    if (digits == 0 || digits > 12 || !nonzero) return false;
    std::string_view unit = size.substr(digits);
    const auto is = [](char ch, char lower) { return ch == lower || ch == lower - ('a' - 'A'); };
    if (!unit.empty() && (is(unit[0], 'k') || is(unit[0], 'm') || is(unit[0], 'g'))) {
        unit.remove_prefix(1);
        if (!unit.empty() && is(unit[0], 'b')) unit.remove_prefix(1);
    } else if (!unit.empty() && is(unit[0], 'b')) {
        unit.remove_prefix(1);
    }
    return unit.empty();
}

// config.source_profiles: source name to its profile. std::less<> so a lookup by string_view
// needs no copy.
using source_profiles = std::map<std::string, source_profile, std::less<>>;

// The minimums an annual job is judged against: the shared ones, with each value the profile
// names in its place. A profile's values are its source's minimums, so they may be lower.
[[nodiscard]] inline tool_options minimums_with(const tool_options& shared,
                                                const source_profile& p) noexcept {
    tool_options out = shared;
    if (p.error_threshold_timeout) out.error_threshold_timeout = *p.error_threshold_timeout;
    if (p.error_threshold_http) out.error_threshold_http = *p.error_threshold_http;
    if (p.backoff_delay_minutes) out.backoff_delay_minutes = *p.backoff_delay_minutes;
    if (p.max_container_restarts) out.max_container_restarts = *p.max_container_restarts;
    return out;
}

// initial_workers values of the shared annual baseline from earlier campaigns (production's
// _LEGACY_ANNUAL_BASELINE_VALUES: 1 and 2): a profile replaces them as it replaces the others.
inline constexpr std::int32_t legacy_annual_initial_workers[] = {1, 2};

// Production's rule for a profile (_ensure_recovery_tool_options): each option the job row left
// missing (0, or no stall timeout) or still at the shared annual baseline (`shared`,
// `shared_stall_timeout_minutes`; initial_workers 1 or 2) takes the profile's value; any other
// explicit value was set by someone on purpose and is kept. max_container_restarts is the
// exception: the profile's value is a floor, so a row below it is raised and a row at or above
// it kept (production never lowers a restart budget, not even the baseline's 20).
[[nodiscard]] inline tool_options with_profile(const tool_options& options,
                                               const tool_options& shared,
                                               std::int32_t shared_stall_timeout_minutes,
                                               const source_profile& p) noexcept {
    tool_options out = options;
    const auto fill = [](std::int32_t& value, std::int32_t baseline,
                         const std::optional<std::int32_t>& profile) {
        if (profile && (value == 0 || value == baseline)) value = *profile;
    };
    fill(out.error_threshold_timeout, shared.error_threshold_timeout, p.error_threshold_timeout);
    fill(out.error_threshold_http, shared.error_threshold_http, p.error_threshold_http);
    fill(out.backoff_delay_minutes, shared.backoff_delay_minutes, p.backoff_delay_minutes);
    if (p.max_container_restarts && out.max_container_restarts < *p.max_container_restarts)
        out.max_container_restarts = *p.max_container_restarts;
    if (p.stall_timeout_minutes &&
        (!out.stall_timeout_minutes || *out.stall_timeout_minutes == shared_stall_timeout_minutes))
        out.stall_timeout_minutes = *p.stall_timeout_minutes;
    // Item 3's shm size and skip_final_build have no shared baseline a profile could replace: a
    // missing one is filled.
    if (!p.docker_shm_size.empty() && out.docker_shm_size.empty())
        out.docker_shm_size = p.docker_shm_size;
    if (p.skip_final_build && !out.skip_final_build) out.skip_final_build = p.skip_final_build;
    if (p.initial_workers &&
        (!out.initial_workers ||
         std::find(std::begin(legacy_annual_initial_workers),
                   std::end(legacy_annual_initial_workers),
                   *out.initial_workers) != std::end(legacy_annual_initial_workers)))
        out.initial_workers = p.initial_workers;
    return out;
}

} // namespace v0
} // namespace warden
