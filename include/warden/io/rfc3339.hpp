#pragma once
#include <warden/core/time.hpp>
#include <warden/detail/reason.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace warden {
inline namespace v0 {

// "2026-02-03T12:00:00Z": always UTC, always whole seconds, the form plans are written in.
[[nodiscard]] inline std::string format_rfc3339(timestamp t) {
    using namespace std::chrono;
    const auto days = floor<std::chrono::days>(t);
    const year_month_day date{days};
    const hh_mm_ss<duration> clock{t - days};
    // Issue #22: built without fmt (retry_backoff's reason is on the decide path); each piece
    // writes what fmt's "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z" wrote.
    using detail::zero_padded;
    return detail::reason(zero_padded{static_cast<int>(date.year()), 4}, "-",
                          zero_padded{static_cast<unsigned>(date.month()), 2}, "-",
                          zero_padded{static_cast<unsigned>(date.day()), 2}, "T",
                          zero_padded{clock.hours().count(), 2}, ":",
                          zero_padded{clock.minutes().count(), 2}, ":",
                          zero_padded{clock.seconds().count(), 2}, "Z");
}

namespace detail {

[[nodiscard]] constexpr bool read_digits(std::string_view s, std::size_t at, std::size_t count,
                                         int& out) noexcept {
    if (at + count > s.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

} // namespace detail

// RFC 3339 date-time: "YYYY-MM-DDTHH:MM:SS", optional fraction (truncated to the second), then
// "Z" or "+HH:MM" / "-HH:MM". 't' and 'z' are accepted as RFC 3339 allows. Anything else,
// including an impossible date such as February 30th, is nullopt.
[[nodiscard]] inline std::optional<timestamp> parse_rfc3339(std::string_view s) noexcept {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!detail::read_digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' ||
        !detail::read_digits(s, 5, 2, month) || s[7] != '-' || !detail::read_digits(s, 8, 2, day) ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !detail::read_digits(s, 11, 2, hour) ||
        s[13] != ':' || !detail::read_digits(s, 14, 2, minute) || s[16] != ':' ||
        !detail::read_digits(s, 17, 2, second))
        return std::nullopt;
    std::size_t at = 19;
    if (at < s.size() && s[at] == '.') {
        const std::size_t digits_from = ++at;
        while (at < s.size() && s[at] >= '0' && s[at] <= '9')
            ++at;
        if (at == digits_from) return std::nullopt;
    }
    std::int64_t offset_seconds = 0;
    if (at < s.size() && (s[at] == 'Z' || s[at] == 'z')) {
        ++at;
    } else if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
        int oh = 0, om = 0;
        if (!detail::read_digits(s, at + 1, 2, oh) || at + 3 >= s.size() || s[at + 3] != ':' ||
            !detail::read_digits(s, at + 4, 2, om) || oh > 23 || om > 59)
            return std::nullopt;
        offset_seconds = (s[at] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
        at += 6;
    } else {
        return std::nullopt;
    }
    if (at != s.size()) return std::nullopt;
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt; // 60: a leap second
    const std::chrono::year_month_day date{std::chrono::year{year},
                                           std::chrono::month{static_cast<unsigned>(month)},
                                           std::chrono::day{static_cast<unsigned>(day)}};
    if (!date.ok()) return std::nullopt;
    if (second == 60) second = 59; // whole-second resolution: fold the leap second
    return utc(year, static_cast<unsigned>(month), static_cast<unsigned>(day), hour, minute,
               second) -
           duration{offset_seconds};
}

} // namespace v0
} // namespace warden
