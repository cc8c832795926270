#pragma once
#include <cstdint>

namespace warden {
inline namespace v0 {

// An enum class rather than a bare integer so a job id cannot be confused with a pid, a version
// or a count; it costs nothing at run time.
enum class job_id : std::int64_t {};

[[nodiscard]] constexpr std::int64_t to_int(job_id id) noexcept {
    return static_cast<std::int64_t>(id);
}

} // namespace v0
} // namespace warden
