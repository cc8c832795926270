#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

namespace {
// Job 5 stalled with nothing running it; job 9 progressed `healthy_age` ago.
warden::snapshot guarded(warden::duration healthy_age) {
    auto s = world({job_builder{5, job_status::running}.started(5h).progress(2h),
                    job_builder{9, job_status::running}.started(5h).progress(healthy_age)});
    hold_lock(s, 9);
    return s;
}

std::vector<warden::set_status> recovery_of(const warden::plan& p) {
    std::vector<warden::set_status> out;
    for (const auto& w : actions_of<warden::set_status>(p))
        if (warden::to_int(w.job) == 5) out.push_back(w);
    return out;
}
} // namespace

// These tests tell full from soft recovery by the stop a full recovery of runner none made
// before issue #16, item 10; with runner_none_status_only on, neither stops (runner_none_test).
warden::config with_none_stop() {
    warden::config c;
    c.guards.runner_none_status_only = false;
    return c;
}

TEST_CASE("guard_window: the boundary is strict at guard_window", "[rules][guard_window]") {
    const warden::config c = with_none_stop(); // guard_window 10 min, soft recovery on
    SECTION("another job progressed 1 s inside the window: soft recovery, nothing stopped") {
        const auto p = warden::decide(guarded(c.guard_window - 1s), c);
        const auto writes = recovery_of(p);
        REQUIRE(writes.size() == 1);
        CHECK(writes[0].status == job_status::retryable);
        CHECK(writes[0].reason == "no progress (soft recovery: nothing runs it)");
        CHECK(actions_of<warden::stop_job>(p).empty());
    }
    SECTION("exactly guard_window ago: the window is closed, full recovery") {
        const auto p = warden::decide(guarded(c.guard_window), c);
        REQUIRE(recovery_of(p).size() == 1);
        const auto stops = actions_of<warden::stop_job>(p);
        REQUIRE(stops.size() == 1);
        CHECK(stops[0].restart);
        CHECK(stops[0].reason == "stalled: stop and restart its runner");
    }
}

TEST_CASE("guard_window: soft recovery off leaves the job alone, with the reason",
          "[rules][guard_window]") {
    warden::config c;
    c.soft_recovery = false;
    const auto p = warden::decide(guarded(2min), c);
    CHECK(recovery_of(p).empty());
    REQUIRE(p.blocked.size() == 2); // what a soft recovery would have written: status, options
    CHECK(p.blocked[0].rail == "guard_window");
    CHECK(p.blocked[0].reason ==
          "guard_window_healthy_job: job 9 progressed 120 s ago (guard window 600 s) and soft "
          "recovery is off");
    CHECK(p.summary.stalled == 1);
    SECTION("once the window closes, the full recovery goes ahead") {
        CHECK(recovery_of(warden::decide(guarded(c.guard_window), c)).size() == 1);
    }
}

TEST_CASE("guard_window: a job something runs is recovered in full, with a note",
          "[rules][guard_window]") {
    auto s = guarded(1min);
    add_process(s, 5, 5151);
    const auto p = warden::decide(s, {});
    REQUIRE(recovery_of(p).size() == 1);
    const auto stops = actions_of<warden::stop_job>(p);
    REQUIRE(stops.size() == 1);
    CHECK(stops[0].runner == warden::runner_class::worker);
    CHECK(stops[0].reason == "stalled: stop and restart its runner (the guard window is active: "
                             "another job progressed within it)");
}

TEST_CASE("guard_window: a stalled job never guards another", "[rules][guard_window]") {
    // stall_after below the guard window: job 9 (age 6 min) is stalled too, so no healthy job.
    warden::config c = with_none_stop();
    c.stall_after = 5min;
    c.soft_recovery = false;
    c.recoveries_per_tick = 0;
    const auto p = warden::decide(guarded(6min), c);
    CHECK(p.blocked.empty());
    CHECK(actions_of<warden::stop_job>(p).size() == 2);
}

TEST_CASE("guard_window: no progress information guards nothing", "[rules][guard_window]") {
    auto s = guarded(1min);
    s.jobs[1].progress_known = false;
    const auto p = warden::decide(s, with_none_stop());
    CHECK(actions_of<warden::stop_job>(p).size() == 1); // full recovery of 5
    SECTION("and a job without it is neither stalled") {
        s.jobs[0].progress_known = false;
        CHECK(warden::decide(s, {}).summary.stalled == 0);
    }
}

TEST_CASE("guard_window: the recovery cap names soft and full recoveries apart",
          "[rules][guard_window][daily_recovery_cap]") {
    auto s = guarded(1min);
    for (int k = 1; k <= 3; ++k)
        s.recoveries.push_back({warden::job_id{5}, now - std::chrono::hours{k}});
    const auto soft = warden::decide(s, {});
    REQUIRE_FALSE(soft.blocked.empty());
    CHECK(soft.blocked[0].reason == "max_recoveries_soft: 3 recoveries in the last 24 h (cap 3)");
    s.jobs[1].last_progress_at = now - 20min;
    const auto full = warden::decide(s, {});
    REQUIRE_FALSE(full.blocked.empty());
    CHECK(full.blocked[0].reason == "max_recoveries_full: 3 recoveries in the last 24 h (cap 3)");
}

TEST_CASE("facts/recovery_choice: the cap is reached at daily_recovery_cap",
          "[facts][recovery_choice]") {
    const warden::config c; // cap 3
    warden::job_facts f;
    f.recoveries_last_24h = c.daily_recovery_cap - 1;
    CHECK_FALSE(warden::recovery_capped(c, f));
    f.recoveries_last_24h = c.daily_recovery_cap;
    CHECK(warden::recovery_capped(c, f));
    f.recoveries_last_24h = c.daily_recovery_cap + 1;
    CHECK(warden::recovery_capped(c, f));
}

TEST_CASE("facts/recovery_choice: choose_recovery by runner and guard",
          "[facts][recovery_choice]") {
    auto s = guarded(1min); // job 9 guards
    warden::config c;
    const auto choice = [&](const warden::snapshot& snap) {
        const warden::tick_facts t = warden::build_facts(snap, c);
        return warden::choose_recovery(t.context(snap, c), t.context(snap, c).subject_at(0));
    };
    SECTION("nothing runs it, guard active, soft recovery on: soft") {
        const auto r = choice(s);
        CHECK(r.mode == warden::recovery_mode::soft);
        CHECK(r.guard_active);
        CHECK(r.runner.runner == warden::runner_class::none);
    }
    SECTION("soft recovery off: guarded") {
        c.soft_recovery = false;
        CHECK(choice(s).mode == warden::recovery_mode::guarded);
    }
    SECTION("no guard: full") {
        s.jobs[1].last_progress_at = now - c.guard_window;
        const auto r = choice(s);
        CHECK(r.mode == warden::recovery_mode::full);
        CHECK_FALSE(r.guard_active);
    }
    SECTION("the worker runs it: full, even with the guard active") {
        add_process(s, 5, 5151);
        const auto r = choice(s);
        CHECK(r.mode == warden::recovery_mode::full);
        CHECK(r.guard_active);
        CHECK(r.runner.runner == warden::runner_class::worker);
    }
    SECTION("a process nobody owns: operator_needed") {
        add_process(s, 5, 5151, warden::process_origin::other);
        CHECK(choice(s).mode == warden::recovery_mode::operator_needed);
    }
    CHECK(warden::to_string(warden::recovery_mode::operator_needed) == "operator_needed");
}
