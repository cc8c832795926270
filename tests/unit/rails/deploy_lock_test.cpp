#include <warden/outcome.hpp>

#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;
using warden::rule_id;

namespace {
warden::set_status status_by(rule_id r) {
    warden::set_status s;
    s.rule = r;
    return s;
}
} // namespace

TEST_CASE("deploy_lock: allows everything when no deploy runs", "[rails][deploy_lock]") {
    rail_bench b{job_builder{1, job_status::queued}};
    const warden::deploy_lock rail;
    CHECK(b.check(rail, start_of(b.snap.jobs[0])).allowed);
    CHECK(b.check(rail, warden::stop_job{}).allowed);
    CHECK(b.check(rail, status_by(rule_id::stall_recovery)).allowed);
}

TEST_CASE("deploy_lock: during a deploy, no start, stop, stall, orphan, repair or classification",
          "[rails][deploy_lock]") {
    rail_bench b{job_builder{1, job_status::queued}};
    b.snap.host.deploy_lock_present = true;
    const warden::deploy_lock rail;
    CHECK_FALSE(b.check(rail, start_of(b.snap.jobs[0])).allowed);
    CHECK_FALSE(b.check(rail, warden::stop_job{}).allowed);
    CHECK_FALSE(b.check(rail, status_by(rule_id::stall_recovery)).allowed);
    CHECK_FALSE(b.check(rail, status_by(rule_id::orphan_sweep)).allowed);
    // Repair trusts the absence of a lock or process, which a deploy fakes.
    CHECK_FALSE(b.check(rail, status_by(rule_id::consistency_repair)).allowed);
    // So does classification: a deploy hides the live attempt that would protect the job.
    CHECK_FALSE(b.check(rail, status_by(rule_id::failure_classification)).allowed);
    CHECK(b.check(rail, start_of(b.snap.jobs[0])).scope == warden::denial_scope::host);
}

TEST_CASE("deploy_lock: writes resting on positive evidence still go through",
          "[rails][deploy_lock]") {
    rail_bench b{job_builder{1, job_status::queued}};
    b.snap.host.deploy_lock_present = true;
    const warden::deploy_lock rail;
    CHECK(b.check(rail, status_by(rule_id::reconcile)).allowed);
    CHECK(b.check(rail, warden::backfill_campaign{}).allowed);
}

TEST_CASE("deploy_lock: holds a repair until the deploy ends",
          "[rails][deploy_lock][consistency_repair]") {
    auto s = world({job_builder{1, job_status::queued}.stage("persist").outputs()});
    s.host.deploy_lock_present = true;
    const auto held = warden::decide(s, {});
    CHECK(held.actions.empty());
    REQUIRE(held.blocked.size() == 1);
    CHECK(held.blocked[0].rail == "deploy_lock");
    s.host.deploy_lock_present = false;
    CHECK(actions_of<warden::set_status>(warden::decide(s, {})).size() == 1);
}

TEST_CASE("deploy_lock: an unprobeable lock counts as held until it is more than 2 h old",
          "[rails][deploy_lock]") {
    rail_bench b{job_builder{1, job_status::queued}};
    b.snap.host.deploy_lock_unprobeable = true;
    const warden::deploy_lock rail;
    const warden::config c;
    SECTION("1 s short of stale: held") {
        b.snap.host.deploy_lock_created_at = now - c.deploy_lock_stale_after + 1s;
        const auto v = b.check(rail, start_of(b.snap.jobs[0]));
        CHECK_FALSE(v.allowed);
        CHECK(v.reason == "deploy lock present and unprobeable, not yet stale");
    }
    SECTION("exactly stale_after old: still held (issue #16 item 6, production's age <= max)") {
        b.snap.host.deploy_lock_created_at = now - c.deploy_lock_stale_after;
        const auto v = b.check(rail, start_of(b.snap.jobs[0]));
        CHECK_FALSE(v.allowed);
        CHECK(v.reason == "deploy lock present and unprobeable, not yet stale");
        CHECK(warden::deploy_lock_in_effect(b.snap.host, now, c.deploy_lock_stale_after));
    }
    SECTION("1 s past stale_after: stale, ignored") {
        b.snap.host.deploy_lock_created_at = now - c.deploy_lock_stale_after - 1s;
        CHECK(b.check(rail, start_of(b.snap.jobs[0])).allowed);
        CHECK_FALSE(warden::deploy_lock_in_effect(b.snap.host, now, c.deploy_lock_stale_after));
    }
    SECTION("age unknown: held, the safe side") {
        CHECK_FALSE(b.check(rail, start_of(b.snap.jobs[0])).allowed);
    }
    SECTION("probeable and not held: the creation time does not matter") {
        b.snap.host.deploy_lock_unprobeable = false;
        b.snap.host.deploy_lock_created_at = now - 1min;
        CHECK(b.check(rail, start_of(b.snap.jobs[0])).allowed);
    }
}

TEST_CASE("deploy_lock: the plan and the outcome report a deploy in effect",
          "[rails][deploy_lock][outcome]") {
    auto s = world({job_builder{7, job_status::queued}.annual()});
    warden::config c;
    c.ensure_min_running_jobs = 1;
    s.host.deploy_lock_unprobeable = true;
    s.host.deploy_lock_created_at = now - 30min;
    auto p = warden::decide(s, c);
    CHECK(p.summary.deploy_lock);
    CHECK(started_ids(p).empty());
    CHECK(warden::outcome_of(p, s) == warden::tick_reason::deploy_lock);
    s.host.deploy_lock_created_at = now - 3h;
    p = warden::decide(s, c);
    CHECK_FALSE(p.summary.deploy_lock);
    CHECK(started_ids(p) == std::vector<std::int64_t>{7});
}

TEST_CASE("deploy_lock: a creation time after now is a clock going backwards",
          "[rails][deploy_lock][validate]") {
    auto s = world({job_builder{7, job_status::queued}.annual()});
    s.host.deploy_lock_created_at = now + 1s;
    const auto p = warden::decide(s, {});
    REQUIRE(p.rejected());
    CHECK(p.errors[0].field == "host.deploy_lock_created_at");
}

TEST_CASE("deploy_lock: a creation time far in the past is refused before any arithmetic",
          "[rails][deploy_lock][validate]") {
    // Found by decide_fuzz: the age was computed before validation and overflowed.
    auto s = world({job_builder{7, job_status::queued}.annual()});
    s.host.deploy_lock_unprobeable = true;
    s.host.deploy_lock_created_at = warden::timestamp{warden::duration::min() / 2};
    const auto p = warden::decide(s, {});
    REQUIRE(p.rejected());
    CHECK(p.errors[0].field == "host.deploy_lock_created_at");
    CHECK(p.errors[0].message == "before the year 0001");
    CHECK_FALSE(p.summary.deploy_lock);
}
