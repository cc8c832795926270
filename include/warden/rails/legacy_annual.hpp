#pragma once
#include <warden/core/actions.hpp>
#include <warden/facts/campaign.hpp>
#include <warden/facts/context.hpp>
#include <warden/rails/verdict.hpp>

#include <fmt/format.h>

#include <string_view>

namespace warden {
inline namespace v0 {

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
