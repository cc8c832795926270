#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

TEST_CASE("annual_minimums: an annual start at the minimums is allowed",
          "[rails][annual_minimums]") {
    rail_bench b{job_builder{1, job_status::queued}.annual()};
    CHECK(
        b.check(warden::annual_minimums{}, start_of(b.snap.jobs[0], {20, 50, 50, 2, std::nullopt}))
            .allowed);
}

TEST_CASE("annual_minimums: one below any minimum, or a page cap, is denied",
          "[rails][annual_minimums]") {
    rail_bench b{job_builder{1, job_status::queued}.annual()};
    const warden::annual_minimums rail;
    const auto& j = b.snap.jobs[0];
    CHECK_FALSE(b.check(rail, start_of(j, {19, 50, 50, 2, std::nullopt})).allowed);
    CHECK_FALSE(b.check(rail, start_of(j, {20, 49, 50, 2, std::nullopt})).allowed);
    CHECK_FALSE(b.check(rail, start_of(j, {20, 50, 49, 2, std::nullopt})).allowed);
    CHECK_FALSE(b.check(rail, start_of(j, {20, 50, 50, 1, std::nullopt})).allowed);
    const auto capped = b.check(rail, start_of(j, {20, 50, 50, 2, 1000}));
    CHECK_FALSE(capped.allowed);
    CHECK(capped.reason == "annual crawl with page cap 1000");
    CHECK_FALSE(
        b.check(
             rail,
             warden::set_tool_options{
                 j.id, j.status, j.version, {}, {5, 5, 5, 5, {}}, warden::rule_id::stall_recovery})
            .allowed);
}

TEST_CASE("annual_minimums: legacy-named jobs count as annual, others are free",
          "[rails][annual_minimums][legacy_annual]") {
    const warden::annual_minimums rail;
    rail_bench legacy{job_builder{1, job_status::queued, "phac-20260101"}};
    CHECK_FALSE(legacy.check(rail, start_of(legacy.snap.jobs[0], {})).allowed);
    rail_bench adhoc{job_builder{1, job_status::queued, "phac-adhoc"}};
    CHECK(adhoc.check(rail, start_of(adhoc.snap.jobs[0], {})).allowed);
}

TEST_CASE("annual_minimums: the backstop catches a start whose options were not raised (B4)",
          "[rails][annual_minimums][queue_fill]") {
    warden::config c;
    c.ensure_min_running_jobs = 1;
    c.guards.raise_annual_minimums = false;
    auto s =
        world({job_builder{1, job_status::queued}.annual().options({5, 5, 5, 1, std::nullopt})});
    const auto p = warden::decide(s, c);
    CHECK(p.actions.empty());
    REQUIRE(p.blocked.size() == 1);
    CHECK(p.blocked[0].rail == "annual_minimums");
}
