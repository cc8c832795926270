#include <warden/apply.hpp>

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
    // A tool-options write is judged on what it changes: lowering a minimum field below the
    // minimums, or adding a page cap, is denied ...
    const warden::tool_options low{5, 5, 5, 1, std::nullopt};
    CHECK_FALSE(b.check(rail, warden::set_tool_options{j.id,
                                                       j.status,
                                                       j.version,
                                                       {10, 10, 10, 3, std::nullopt},
                                                       low,
                                                       warden::rule_id::stall_recovery})
                    .allowed);
    CHECK_FALSE(b.check(rail, warden::set_tool_options{j.id,
                                                       j.status,
                                                       j.version,
                                                       low,
                                                       {5, 5, 5, 1, 100},
                                                       warden::rule_id::stall_recovery})
                    .allowed);
    // ... but one that lowers nothing (monitoring turned on, B4's raise switched off) makes
    // nothing worse and passes; the start that follows is judged in full.
    warden::tool_options monitored = low;
    monitored.monitoring = true;
    CHECK(b.check(rail, warden::set_tool_options{j.id, j.status, j.version, low, monitored,
                                                 warden::rule_id::stall_recovery})
              .allowed);
}

TEST_CASE("annual_minimums: with B4's raise off, a stalled annual job is still recovered",
          "[rails][annual_minimums][stall_recovery]") {
    // Review finding: recovery now always turns monitoring on; judged in full, that write was
    // denied, which refused the whole recovery and held queue fill back for the host.
    warden::config c;
    c.ensure_min_running_jobs = 2;
    c.guards.raise_annual_minimums = false;
    auto s =
        world({job_builder{1, job_status::running}.annual().started(3h).progress(90min).options(
                   {5, 10, 10, 1, std::nullopt}),
               job_builder{2, job_status::queued}.annual().queued(24h).options(
                   {20, 50, 50, 2, std::nullopt})});
    hold_lock(s, 1);
    const auto p = warden::decide(s, c);
    CHECK(p.blocked.empty());
    const auto writes = actions_of<warden::set_status>(p);
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].status == job_status::retryable);
    const auto options = actions_of<warden::set_tool_options>(p);
    REQUIRE(options.size() == 1);
    CHECK(options[0].after.monitoring == true);
    CHECK(options[0].after.error_threshold_timeout == 10); // not raised: the guard is off
    // A recovery holds queue fill for its own tick only; the next tick fills again (the
    // refused recovery held it back on every tick). Job 1's restart is then judged in full.
    warden::snapshot next = s;
    (void)warden::apply_to_snapshot(next, p);
    REQUIRE(next.jobs[0].status == job_status::retryable);
    next.locks.clear();
    const auto after = warden::decide(next, c);
    CHECK(started_ids(after) == std::vector<std::int64_t>{2});
    REQUIRE(after.blocked.size() == 1);
    CHECK(after.blocked[0].rail == "annual_minimums");
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

TEST_CASE("annual_minimums: a source with a profile is judged against the profile",
          "[rails][annual_minimums][source_profiles]") {
    warden::job cihr = job_builder{1, job_status::queued}.annual();
    cihr.source = "cihr";
    warden::job hc = job_builder{2, job_status::queued}.annual();
    hc.source = "hc";
    rail_bench b{cihr};
    rail_bench shared{hc};
    b.cfg.source_profiles["cihr"] = warden::source_profile{45, 35, 35, 1, 20};
    shared.cfg.source_profiles = b.cfg.source_profiles;
    const warden::annual_minimums rail;
    const auto& j = b.snap.jobs[0];
    // At the profile's values: allowed for cihr, denied for hc (shared minimums).
    CHECK(b.check(rail, start_of(j, {20, 35, 35, 1, std::nullopt})).allowed);
    CHECK_FALSE(
        shared.check(rail, start_of(shared.snap.jobs[0], {20, 35, 35, 1, std::nullopt})).allowed);
    // One below any profile value: denied, and the reason names the profile's minimum.
    const auto low = b.check(rail, start_of(j, {20, 34, 35, 1, std::nullopt}));
    CHECK_FALSE(low.allowed);
    CHECK(low.reason == "annual options below minimums: restarts 20/20, timeout 34/35, http "
                        "35/35, backoff 1/1");
    CHECK_FALSE(b.check(rail, start_of(j, {20, 35, 34, 1, std::nullopt})).allowed);
    CHECK_FALSE(b.check(rail, start_of(j, {20, 35, 35, 0, std::nullopt})).allowed);
    CHECK_FALSE(b.check(rail, start_of(j, {19, 35, 35, 1, std::nullopt})).allowed);
}
