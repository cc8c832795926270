#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;
using warden::evidence_kind;

TEST_CASE("reconcile: a held lock brings a retryable job back to running", "[rules][reconcile]") {
    auto s = world({job_builder{7, job_status::retryable}.started(2h).progress(2min)});
    hold_lock(s, 7);
    const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].expected_status == job_status::retryable);
    CHECK(writes[0].status == job_status::running);
    CHECK(writes[0].evidence.kind == evidence_kind::lock);
    CHECK(writes[0].rule == warden::rule_id::reconcile);
}

TEST_CASE("reconcile: one live process is the fallback evidence", "[rules][reconcile]") {
    auto s = world({job_builder{7, job_status::queued}.started(2h).progress(2min)});
    add_process(s, 7, 4242);
    const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].status == job_status::running);
    CHECK(writes[0].evidence == warden::evidence{evidence_kind::process, 4242});
}

TEST_CASE("reconcile: a process alone is not enough without started_at", "[rules][reconcile]") {
    auto s = world({job_builder{1, job_status::queued}});
    add_process(s, 1, 101);
    CHECK(warden::decide(s, {}).actions.empty());
}

// Issue #18, finding 2: a waiting row's finished_at does not end the attempt its live processes
// show (an operator marked the running row retryable and stamped finished_at; its lock file is
// gone). Before the fix the process fallback skipped every row with finished_at.
TEST_CASE("reconcile: a process counts after finished_at too (issue #18 finding 2)",
          "[rules][reconcile][issue18]") {
    auto s = world({job_builder{2, job_status::retryable}.started(3h).progress(2min).finished(1h)});
    add_process(s, 2, 102);
    const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].rule == warden::rule_id::reconcile);
    CHECK(writes[0].status == job_status::running);
    CHECK(writes[0].evidence == warden::evidence{evidence_kind::process, 102});
    CHECK(writes[0].clears_finished_at); // issue #16 item 1: revived, it reads as running

    // Its crawl stalled: the stale attempt is stopped, so queue fill may restart the row.
    s.jobs[0].last_progress_at = now - 2h;
    const auto stops = actions_of<warden::stop_job>(warden::decide(s, {}));
    REQUIRE(stops.size() == 1);
    CHECK(stops[0].pids == std::vector<std::int64_t>{102});
    CHECK_FALSE(stops[0].restart);

    // The guard off (B25): neither, as before the fix.
    warden::config off;
    off.guards.finished_row_processes_are_live = false;
    CHECK(warden::decide(s, off).actions.empty());
    s.jobs[0].last_progress_at = now - 2min;
    CHECK(warden::decide(s, off).actions.empty());
}

TEST_CASE("reconcile: a held lock without started_at is reported, not reconciled",
          "[rules][reconcile]") {
    // Reconciled, the job would run with no start time: no stall or orphan verdict could ever
    // free its slot.
    auto s = world({job_builder{1, job_status::queued}, job_builder{2, job_status::retryable},
                    job_builder{3, job_status::queued}.started(0s)});
    hold_lock(s, 1);
    hold_lock(s, 2);
    hold_lock(s, 3);
    const auto p = warden::decide(s, {});
    REQUIRE(p.anomalies.size() == 2);
    CHECK(p.anomalies[0].kind == warden::anomaly_kind::lock_without_started_at);
    CHECK(warden::to_int(p.anomalies[1].job) == 2);
    // Started this very second: reconciled.
    const auto writes = actions_of<warden::set_status>(p);
    REQUIRE(writes.size() == 1);
    CHECK(warden::to_int(writes[0].job) == 3);
    CHECK(writes[0].status == job_status::running);
}

TEST_CASE("reconcile: two processes, or one process claimed by two jobs, are anomalies",
          "[rules][reconcile]") {
    auto s = world({job_builder{1, job_status::queued}.started(1h).progress(1min),
                    job_builder{2, job_status::queued}.started(1h).progress(1min),
                    job_builder{3, job_status::queued}.started(1h).progress(1min)});
    s.jobs[2].output_dir = s.jobs[1].output_dir;
    add_process(s, 1, 101);
    add_process(s, 1, 102);
    add_process(s, 2, 201);
    const auto p = warden::decide(s, {});
    CHECK(p.actions.empty());
    REQUIRE(p.anomalies.size() == 3);
    CHECK(p.anomalies[0].kind == warden::anomaly_kind::several_processes);
    CHECK(p.anomalies[1].kind == warden::anomaly_kind::process_claimed_by_many);
    CHECK(p.anomalies[2].kind == warden::anomaly_kind::process_claimed_by_many);
}

