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
