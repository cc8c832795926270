#pragma once
#include <warden/core/config.hpp>
#include <warden/core/job.hpp>
#include <warden/core/time.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace warden {
inline namespace v0 {

// Letters, digits and '_': what a regex \w matches, so "-20260101" ends a word before '-', '.'
// or the end of the text, and not before "_x" or another digit.
[[nodiscard]] constexpr bool is_word_char(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// The year of a legacy annual crawl, named `<name>-YYYY0101` before campaign metadata existed
// (B3), e.g. "phac-20260101", or with a suffix after a word boundary, "phac-20990101-retry1".
// Only January 1st marks an annual campaign; "-20260102" is an ad-hoc crawl and a bare
// "20260101" has no campaign name. The first stamp that qualifies wins.
[[nodiscard]] constexpr std::optional<std::int32_t>
legacy_annual_year(std::string_view text) noexcept {
    constexpr std::size_t stamp = 1 + 4 + 4;                    // "-YYYY0101"
    for (std::size_t at = 1; at + stamp <= text.size(); ++at) { // a name precedes the dash
        if (text[at] != '-' || text.substr(at + 5, 4) != "0101") continue;
        if (at + stamp < text.size() && is_word_char(text[at + stamp])) continue;
        std::int32_t year = 0;
        bool digits = true;
        for (const char c : text.substr(at + 1, 4)) {
            digits = digits && c >= '0' && c <= '9';
            year = year * 10 + (c - '0');
        }
        if (digits && year >= 1970) return year;
    }
    return std::nullopt;
}

[[nodiscard]] constexpr std::string_view last_path_component(std::string_view path) noexcept {
    while (!path.empty() && path.back() == '/')
        path.remove_suffix(1);
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Legacy detection for a whole row: the name first, then the output dir's last component.
[[nodiscard]] constexpr std::optional<std::int32_t> legacy_annual_year(const job& j) noexcept {
    if (auto y = legacy_annual_year(std::string_view{j.name})) return y;
    return legacy_annual_year(last_path_component(j.output_dir));
}

// Membership of an annual campaign. `year` is empty for a row whose metadata says annual but
// carries no year: it belongs to no campaign year, so queue fill passes it over as a year
// mismatch and reports no year.
struct annual_campaign {
    std::optional<std::int32_t> year;
};

// The annual campaign of a job, from its metadata or, failing that, its legacy naming; nullopt
// if it is not annual.
[[nodiscard]] constexpr std::optional<annual_campaign> annual_campaign_of(const job& j) noexcept {
    if (j.kind == campaign_kind::annual) return annual_campaign{j.campaign_year};
    if (const auto y = legacy_annual_year(j)) return annual_campaign{y};
    return std::nullopt;
}

[[nodiscard]] constexpr bool is_annual(const job& j) noexcept {
    return j.kind == campaign_kind::annual || legacy_annual_year(j).has_value();
}

// The campaign queue fill sees a job in: as annual_campaign_of(), but legacy naming counts only
// while the legacy-detection guard is on (B3).
[[nodiscard]] constexpr std::optional<annual_campaign> queue_fill_campaign(const config& c,
                                                                           const job& j) noexcept {
    if (j.kind == campaign_kind::annual) return annual_campaign{j.campaign_year};
    if (!c.guards.legacy_detection) return std::nullopt;
    if (const auto y = legacy_annual_year(j)) return annual_campaign{y};
    return std::nullopt;
}

// The campaign year queue fill serves this tick: the configured one, else the year of `now`.
[[nodiscard]] constexpr std::int32_t target_campaign_year(const config& c, timestamp now) noexcept {
    return c.campaign_year ? *c.campaign_year : utc_year(now);
}

} // namespace v0
} // namespace warden
