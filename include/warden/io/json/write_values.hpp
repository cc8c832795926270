#pragma once
// The JSON form of values that several documents write: failure classes, times, tool options.
#include <warden/core/failure_class.hpp>
#include <warden/core/fields.hpp>
#include <warden/core/ids.hpp>
#include <warden/core/job.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/core/time.hpp>
#include <warden/core/tool_options.hpp>
#include <warden/io/json/parse.hpp>
#include <warden/io/rfc3339.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
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

template <has_fields T>
[[nodiscard]] json fields_json(const T& value, bool row);

// One member by its type, and where the type alone does not say, by its field's flags.
template <class S, class M>
[[nodiscard]] json member_json(const field<S, M>& f, const M& v, bool row) {
    if constexpr (std::is_same_v<M, job_id>) {
        return to_int(v);
    } else if constexpr (std::is_same_v<M, std::string>) {
        return f.has(null_when_empty) && v.empty() ? json(nullptr) : json(v);
    } else if constexpr (std::is_same_v<M, job_status> || std::is_same_v<M, process_origin>) {
        return to_string(v);
    } else if constexpr (std::is_same_v<M, limit_key>) {
        return to_string(v);
    } else if constexpr (std::is_same_v<M, std::vector<concurrency_limit>> ||
                         std::is_same_v<M, std::vector<class_spec>>) {
        json out = json::array();
        for (const auto& each : v)
            out.push_back(fields_json(each, row));
        return out;
    } else if constexpr (std::is_same_v<M, campaign_kind>) {
        return v == campaign_kind::annual ? json("annual") : json(nullptr);
    } else if constexpr (std::is_same_v<M, failure_class>) {
        return v == failure_class::none ? json(nullptr) : json(failure_name(v));
    } else if constexpr (std::is_same_v<M, timestamp>) {
        return format_rfc3339(v);
    } else if constexpr (std::is_same_v<M, std::optional<timestamp>>) {
        return time_json(v);
    } else if constexpr (std::is_same_v<M, duration>) {
        return std::chrono::duration_cast<std::chrono::minutes>(v).count();
    } else if constexpr (std::is_same_v<M, source_profiles>) {
        json out = json::object();
        for (const auto& [name, profile] : v)
            out[name] = fields_json(profile, row);
        return out;
    } else if constexpr (has_fields<M>) {
        return fields_json(v, row);
    } else if constexpr (std::is_same_v<M, std::optional<backoff_policy>> ||
                         std::is_same_v<M, std::optional<tool_options>>) {
        return v ? fields_json(*v, row) : json(nullptr); // issue #21 items 3 and 1
    } else if constexpr (std::is_same_v<M, std::optional<campaign_end>>) {
        return v ? json(to_string(*v)) : json(nullptr);
    } else if constexpr (is_optional_v<M>) {
        return optional_json(v);
    } else {
        return json(v); // bool, integers, double, arrays of strings
    }
}

// An object by T's field list (core/fields.hpp), every key written, in list order. `row`: inside
// a job row (tool options carry issue #8's recovery options only there).
template <has_fields T>
[[nodiscard]] json fields_json(const T& value, bool row) {
    json out = json::object();
    for_each_field<T>([&](const auto& f) {
        if (!row && f.has(row_only)) return;
        if constexpr (std::is_same_v<T, process_fact>)
            if (f.has(unit_only) && value.origin != process_origin::systemd_unit) return;
        out[std::string{f.name}] = member_json(f, f.of(value), row);
    });
    return out;
}

// The B4 fields: config.annual_minimums.
[[nodiscard]] inline json minimums_json(const tool_options& o) {
    return fields_json(o, false);
}

// A row's options: every key written, null for a missing value (as page_cap's null).
[[nodiscard]] inline json options_json(const tool_options& o) {
    return fields_json(o, true);
}

} // namespace detail

} // namespace v0
} // namespace warden
