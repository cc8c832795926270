#pragma once
#include <warden/core/enum_names.hpp>

#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

namespace warden {
inline namespace v0 {

enum class job_status : std::uint8_t { queued, running, retryable, completed, failed };

inline constexpr int job_status_count = 5;

// The text of each status, in enum order: the one table print, parse and count read.
inline constexpr std::string_view job_status_names[] = {
    "queued", "running", "retryable", "completed", "failed",
};
static_assert(std::size(job_status_names) == job_status_count &&
                  static_cast<int>(job_status::failed) + 1 == job_status_count,
              "job_status_names must name every status, in order");

[[nodiscard]] constexpr bool is_known(job_status s) noexcept {
    return static_cast<int>(s) < job_status_count;
}

[[nodiscard]] constexpr bool is_terminal(job_status s) noexcept {
    return s == job_status::completed || s == job_status::failed;
}

// Jobs the watchdog may (re)start or reconcile: waiting for a worker.
[[nodiscard]] constexpr bool is_waiting(job_status s) noexcept {
    return s == job_status::queued || s == job_status::retryable;
}

[[nodiscard]] constexpr std::string_view to_string(job_status s) noexcept {
    return detail::name_in(job_status_names, s);
}

// "pending" is accepted because the incident databases used it for what warden calls queued.
[[nodiscard]] constexpr std::optional<job_status> parse_job_status(std::string_view s) noexcept {
    if (s == "pending") return job_status::queued;
    return detail::parse_in<job_status>(job_status_names, s);
}

} // namespace v0
} // namespace warden
