#include <warden/outcome.hpp>

#include <catch2/catch.hpp>

#include "../../support/builders.hpp"
#include "../../support/classes.hpp"

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
    CHECK(b.check(rail, status_by(rule_id::deadline)).allowed);
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
    CHECK_FALSE(b.check(rail, status_by(rule_id::retry_budget)).allowed);
    // Review 7 finding 5: a deadline's failure of a job with no lock or process is written
    // without a stop, and a deploy fakes exactly that absence.
    CHECK_FALSE(b.check(rail, status_by(rule_id::deadline)).allowed);
    CHECK(b.check(rail, start_of(b.snap.jobs[0])).scope == warden::denial_scope::host);
}

TEST_CASE("deploy_lock: holds a deadline's failure of a job with no lock or process",
          "[rails][deploy_lock][deadline]") {
    // Review 7 finding 5 (f1_deadline_deploy.json): a monthly job past max_runtime whose
    // process vanished with the old worker was failed during the deploy.
    warden::config c = annual_and_monthly_classes(warden::config{});
    monthly_class(c).max_runtime_minutes = 120;
    auto s =
        world({job_builder{1, job_status::running, "hc-monthly-1"}.started(121min).progress(1min)});
    s.host.deploy_lock_present = true;
    const auto held = warden::decide(s, c);
    CHECK(held.actions.empty());
    REQUIRE(held.blocked.size() == 1);
    CHECK(held.blocked[0].rail == "deploy_lock");
    CHECK(warden::outcome_of(held, s) == warden::tick_reason::deploy_lock);
    SECTION("a deploy lock one second past stale no longer holds it") {
        s.host.deploy_lock_present = false;
        s.host.deploy_lock_unprobeable = true;
        s.host.deploy_lock_created_at = now - c.deploy_lock_stale_after - 1s;
        const auto st = actions_of<warden::set_status>(warden::decide(s, c));
        REQUIRE(st.size() == 1);
        CHECK(st[0].rule == rule_id::deadline);
        CHECK(st[0].status == job_status::failed);
    }
    SECTION("exactly stale_after old: still held") {
        s.host.deploy_lock_present = false;
        s.host.deploy_lock_unprobeable = true;
        s.host.deploy_lock_created_at = now - c.deploy_lock_stale_after;
        CHECK(warden::decide(s, c).actions.empty());
    }
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
