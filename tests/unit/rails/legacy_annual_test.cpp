#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

TEST_CASE("legacy_annual rail: a backfill must match the name's year", "[rails][legacy_annual]") {
    const warden::legacy_annual rail;
    rail_bench b{job_builder{1, job_status::queued, "phac-20260101"}};
    const auto& j = b.snap.jobs[0];
    auto backfill = [&](std::int32_t year) {
        return warden::backfill_campaign{j.id,      j.status,
                                         j.version, warden::campaign_kind::annual,
                                         year,      warden::rule_id::queue_fill};
    };
    CHECK(b.check(rail, backfill(2026)).allowed);
    CHECK_FALSE(b.check(rail, backfill(2025)).allowed);
    rail_bench adhoc{job_builder{1, job_status::queued, "phac-20260102"}};
    CHECK_FALSE(adhoc.check(rail, backfill(2026)).allowed);
}

TEST_CASE("legacy_annual rail: a row's own campaign_year proves a backfill of the kind",
          "[rails][legacy_annual]") {
    // Issue #16 item 8: only the kind is missing; the backfill writes the row's own year.
    const warden::legacy_annual rail;
    warden::job row = job_builder{1, job_status::queued, "no-stamp"};
    row.campaign_year = 2026;
    rail_bench b{row};
    const auto& j = b.snap.jobs[0];
    auto backfill = [&](std::int32_t year) {
        return warden::backfill_campaign{j.id,      j.status,
                                         j.version, warden::campaign_kind::annual,
                                         year,      warden::rule_id::queue_fill};
    };
    CHECK(b.check(rail, backfill(2026)).allowed);
    const auto v = b.check(rail, backfill(2025));
    CHECK_FALSE(v.allowed);
    CHECK(v.reason == "campaign_year says campaign year 2026, backfill says 2025");
    rail_bench none{job_builder{1, job_status::queued, "no-stamp"}};
    const auto n = none.check(rail, backfill(2026));
    CHECK_FALSE(n.allowed);
    CHECK(n.reason ==
          "no campaign_year, and neither name nor output dir carries a -YYYY0101 stamp");
}
