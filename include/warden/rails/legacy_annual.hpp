#pragma once
#include <warden/core/actions.hpp>
#include <warden/detail/reason.hpp>
#include <warden/facts/campaign.hpp>
#include <warden/facts/context.hpp>
#include <warden/rails/verdict.hpp>

#include <string_view>

namespace warden {
inline namespace v0 {

// Campaign metadata is written only where the row itself proves it: its own campaign_year
// (issue #16 item 8: only the kind is missing), else its name's `-YYYY0101` stamp. A backfill
// whose year matches neither would drag a job into the wrong campaign.
struct legacy_annual {
    static constexpr std::string_view name = "legacy_annual";

    [[nodiscard]] verdict check(const decision_context&, const subject& s,
                                const backfill_campaign& a) const {
        const auto year = backfill_year(s.row);
        if (year && *year == a.year) return verdict::allow();
        if (year)
            return verdict::deny(
                detail::reason(metadata_year_without_kind(s.row) ? "campaign_year" : "name",
                               " says campaign year ", *year, ", backfill says ", a.year));
        return verdict::deny(
            "no campaign_year, and neither name nor output dir carries a -YYYY0101 stamp");
    }
};

} // namespace v0
} // namespace warden
