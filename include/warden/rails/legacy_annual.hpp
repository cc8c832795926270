#pragma once
#include <warden/core/actions.hpp>
#include <warden/core/job.hpp>
#include <warden/rails/context.hpp>
#include <warden/rails/verdict.hpp>

#include <fmt/format.h>

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

// The campaign year of an annual job, from metadata or legacy naming; nullopt if not annual.
[[nodiscard]] constexpr std::optional<std::int32_t> annual_year(const job& j) noexcept {
    if (j.kind == campaign_kind::annual) return j.campaign_year ? j.campaign_year : 0;
    return legacy_annual_year(j);
}

[[nodiscard]] constexpr bool is_annual(const job& j) noexcept {
    return annual_year(j).has_value();
}

// Campaign metadata is written only where the row's own name proves it: a backfill whose year
// does not match the `-YYYY0101` stamp would drag a job into the wrong campaign.
struct legacy_annual {
    static constexpr std::string_view name = "legacy_annual";

    [[nodiscard]] verdict check(const decision_context&, const subject& s,
                                const backfill_campaign& a) const {
        const auto year = legacy_annual_year(s.row);
        if (year && *year == a.year) return verdict::allow();
        if (year)
            return verdict::deny(
                fmt::format("name says campaign year {}, backfill says {}", *year, a.year));
        return verdict::deny("neither name nor output dir carries a -YYYY0101 stamp");
    }
};

} // namespace v0
} // namespace warden