TEST_CASE("reconcile: a terminal job with live evidence is reported, not revived",
          "[rules][reconcile]") {
    auto s = world({job_builder{1, job_status::completed}.started(3h).finished(1h),
                    job_builder{2, job_status::failed}.started(3h).finished(1h)});
    hold_lock(s, 1);
    add_process(s, 2, 202);
    const auto p = warden::decide(s, {});
    CHECK(p.actions.empty());
    REQUIRE(p.anomalies.size() == 2);
    CHECK(p.anomalies[0].kind == warden::anomaly_kind::terminal_with_live_evidence);
}

TEST_CASE("reconcile: a stale attempt is stopped instead of flipped back to running",
          "[rules][reconcile][stall_recovery]") {
    // The boundary is stall_recovery's: at exactly stall_after the attempt is stale.
    const warden::config c;
    SECTION("one second fresher than stall_after: reconciled") {
        auto s =
            world({job_builder{7, job_status::retryable}.started(5h).progress(c.stall_after - 1s)});
        hold_lock(s, 7);
        CHECK(actions_of<warden::set_status>(warden::decide(s, c)).size() == 1);
    }
    SECTION("exactly stall_after: stopped, never running") {
        auto s = world({job_builder{7, job_status::retryable}.started(5h).progress(c.stall_after)});
        hold_lock(s, 7);
        add_process(s, 7, 777);
        const auto p = warden::decide(s, c);
        CHECK(actions_of<warden::set_status>(p).empty());
        const auto stops = actions_of<warden::stop_job>(p);
        REQUIRE(stops.size() == 1);
        CHECK(stops[0].pids == std::vector<std::int64_t>{777});
        CHECK(stops[0].rule == warden::rule_id::reconcile);
    }
}

TEST_CASE("reconcile and stall_recovery never flip-flop a job across ticks",
          "[rules][reconcile][stall_recovery]") {
    // A stalled crawl that keeps its lock: the host fails to stop it every tick. The job may be
    // recovered once, and must then never return to running without new progress.
    auto s = world({job_builder{7, job_status::running}.started(5h).progress(2h)});
    hold_lock(s, 7);
    int recoveries = 0, reconciles = 0;
    for (int tick = 0; tick < 6; ++tick) {
        const auto p = warden::decide(s, {});
        for (const auto& w : actions_of<warden::set_status>(p)) {
            recoveries += w.rule == warden::rule_id::stall_recovery;
            reconciles += w.rule == warden::rule_id::reconcile;
        }
        warden::plan writes_only = p;
        std::erase_if(writes_only.actions,
                      [](const warden::action& a) { return !warden::is_row_write(a); });
        warden::apply_to_snapshot(s, writes_only); // the stop is "lost": the lock stays held
        s.now += 5min;
    }
    CHECK(recoveries == 1);
    CHECK(reconciles == 0);
}

TEST_CASE("reconcile: blocked without the sentinel, skipped when switched off",
          "[rules][reconcile]") {
    auto s = world({job_builder{7, job_status::retryable}.started(2h).progress(2min)});
    hold_lock(s, 7);
    s.host.sentinel_present = false;
    const auto blocked = blocked_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(blocked.size() == 1);
    CHECK(blocked[0].second.rail == "sentinel_gate");

    s.host.sentinel_present = true;
    warden::config off;
    off.guards.reconcile = false;
    CHECK(warden::decide(s, off).actions.empty());
}

TEST_CASE("reconcile: a lock on a job never started counts as running for queue fill",
          "[rules][reconcile][queue_fill]") {
    warden::config c;
    c.ensure_min_running_jobs = 2;
    auto s = world({healthy_running(1), job_builder{2, job_status::queued},
                    job_builder{3, job_status::queued}.annual()});
    hold_lock(s, 1);
    hold_lock(s, 2); // its start write is in flight
    const auto p = warden::decide(s, c);
    CHECK(p.summary.running == 2);
    CHECK(started_ids(p).empty());
}
