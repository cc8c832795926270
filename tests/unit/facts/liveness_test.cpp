// Issue #16, item 2: one "alive" predicate for reconcile, the guard window and the orphan sweep.
#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

TEST_CASE("alive: runtime evidence, or progress younger than stall_after", "[facts][issue16]") {
    const warden::config c; // stall_after 60 min
    warden::job_facts none;
    const warden::job fresh = job_builder{1, job_status::running}.started(3h).progress(59min);
    const warden::job edge = job_builder{1, job_status::running}.started(3h).progress(60min);
    const warden::job started = job_builder{1, job_status::running}.started(1min);
    CHECK(warden::alive(c, fresh, none, now));
    CHECK_FALSE(warden::alive(c, edge, none, now));    // exactly stall_after: stalled, not alive
    CHECK_FALSE(warden::alive(c, started, none, now)); // a start is no progress
    warden::job unknown = fresh;
    unknown.progress_known = false;
    CHECK_FALSE(warden::alive(c, unknown, none, now));
    warden::job_facts lock;
    lock.lock_held = true;
    warden::job_facts process;
    process.process_count = 1;
    warden::job_facts listed;
    listed.in_running_set = true;
    for (const auto& f : {lock, process, listed}) {
        CHECK(warden::runtime_alive(f));
        CHECK(warden::alive(c, edge, f, now));
    }
    warden::config off;
    off.guards.progress_is_alive = false;
    CHECK_FALSE(warden::alive(off, fresh, none, now));
}

TEST_CASE("orphan sweep never touches a job whose progress is younger than stall_after",
          "[rules][orphan_sweep][issue16]") {
    // A live crawl the host missed: progress a minute ago, no lock, process or running set.
    auto s = world({job_builder{1, job_status::running}.started(2h).progress(1min),
                    job_builder{2, job_status::running}.started(2h).progress(59min)});
    const warden::plan p = warden::decide(s, {});
    CHECK(p.actions.empty());
    CHECK(p.blocked.empty());
}

TEST_CASE("orphan sweep: at exactly stall_after the job is stall-recovered, not swept",
          "[rules][orphan_sweep][issue16]") {
    auto s = world({job_builder{1, job_status::running}.started(2h).progress(60min)});
    const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].rule == warden::rule_id::stall_recovery);
}

TEST_CASE("orphan sweep still fails a job with no progress and no runtime evidence",
          "[rules][orphan_sweep][issue16]") {
    // Allow: started 20 min ago (past the grace), never reported progress, nothing runs it.
    auto s = world({job_builder{1, job_status::running}.started(20min)});
    const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].rule == warden::rule_id::orphan_sweep);
    CHECK(writes[0].failure == warden::failure_class::orphaned);
}

TEST_CASE("without the guard a live crawl is failed as an orphan (the bug)",
          "[rules][orphan_sweep][issue16]") {
    warden::config c;
    c.guards.progress_is_alive = false;
    auto s = world({job_builder{1, job_status::running}.started(2h).progress(1min)});
    const auto writes = actions_of<warden::set_status>(warden::decide(s, c));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].rule == warden::rule_id::orphan_sweep);
}

TEST_CASE("a job the sweep fails never counts as the guard window's healthy crawl",
          "[facts][grace][issue16]") {
    // Job 2 started 12 min ago with nothing running it; the sweep's grace is short, so it is
    // swept. It must not make job 1's recovery soft.
    warden::config c;
    c.start_grace = 5min;
    c.orphan_grace = 5min;
    auto s = world({job_builder{1, job_status::running}.started(3h).progress(2h),
                    job_builder{2, job_status::running}.started(7min)});
    s.running_set.push_back(warden::job_id{1}); // job 1's runner: the worker
    const warden::plan p = warden::decide(s, c);
    const auto writes = actions_of<warden::set_status>(p);
    REQUIRE(writes.size() == 2);
    CHECK(writes[0].rule == warden::rule_id::orphan_sweep);
    const auto stops = actions_of<warden::stop_job>(p);
    REQUIRE(stops.size() == 1);
    CHECK(stops[0].reason == "stalled: stop and restart its runner"); // guard not active
    const auto facts = warden::build_facts(s, c);
    CHECK_FALSE(facts.guard.active());
}

TEST_CASE("a live job still guards: lock held, or recent progress", "[facts][grace][issue16]") {
    const warden::config c;
    auto s = world({job_builder{1, job_status::running}.started(3h).progress(2h),
                    job_builder{2, job_status::running}.started(3h).progress(3min),
                    job_builder{3, job_status::running}.started(4min)});
    hold_lock(s, 3);
    const auto facts = warden::build_facts(s, c);
    CHECK(facts.guard.progressing == 2);
    CHECK(warden::to_int(facts.guard.freshest) == 2);
}

TEST_CASE("the guard counts a just-started job only if something runs it",
          "[facts][grace][issue16]") {
    warden::config c;
    auto s = world({job_builder{3, job_status::running}.started(4min)});
    CHECK_FALSE(warden::build_facts(s, c).guard.active());
    c.guards.progress_is_alive = false; // the old rule: a recent start guards
    CHECK(warden::build_facts(s, c).guard.active());
}

TEST_CASE("reconcile acts on the runtime half of alive only", "[rules][reconcile][issue16]") {
    // A waiting row with recent progress but no lock or process stays waiting: the progress may
    // be its previous attempt's last lines.
    auto s = world({job_builder{1, job_status::retryable}.started(2h).progress(1min)});
    CHECK(warden::decide(s, {}).actions.empty());
    hold_lock(s, 1);
    const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].status == job_status::running);
}

TEST_CASE("the issue's plan: the live crawl guards and is not swept", "[facts][grace][issue16]") {
    // Job 2 progressed a minute ago with no lock, process or running-set entry: alive. It is the
    // healthy crawl that makes job 1's recovery soft, and the sweep leaves it alone.
    auto s = world({job_builder{1, job_status::running}.started(3h).progress(2h),
                    job_builder{2, job_status::running}.started(2h).progress(1min)});
    const warden::plan p = warden::decide(s, {});
    CHECK_FALSE(touches(p, 2));
    const auto writes = actions_of<warden::set_status>(p);
    REQUIRE(writes.size() == 1);
    CHECK(warden::to_int(writes[0].job) == 1);
    CHECK(writes[0].reason == "no progress (soft recovery: nothing runs it)");
}
