#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace warden {
inline namespace v0 {

enum class job_status : std::uint8_t { queued, running, retryable, completed, failed };

inline constexpr int job_status_count = 5;

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
    switch (s) {
    case job_status::queued: return "queued";
    case job_status::running: return "running";
    case job_status::retryable: return "retryable";
    case job_status::completed: return "completed";
    case job_status::failed: return "failed";
    }
    return "unknown";
}

// "pending" is accepted because the incident databases used it for what warden calls queued.
[[nodiscard]] constexpr std::optional<job_status> parse_job_status(std::string_view s) noexcept {
    if (s == "queued" || s == "pending") return job_status::queued;
    if (s == "running") return job_status::running;
    if (s == "retryable") return job_status::retryable;
    if (s == "completed") return job_status::completed;
    if (s == "failed") return job_status::failed;
    return std::nullopt;
}

} // namespace v0
} // namespace warden
