#pragma once
#include <warden/core/config.hpp>
#include <warden/core/job.hpp>
#include <warden/core/time.hpp>
#include <warden/detail/utf8.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace warden {
inline namespace v0 {

// The year of a legacy annual crawl, named `<name>-YYYY0101` before campaign metadata existed
// (B3), e.g. "phac-20260101", or with a suffix after a word boundary, "phac-20990101-retry1".
// Only January 1st marks an annual campaign; "-20260102" is an ad-hoc crawl and a bare
// "20260101" has no campaign name. The first stamp that qualifies wins. The word boundary after
// the stamp is Unicode-aware, approximated as detail/utf8.hpp documents.
[[nodiscard]] constexpr std::optional<std::int32_t>
legacy_annual_year(std::string_view text) noexcept {
    constexpr std::size_t stamp = 1 + 4 + 4;                    // "-YYYY0101"
    for (std::size_t at = 1; at + stamp <= text.size(); ++at) { // a name precedes the dash
        if (text[at] != '-' || text.substr(at + 5, 4) != "0101") continue;
        // A letter or digit of any script after the stamp continues the word (issue #16 item 5:
        // production's \b is Unicode-aware), so "phac-20260101é" is not annual.
        if (detail::continues_word(text.substr(at + stamp))) continue;
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

// The year a row's own `campaign_year` names when its `campaign_kind` is missing (issue #16
// item 8): production's _infer_annual_campaign_year takes any campaign_year of 1970 or later as
// an annual campaign of that year, and backfills the kind before a start. An earlier year is
// no campaign (legacy naming may still make the row annual).
[[nodiscard]] constexpr std::optional<std::int32_t>
metadata_year_without_kind(const job& j) noexcept {
    if (j.kind == campaign_kind::annual) return std::nullopt;
    if (j.campaign_year && *j.campaign_year >= 1970) return j.campaign_year;
    return std::nullopt;
}

// The annual campaign of a job: its metadata (kind annual; or a campaign_year without a kind),
// failing that its legacy naming; nullopt if it is not annual.
[[nodiscard]] constexpr std::optional<annual_campaign> annual_campaign_of(const job& j) noexcept {
    if (j.kind == campaign_kind::annual) return annual_campaign{j.campaign_year};
    if (const auto y = metadata_year_without_kind(j)) return annual_campaign{y};
    if (const auto y = legacy_annual_year(j)) return annual_campaign{y};
    return std::nullopt;
}

[[nodiscard]] constexpr bool is_annual(const job& j) noexcept {
    return annual_campaign_of(j).has_value();
}

// The campaign queue fill sees a job in: as annual_campaign_of(), but legacy naming counts only
// while the legacy-detection guard is on (B3). A campaign_year without a kind is metadata, not
// naming: the guard does not hide it.
[[nodiscard]] constexpr std::optional<annual_campaign> queue_fill_campaign(const config& c,
                                                                           const job& j) noexcept {
    if (j.kind == campaign_kind::annual) return annual_campaign{j.campaign_year};
    if (const auto y = metadata_year_without_kind(j)) return annual_campaign{y};
    if (!c.guards.legacy_detection) return std::nullopt;
    if (const auto y = legacy_annual_year(j)) return annual_campaign{y};
    return std::nullopt;
}

// The year a backfill writes for a start candidate whose kind is missing: its own campaign_year
// when that names one, else its legacy stamp's.
[[nodiscard]] constexpr std::optional<std::int32_t> backfill_year(const job& j) noexcept {
    if (const auto y = metadata_year_without_kind(j)) return y;
    return legacy_annual_year(j);
}

// The campaign year queue fill serves this tick: the configured one, else the year of `now`.
[[nodiscard]] constexpr std::int32_t target_campaign_year(const config& c, timestamp now) noexcept {
    return c.campaign_year ? *c.campaign_year : utc_year(now);
}

} // namespace v0
} // namespace warden
