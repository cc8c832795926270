#pragma once
// Issue #21's test host, shared by the class, backoff and deadline tests: an annual class as
// warden's default and a monthly one recognised by name.
#include <warden/warden.hpp>

#include <utility>

namespace wt {

// `c` with two classes: `annual` (campaign kind annual) and `monthly` (name pattern
// "*-monthly-*"), in that order; the caller sets the monthly class's keys through
// monthly_class().
inline warden::config annual_and_monthly_classes(warden::config c) {
    warden::class_spec annual;
    annual.name = "annual";
    annual.campaign = warden::campaign_kind::annual;
    warden::class_spec monthly;
    monthly.name = "monthly";
    monthly.name_pattern = "*-monthly-*";
    c.classes = {std::move(annual), std::move(monthly)};
    return c;
}

inline warden::class_spec& monthly_class(warden::config& c) {
    return c.classes.at(1);
}

} // namespace wt
