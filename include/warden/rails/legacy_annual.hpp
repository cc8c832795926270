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

// The year of a legacy annual crawl, named `<name>-YYYY0101` before campaign metadata existed
// (B3), e.g. "phac-20260101". Only January 1st marks an annual campaign; "-20260102" is an
// ad-hoc crawl and a bare "20260101" has no campaign name.
[[nodiscard]] constexpr std::optional<std::int32_t>
legacy_annual_year(std::string_view text) noexcept {
    constexpr std::string_view suffix_tail = "0101";
    constexpr std::size_t stamp = 1 + 4 + 4; // "-YYYY0101"
    if (text.size() < stamp + 1) return std::nullopt;
    const std::string_view tail = text.substr(text.size() - stamp);
    if (tail[0] != '-' || tail.substr(5) != suffix_tail) return std::nullopt;
    std::int32_t year = 0;
    for (char c : tail.substr(1, 4)) {
        if (c < '0' || c > '9') return std::nullopt;
        year = year * 10 + (c - '0');
    }
    if (year < 1970) return std::nullopt;
    return year;
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
        return verdict::deny("neither name nor output dir ends in -YYYY0101");
    }
};

} // namespace v0
} // namespace warden
