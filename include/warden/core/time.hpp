#pragma once
#include <chrono>
#include <cstdint>

namespace warden {
inline namespace v0 {

// Whole seconds are the engine's only resolution: the simulator drives time in ticks of whole
// seconds and every database the incidents came from stores seconds. std::chrono keeps units
// honest at compile time (a duration cannot be passed where a timestamp is expected).
using duration = std::chrono::duration<std::int64_t>;
using timestamp = std::chrono::time_point<std::chrono::system_clock, duration>;

[[nodiscard]] constexpr timestamp from_epoch_seconds(std::int64_t seconds) noexcept {
    return timestamp{duration{seconds}};
}

[[nodiscard]] constexpr std::int64_t epoch_seconds(timestamp t) noexcept {
    return t.time_since_epoch().count();
}

// A UTC calendar time, for tests, examples and hosts that hold broken-down times.
[[nodiscard]] constexpr timestamp utc(int year, unsigned month, unsigned day, int hour = 0,
                                      int minute = 0, int second = 0) noexcept {
    using namespace std::chrono;
    const sys_days date{std::chrono::year{year} / std::chrono::month{month} /
                        std::chrono::day{day}};
    return timestamp{duration_cast<duration>(date.time_since_epoch()) + hours{hour} +
                     minutes{minute} + seconds{second}};
}

inline constexpr duration one_day = std::chrono::hours{24};

// The UTC calendar year of an instant.
[[nodiscard]] constexpr int utc_year(timestamp t) noexcept {
    const std::chrono::year_month_day date{std::chrono::floor<std::chrono::days>(t)};
    return static_cast<int>(date.year());
}

} // namespace v0
} // namespace warden
