#pragma once
#include <warden/core/enum_names.hpp>
#include <warden/core/job.hpp>

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

namespace warden {
inline namespace v0 {

// Issue #21 item 2: what a concurrency limit groups jobs by.
enum class limit_key : std::uint8_t {
    source,    // job.source
    job_class, // the job's class: its `class` field (facts/job_class.hpp)
    group_key, // job.group_key, a host-defined group
};

inline constexpr int limit_key_count = 3;
inline constexpr std::string_view limit_key_names[] = {"source", "class", "group_key"};
static_assert(std::size(limit_key_names) == limit_key_count &&
                  static_cast<int>(limit_key::group_key) + 1 == limit_key_count,
              "limit_key_names must name every key, in order");

[[nodiscard]] constexpr std::string_view to_string(limit_key k) noexcept {
    return detail::name_in(limit_key_names, k);
}

[[nodiscard]] constexpr std::optional<limit_key> parse_limit_key(std::string_view s) noexcept {
    return detail::parse_in<limit_key>(limit_key_names, s);
}

// At most max_running jobs per value of `by` run at once (Airflow's pools, Oban Pro's partitioned
// global limits), counted over the jobs running now plus the starts already accepted in this
// plan (rails/concurrency_limits.hpp). With `value`, only jobs whose key equals it are limited;
// without, every value is limited separately. A job whose key is empty is in no group.
struct concurrency_limit {
    limit_key by = limit_key::source;
    std::optional<std::string> value = std::nullopt;
    std::int32_t max_running = 1;
    friend bool operator==(const concurrency_limit&, const concurrency_limit&) = default;
};

} // namespace v0
} // namespace warden
