#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

TEST_CASE("daily_start_cap: below the cap allows, at the cap denies", "[rails][daily_start_cap]") {
    rail_bench b{job_builder{1, job_status::queued}};
    const warden::daily_start_cap rail;
    const auto start = start_of(b.snap.jobs[0]);
    b.facts[0].starts_last_24h = 2;
    CHECK(b.check(rail, start).allowed);
    b.facts[0].starts_last_24h = 3;
    const auto v = b.check(rail, start);
    CHECK_FALSE(v.allowed);
    CHECK(v.scope == warden::denial_scope::job);
    b.cfg.daily_start_cap = 4;
    CHECK(b.check(rail, start).allowed);
}

TEST_CASE("daily_start_cap: the window is the last 24 h, start exclusive, from persisted history",
          "[rails][daily_start_cap]") {
    warden::config c;
    c.ensure_min_running_jobs = 1;
    auto s = world({job_builder{1, job_status::queued}.annual()});
    s.starts = {{warden::job_id{1}, now - 1h}, {warden::job_id{1}, now - 2h}};
    SECTION("a start exactly 24 h ago has left the window") {
        s.starts.push_back({warden::job_id{1}, now - 24h});
        CHECK(started_ids(warden::decide(s, c)) == std::vector<std::int64_t>{1});
    }
    SECTION("one second inside the window still counts") {
        s.starts.push_back({warden::job_id{1}, now - 24h + 1s});
        const auto p = warden::decide(s, c);
        CHECK(started_ids(p).empty());
        CHECK(p.summary.starts_last_24h == 3);
    }
}

TEST_CASE("daily_start_cap: a cap of zero forbids every start", "[rails][daily_start_cap]") {
    warden::config c;
    c.ensure_min_running_jobs = 1;
    c.daily_start_cap = 0;
    auto s = world({job_builder{1, job_status::queued}.annual()});
    CHECK(started_ids(warden::decide(s, c)).empty());
}
