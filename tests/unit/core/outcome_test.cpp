#include <warden/outcome.hpp>

#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;
using warden::tick_reason;
using warden::tick_result;

namespace {
tick_reason reason_of(const warden::snapshot& s, const warden::config& c = {}) {
    return warden::outcome_of(warden::decide(s, c), s);
}

// Job 5 stalled for 2 h; `lock` makes its runner the worker (full recovery), none makes it soft
// once job 9 (progressing) opens the guard window.
warden::snapshot stalled(bool lock, bool healthy_neighbour = false) {
    std::vector<warden::job> jobs{job_builder{5, job_status::running}.started(5h).progress(2h)};
    if (healthy_neighbour) jobs.push_back(healthy_running(9));
    auto s = world(std::move(jobs));
    if (lock) hold_lock(s, 5);
    if (healthy_neighbour) hold_lock(s, 9);
    return s;
}

warden::snapshot waiting_one(int target_running = 0) {
    std::vector<warden::job> jobs{job_builder{7, job_status::queued}.annual()};
    for (int k = 0; k < target_running; ++k)
        jobs.push_back(healthy_running(20 + k));
    auto s = world(std::move(jobs));
    for (int k = 0; k < target_running; ++k)
        hold_lock(s, 20 + k);
    return s;
}
} // namespace

TEST_CASE("outcome: every reason has one result", "[outcome]") {
    CHECK(warden::result_of(tick_reason::full_recovered) == tick_result::acted);
    CHECK(warden::result_of(tick_reason::dry_run_start) == tick_result::dry_run);
    CHECK(warden::result_of(tick_reason::runner_unknown) == tick_result::held);
    CHECK(warden::result_of(tick_reason::no_stalled_jobs) == tick_result::idle);
    CHECK(warden::result_of(tick_reason::invalid_input) == tick_result::rejected);
    for (int i = 0; i < warden::tick_reason_count; ++i)
        CHECK(warden::to_string(static_cast<tick_reason>(i)) != "unknown");
}

TEST_CASE("outcome: host-wide reasons come first", "[outcome]") {
    auto s = stalled(true);
    s.host.deploy_lock_present = true;
    CHECK(reason_of(s) == tick_reason::deploy_lock);
    s.host.disk_used_percent = -1;
    CHECK(reason_of(s) == tick_reason::invalid_input);
}

TEST_CASE("outcome: stall recovery, applied, dry run, capped, guarded, unknown", "[outcome]") {
    SECTION("full") {
        CHECK(reason_of(stalled(true)) == tick_reason::full_recovered);
    }
    SECTION("soft") {
        CHECK(reason_of(stalled(false, true)) == tick_reason::soft_recovered);
    }
    SECTION("dry runs") {
        auto full = stalled(true);
        full.host.sentinel_present = false;
        CHECK(reason_of(full) == tick_reason::dry_run_full_recover);
        auto soft = stalled(false, true);
        soft.host.sentinel_present = false;
        CHECK(reason_of(soft) == tick_reason::dry_run_soft_recover);
    }
    SECTION("capped") {
        auto full = stalled(true);
        auto soft = stalled(false, true);
        for (int k = 1; k <= 3; ++k) {
            full.recoveries.push_back({warden::job_id{5}, now - std::chrono::hours{k}});
            soft.recoveries.push_back({warden::job_id{5}, now - std::chrono::hours{k}});
        }
        CHECK(reason_of(full) == tick_reason::max_recoveries_full);
        CHECK(reason_of(soft) == tick_reason::max_recoveries_soft);
    }
    SECTION("guarded") {
        warden::config c;
        c.soft_recovery = false;
        CHECK(reason_of(stalled(false, true), c) == tick_reason::guard_window_healthy_job);
    }
    SECTION("unknown runner") {
        auto s = stalled(true);
        s.host.worker_alive = false;
        CHECK(reason_of(s) == tick_reason::runner_unknown);
    }
}

TEST_CASE("outcome: queue fill", "[outcome]") {
    warden::config c;
    c.ensure_min_running_jobs = 1;
    SECTION("started") {
        CHECK(reason_of(waiting_one(), c) == tick_reason::started_job);
    }
    SECTION("dry run") {
        auto s = waiting_one();
        s.host.sentinel_present = false;
        CHECK(reason_of(s, c) == tick_reason::dry_run_start);
    }
    SECTION("disk at the threshold") {
        auto s = waiting_one();
        s.host.disk_used_percent = c.disk_threshold_percent;
        CHECK(reason_of(s, c) == tick_reason::start_disk_high);
    }
    SECTION("daily start cap") {
        auto s = waiting_one();
        for (int k = 1; k <= 3; ++k)
            s.starts.push_back({warden::job_id{7}, now - std::chrono::hours{k}});
        CHECK(reason_of(s, c) == tick_reason::max_starts);
    }
    SECTION("a deficit and nothing to start") {
        auto s = waiting_one();
        s.jobs.clear();
        CHECK(reason_of(s, c) == tick_reason::no_start_candidates);
    }
    SECTION("target met: nothing to do") {
        CHECK(reason_of(waiting_one(1), c) == tick_reason::no_stalled_jobs);
    }
}

TEST_CASE("outcome: other writes, and no sentinel with nothing to do", "[outcome]") {
    auto s = world({job_builder{7, job_status::retryable}.started(30min).progress(1min)});
    hold_lock(s, 7); // reconciled to running
    CHECK(reason_of(s) == tick_reason::state_repaired);
    auto idle = world({healthy_running(3)});
    hold_lock(idle, 3);
    CHECK(reason_of(idle) == tick_reason::no_stalled_jobs);
    idle.host.sentinel_present = false;
    CHECK(reason_of(idle) == tick_reason::disabled);
}
