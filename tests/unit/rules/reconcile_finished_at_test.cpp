// Issue #16, item 1: a revived row keeps finished_at and is then stuck for good.
#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

namespace {

// A retryable row after a failed attempt: finished_at set, yet its crawl still runs (lock held).
warden::snapshot revived_world() {
    auto s =
        world({job_builder{7, job_status::retryable}.started(3h).progress(2min).finished(90min)});
    hold_lock(s, 7);
    return s;
}

} // namespace

TEST_CASE("reconcile to running says it clears finished_at", "[rules][reconcile][issue16]") {
    const auto writes = actions_of<warden::set_status>(warden::decide(revived_world(), {}));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].status == job_status::running);
    CHECK(writes[0].clears_finished_at);
}

TEST_CASE("reconcile without the guard keeps finished_at (the bug, for the simulator)",
          "[rules][reconcile][issue16]") {
    warden::config c;
    c.guards.reconcile_clears_finished_at = false;
    const auto writes = actions_of<warden::set_status>(warden::decide(revived_world(), c));
    REQUIRE(writes.size() == 1);
    CHECK_FALSE(writes[0].clears_finished_at);
}

TEST_CASE("no other rule clears finished_at", "[rules][issue16]") {
    // Boundary: a stall recovery and an orphan sweep keep finished_at as they find it.
    auto s = world({job_builder{1, job_status::running}.started(3h).progress(2h),
                    job_builder{2, job_status::running}.started(3h)});
    s.locks.push_back(warden::job_id{1});
    for (const auto& w : actions_of<warden::set_status>(warden::decide(s, {})))
        CHECK_FALSE(w.clears_finished_at);
}

TEST_CASE("apply_to_snapshot clears finished_at, and the revived crawl is recovered when it "
          "stalls",
          "[rules][reconcile][apply][issue16]") {
    warden::snapshot s = revived_world();
    const warden::config c;
    // Tick 1: reconciled to running, finished_at cleared.
    auto r = warden::apply_to_snapshot(s, warden::decide(s, c));
    REQUIRE(r.applied == 1);
    CHECK(s.jobs[0].status == job_status::running);
    CHECK_FALSE(s.jobs[0].finished_at.has_value());
    // Tick 2, two hours on, no progress since: the crawl stalled. Without the fix this tick
    // reports running_with_finished_at, writes nothing and counts 0 stalled.
    s.now = s.now + 2h;
    const warden::plan p = warden::decide(s, c);
    CHECK(p.anomalies.empty());
    CHECK(p.summary.stalled == 1);
    const auto writes = actions_of<warden::set_status>(p);
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].rule == warden::rule_id::stall_recovery);
    CHECK(writes[0].status == job_status::retryable);
    REQUIRE(actions_of<warden::stop_job>(p).size() == 1); // its lock holder is stopped
    r = warden::apply_to_snapshot(s, p);
    CHECK(r.conflicts == 0);
    CHECK(s.jobs[0].status == job_status::retryable);
}

TEST_CASE("with the guard off the revived row is stuck (the test fails without the fix)",
          "[rules][reconcile][apply][issue16]") {
    warden::snapshot s = revived_world();
    warden::config c;
    c.guards.reconcile_clears_finished_at = false;
    (void)warden::apply_to_snapshot(s, warden::decide(s, c));
    CHECK(s.jobs[0].finished_at.has_value());
    s.now = s.now + 2h;
    const warden::plan p = warden::decide(s, c);
    CHECK(p.actions.empty());
    CHECK(p.summary.stalled == 0);
    REQUIRE(p.anomalies.size() == 1);
    CHECK(p.anomalies[0].kind == warden::anomaly_kind::running_with_finished_at);
}

TEST_CASE("the plan shows the clearing in JSON and text", "[rules][reconcile][io][issue16]") {
    const warden::snapshot s = revived_world();
    const warden::plan p = warden::decide(s, {});
    const std::string text = warden::render_text(p, s);
    CHECK(text.find("retryable -> running, clearing finished_at (reconcile") != std::string::npos);
}
