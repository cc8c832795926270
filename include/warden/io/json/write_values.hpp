#pragma once
// The JSON form of values that several documents write: failure classes, times, tool options.
#include <warden/core/failure_class.hpp>
#include <warden/core/time.hpp>
#include <warden/core/tool_options.hpp>
#include <warden/io/json/parse.hpp>
#include <warden/io/rfc3339.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden {
inline namespace v0 {

namespace detail {

[[nodiscard]] inline std::string failure_name(failure_class f) {
    return std::string{to_string(f)}; // "host_<n>" for a host's class, as SQLite stores it
}

[[nodiscard]] inline json time_json(const std::optional<timestamp>& t) {
    if (!t) return nullptr;
    return format_rfc3339(*t);
}

template <class T>
[[nodiscard]] json optional_json(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

// The B4 fields: config.annual_minimums.
[[nodiscard]] inline json minimums_json(const tool_options& o) {
    json out = json::object();
    out["max_container_restarts"] = o.max_container_restarts;
    out["error_threshold_timeout"] = o.error_threshold_timeout;
    out["error_threshold_http"] = o.error_threshold_http;
    out["backoff_delay_minutes"] = o.backoff_delay_minutes;
    out["page_cap"] = optional_json(o.page_cap);
    return out;
}

// A row's options: every key written, null for a missing value (as page_cap's null).
[[nodiscard]] inline json options_json(const tool_options& o) {
    json out = minimums_json(o);
    out["monitoring"] = optional_json(o.monitoring);
    out["adaptive_restart"] = optional_json(o.adaptive_restart);
    out["stall_timeout_minutes"] = optional_json(o.stall_timeout_minutes);
    return out;
}

} // namespace detail

} // namespace v0
} // namespace warden
