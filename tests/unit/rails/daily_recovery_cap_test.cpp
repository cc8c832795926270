#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

namespace {

warden::set_status stall_verdict(const warden::job& j) {
    return warden::set_status{j.id,          j.status,
                              j.version,     job_status::retryable,
                              std::nullopt,  warden::rule_id::stall_recovery,
                              "no progress", {}};
}

void recovered_at(warden::snapshot& s, std::int64_t id, duration ago) {
    s.recoveries.push_back({warden::job_id{id}, now - ago});
}

} // namespace

TEST_CASE("daily_recovery_cap: allows below the cap, denies at it", "[rails][daily_recovery_cap]") {
    rail_bench b{job_builder{1, job_status::running}};
    const warden::daily_recovery_cap rail;
    b.facts[0].recoveries_last_24h = 2;
    CHECK(b.check(rail, stall_verdict(b.snap.jobs[0])).allowed);
    b.facts[0].recoveries_last_24h = 3;
    const auto v = b.check(rail, stall_verdict(b.snap.jobs[0]));
    CHECK_FALSE(v.allowed);
    CHECK(v.scope == warden::denial_scope::job);
    CHECK(v.reason == "max_recoveries_full: 3 recoveries in the last 24 h (cap 3)");
    // Other verdicts and actions are not its business.
    auto orphan = stall_verdict(b.snap.jobs[0]);
    orphan.rule = warden::rule_id::orphan_sweep;
    CHECK(b.check(rail, orphan).allowed);
    CHECK(b.check(rail, start_of(b.snap.jobs[0])).allowed);
}

TEST_CASE("daily_recovery_cap: the window is the last 24 h, from persisted history",
          "[rails][daily_recovery_cap]") {
    auto s = world({job_builder{5, job_status::running}.started(5h).progress(2h)});
    hold_lock(s, 5);
    recovered_at(s, 5, 1h);
    recovered_at(s, 5, 10h);
    SECTION("exactly 24 h ago no longer counts: recovered") {
        recovered_at(s, 5, 24h);
        CHECK(actions_of<warden::set_status>(warden::decide(s, {})).size() == 1);
    }
    SECTION("24 h minus one second ago still counts: capped") {
        recovered_at(s, 5, 24h - 1s);
        const auto p = warden::decide(s, {});
        CHECK(p.actions.empty());
        REQUIRE(p.blocked.size() == 3); // status, recovery options and stop, whole
        CHECK(p.blocked[0].rail == "daily_recovery_cap");
        CHECK(p.summary.stalled == 1);
    }
}

TEST_CASE("daily_recovery_cap: a capped stall does not hold queue fill back",
          "[rails][daily_recovery_cap][queue_fill]") {
    warden::config c;
    c.ensure_min_running_jobs = 2;
    auto s = world({job_builder{5, job_status::running}.started(5h).progress(2h),
                    job_builder{6, job_status::queued}.annual()});
    hold_lock(s, 5);
    SECTION("recoverable: queue fill waits for the recovery") {
        CHECK(started_ids(warden::decide(s, c)).empty());
    }
    SECTION("capped for the day: the campaign is filled around it") {
        for (const auto ago : {1h, 2h, 3h})
            recovered_at(s, 5, ago);
        const auto p = warden::decide(s, c);
        CHECK(p.summary.stalled == 1);
        CHECK(p.summary.running == 2);
        CHECK(started_ids(p) == std::vector<std::int64_t>{6});
    }
}

TEST_CASE("daily_recovery_cap: history after now is a clock going backwards",
          "[rails][daily_recovery_cap][validate]") {
    auto s = world({job_builder{5, job_status::running}.started(5h).progress(2h)});
    s.recoveries.push_back({warden::job_id{5}, now + 1s});
    s.recoveries.push_back({warden::job_id{77}, now - 1h});
    const auto p = warden::decide(s, {});
    REQUIRE(p.errors.size() == 2);
    CHECK(p.errors[0].field == "recoveries[0].at");
    CHECK(p.errors[1].field == "recoveries[1].job_id"); // dangling: reported, tick goes on
    CHECK(p.actions.empty());                           // job 5 is invalid: nothing written for it
}
