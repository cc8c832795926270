#pragma once
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

namespace warden {
inline namespace v0 {

// The crawler options that decide how hard a crawl fights transient errors before giving up
// (incident B4: low thresholds made long annual crawls thrash through restarts).
struct tool_options {
    std::int32_t max_container_restarts = 0;
    std::int32_t error_threshold_timeout = 0;
    std::int32_t error_threshold_http = 0;
    std::int32_t backoff_delay_minutes = 0;
    std::optional<std::int32_t> page_cap; // annual crawls must not be capped
    // Issue #8 (production watchdog parity), written by a stall recovery
    // (rules/recovery_options.hpp). std::nullopt: missing, nobody set it; the crawler's own
    // default applies.
    std::optional<bool> monitoring = std::nullopt;
    std::optional<bool> adaptive_restart = std::nullopt;
    std::optional<std::int32_t> stall_timeout_minutes = std::nullopt;
    // Issue #17 item 3: the options production writes that warden could not carry. The crawl
    // container's /dev/shm size as docker takes it ("1g", "512m"); whether the crawler skips its
    // final build step; how many crawler workers it starts with. std::nullopt: missing. The shm
    // size is a plain string, "" for missing (JSON null, SQLite NULL or ''): no valid size is
    // empty, and an optional string in config.annual_minimums trips GCC 12's
    // -Wmaybe-uninitialized on every `config{}` temporary.
    std::string docker_shm_size{};
    std::optional<bool> skip_final_build = std::nullopt;
    std::optional<std::int32_t> initial_workers = std::nullopt;

    friend constexpr bool operator==(const tool_options&, const tool_options&) = default;
};

// True when `options` satisfies every minimum in `minimums` and carries no page cap.
[[nodiscard]] constexpr bool meets_minimums(const tool_options& options,
                                            const tool_options& minimums) noexcept {
    return options.max_container_restarts >= minimums.max_container_restarts &&
           options.error_threshold_timeout >= minimums.error_threshold_timeout &&
           options.error_threshold_http >= minimums.error_threshold_http &&
           options.backoff_delay_minutes >= minimums.backoff_delay_minutes &&
           !options.page_cap.has_value();
}

// True when `after` lowers one of the fields annual_minimums governs, or adds or tightens a page
// cap: what a tool-options write must not do to an annual job below its minimums.
[[nodiscard]] constexpr bool lowers_minimum_fields(const tool_options& before,
                                                   const tool_options& after) noexcept {
    return after.max_container_restarts < before.max_container_restarts ||
           after.error_threshold_timeout < before.error_threshold_timeout ||
           after.error_threshold_http < before.error_threshold_http ||
           after.backoff_delay_minutes < before.backoff_delay_minutes ||
           (after.page_cap && (!before.page_cap || *after.page_cap < *before.page_cap));
}

// Raises each field to its minimum and drops any page cap; values already above a minimum are
// kept, because an operator who raised a threshold did so for a reason.
[[nodiscard]] constexpr tool_options raised_to(const tool_options& options,
                                               const tool_options& minimums) noexcept {
    tool_options out = options;
    out.max_container_restarts =
        std::max(options.max_container_restarts, minimums.max_container_restarts);
    out.error_threshold_timeout =
        std::max(options.error_threshold_timeout, minimums.error_threshold_timeout);
    out.error_threshold_http =
        std::max(options.error_threshold_http, minimums.error_threshold_http);
    out.backoff_delay_minutes =
        std::max(options.backoff_delay_minutes, minimums.backoff_delay_minutes);
    out.page_cap.reset();
    return out;
}

} // namespace v0
} // namespace warden
