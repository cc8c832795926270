#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

TEST_CASE("stall_recovery: the boundary is inclusive at stall_after", "[rules][stall_recovery]") {
    const warden::config c;
    SECTION("one second short: not stalled") {
        auto s =
            world({job_builder{5, job_status::running}.started(5h).progress(c.stall_after - 1s)});
        hold_lock(s, 5);
        const auto p = warden::decide(s, c);
        CHECK(p.actions.empty());
        CHECK(p.summary.stalled == 0);
    }
    SECTION("exactly stall_after: recovered") {
        auto s = world({job_builder{5, job_status::running}.started(5h).progress(c.stall_after)});
        hold_lock(s, 5);
        add_process(s, 5, 5151);
        const auto p = warden::decide(s, c);
        CHECK(p.summary.stalled == 1);
        const auto writes = actions_of<warden::set_status>(p);
        REQUIRE(writes.size() == 1);
        CHECK(writes[0].expected_status == job_status::running);
        CHECK(writes[0].status == job_status::retryable);
        CHECK(writes[0].evidence ==
              warden::evidence{warden::evidence_kind::progress_age, c.stall_after.count()});
        const auto stops = actions_of<warden::stop_job>(p);
        REQUIRE(stops.size() == 1);
        CHECK(stops[0].pids == std::vector<std::int64_t>{5151});
    }
}

TEST_CASE("stall_recovery: progress age counts from the current attempt's start",
          "[rules][stall_recovery]") {
    // Restarted ten minutes ago; the last progress report is the previous attempt's.
    auto s = world({job_builder{5, job_status::running}.started(10min).progress(3h)});
    hold_lock(s, 5);
    CHECK(warden::decide(s, {}).summary.stalled == 0);
}

TEST_CASE("stall_recovery: no progress information means no verdict", "[rules][stall_recovery]") {
    auto s = world({job_builder{5, job_status::running}});
    hold_lock(s, 5);
    const auto p = warden::decide(s, {});
    CHECK(p.summary.stalled == 0);
    CHECK(actions_of<warden::set_status>(p).empty());
}

TEST_CASE("stall_recovery: an annual job's options are raised, chained after the status write",
          "[rules][stall_recovery][annual_minimums]") {
    auto s = world({job_builder{5, job_status::running}
                        .annual()
                        .options({5, 10, 10, 1, 1000})
                        .version(4)
                        .started(5h)
                        .progress(2h)});
    hold_lock(s, 5);
    const auto p = warden::decide(s, {});
    const auto raised = actions_of<warden::set_tool_options>(p);
    REQUIRE(raised.size() == 1);
    CHECK(raised[0].expected_status == job_status::retryable);
    CHECK(raised[0].expected_version == 5);
    // The annual minimums (B4) and issue #8's recovery options (docs/rules/recovery_options.md).
    // Issue #17 item 3: an annual job also gets production's shm size and skip_final_build.
    CHECK(raised[0].after ==
          warden::tool_options{20, 50, 50, 2, std::nullopt, true, true, 60, "1g", true});
    CHECK(raised[0].before == warden::tool_options{5, 10, 10, 1, 1000});
}

TEST_CASE("stall_recovery: compliant options are not rewritten, a non-annual job keeps its "
          "thresholds",
          "[rules][stall_recovery][recovery_options]") {
    auto s = world({job_builder{5, job_status::running}
                        .annual()
                        .options({20, 50, 50, 2, std::nullopt, true, true, 60, "1g", true})
                        .started(5h)
                        .progress(2h),
                    job_builder{6, job_status::running}
                        .options({1, 1, 1, 1, std::nullopt})
                        .started(5h)
                        .progress(2h)});
    hold_lock(s, 5);
    hold_lock(s, 6);
    warden::config both_at_once;
    both_at_once.recoveries_per_tick = 0;
    const auto p = warden::decide(s, both_at_once);
    CHECK(actions_of<warden::set_status>(p).size() == 2);
    const auto rewritten = actions_of<warden::set_tool_options>(p);
    REQUIRE(rewritten.size() == 1);
    CHECK(rewritten[0].job == warden::job_id{6});
    CHECK(rewritten[0].after ==
          warden::tool_options{6, 1, 1, 1, std::nullopt, true, true, std::nullopt});
}

TEST_CASE("stall_recovery: inside the start grace the verdict is blocked whole",
          "[rules][stall_recovery][grace_window]") {
    warden::config c;
    c.stall_after = 5min;
    c.start_grace = 15min;
    // These cases count the stop a runner-none recovery made before issue #16, item 10, and one
    // recovery per job (issue #17's same-source sweep off): the switches keep them about that.
    c.guards.runner_none_status_only = false;
    c.same_source_recoveries_limit = 0;
    SECTION("exactly at start_grace: still protected") {
        auto s =
            world({job_builder{5, job_status::running}.annual().options({}).started(15min).progress(
                15min)});
        const auto p = warden::decide(s, c);
        CHECK(p.actions.empty());
        REQUIRE(p.blocked.size() == 3); // status, options, stop: all or nothing
        for (const auto& b : p.blocked)
            CHECK(b.rail == "grace_window");
    }
    SECTION("one second later: recovered") {
        auto s =
            world({job_builder{5, job_status::running}.started(15min + 1s).progress(15min + 1s)});
        CHECK(actions_of<warden::set_status>(warden::decide(s, c)).size() == 1);
    }
}

TEST_CASE("stall_recovery: no verdict during a deploy", "[rules][stall_recovery][deploy_lock]") {
    auto s = world({job_builder{5, job_status::running}.started(5h).progress(2h)});
    s.host.deploy_lock_present = true;
    const auto p = warden::decide(s, {});
    CHECK(p.actions.empty());
    REQUIRE_FALSE(p.blocked.empty());
    CHECK(p.blocked[0].rail == "deploy_lock");
    CHECK(p.summary.stalled == 1);
}

TEST_CASE("stall_recovery: a stalled crawl with a child process is recovered, both stopped",
          "[rules][stall_recovery]") {
    auto s = world({job_builder{5, job_status::running}.started(5h).progress(2h)});
    add_process(s, 5, 501);
    add_process(s, 5, 502);
    const auto p = warden::decide(s, {});
    REQUIRE(p.anomalies.size() == 1);
    CHECK(p.anomalies[0].kind == warden::anomaly_kind::several_processes);
    REQUIRE(actions_of<warden::set_status>(p).size() == 1);
    const auto stops = actions_of<warden::stop_job>(p);
    REQUIRE(stops.size() == 1);
    CHECK(stops[0].pids == std::vector<std::int64_t>{501, 502});
}

TEST_CASE("stall_recovery: a stall inside the start grace does not hold queue fill back",
          "[rules][stall_recovery][grace_window][queue_fill]") {
    warden::config c;
    c.stall_after = 5min;
    c.start_grace = 15min;
    // These cases count the stop a runner-none recovery made before issue #16, item 10, and one
    // recovery per job (issue #17's same-source sweep off): the switches keep them about that.
    c.guards.runner_none_status_only = false;
    c.same_source_recoveries_limit = 0;
    c.ensure_min_running_jobs = 2;
    SECTION("exactly at start_grace: not stalled yet, the campaign is filled") {
        auto s = world({job_builder{5, job_status::running}.started(15min).progress(15min),
                        job_builder{6, job_status::queued}.annual()});
        hold_lock(s, 5);
        const auto p = warden::decide(s, c);
        CHECK(p.summary.stalled == 0);
        CHECK(started_ids(p) == std::vector<std::int64_t>{6});
    }
    SECTION("one second later: stalled, recovered, and queue fill waits") {
        auto s =
            world({job_builder{5, job_status::running}.started(15min + 1s).progress(15min + 1s),
                   job_builder{6, job_status::queued}.annual()});
        hold_lock(s, 5);
        const auto p = warden::decide(s, c);
        CHECK(p.summary.stalled == 1);
        CHECK(started_ids(p).empty());
    }
}

namespace {
// A host rail consulted before ours that holds every stall verdict.
struct holds_stalls {
    static constexpr std::string_view name = "holds_stalls";
    [[nodiscard]] warden::verdict check(const warden::decision_context&, const warden::subject&,
                                        const warden::set_status& a) const {
        if (a.rule == warden::rule_id::stall_recovery) return warden::verdict::deny("held");
        return warden::verdict::allow();
    }
};
} // namespace

TEST_CASE("stall_recovery: inside the start grace is judged from the job, not the refusing rail",
          "[rules][stall_recovery][grace_window]") {
    warden::config c;
    c.stall_after = 5min;
    c.start_grace = 15min;
    // These cases count the stop a runner-none recovery made before issue #16, item 10, and one
    // recovery per job (issue #17's same-source sweep off): the switches keep them about that.
    c.guards.runner_none_status_only = false;
    c.same_source_recoveries_limit = 0;
    const auto rails = warden::compose(warden::make_rails(holds_stalls{}), warden::default_rails());
    SECTION("inside the grace: not stalled") {
        auto s = world({job_builder{5, job_status::running}.started(15min).progress(15min)});
        const auto p = warden::decide(s, c, rails);
        REQUIRE(p.blocked.size() == 3); // status, recovery options and stop, whole
        CHECK(p.blocked[0].rail == "holds_stalls");
        CHECK(p.summary.stalled == 0);
    }
    SECTION("past it: stalled, though held") {
        auto s = world({job_builder{5, job_status::running}.started(15min + 1s).progress(16min)});
        CHECK(warden::decide(s, c, rails).summary.stalled == 1);
    }
}

TEST_CASE("stall_recovery: one recovery per tick, lowest id first, the others wait",
          "[rules][stall_recovery][recoveries_per_tick]") {
    // Snapshot order is not id order: the limit must pick by id.
    auto s = world({job_builder{9, job_status::running}.started(5h).progress(2h),
                    job_builder{4, job_status::running}.started(5h).progress(2h),
                    job_builder{6, job_status::running}.started(5h).progress(2h)});
    warden::config c;
    // These cases count the stop a runner-none recovery made before issue #16, item 10, and one
    // recovery per job (issue #17's same-source sweep off): the switches keep them about that.
    c.guards.runner_none_status_only = false;
    c.same_source_recoveries_limit = 0;
    SECTION("default: 1") {
        const auto p = warden::decide(s, c);
        const auto writes = actions_of<warden::set_status>(p);
        REQUIRE(writes.size() == 1);
        CHECK(warden::to_int(writes[0].job) == 4);
        REQUIRE(p.blocked.size() == 6); // jobs 6 and 9: status, recovery options and stop each
        CHECK(warden::to_int(warden::action_job(p.blocked[0].proposed)) == 6);
        CHECK(warden::to_int(warden::action_job(p.blocked[3].proposed)) == 9);
        for (const auto& b : p.blocked) {
            CHECK(b.rail == "recoveries_per_tick");
            CHECK(b.reason == "waiting: at most 1 stall recovery per tick, lowest id first");
        }
        CHECK(p.summary.stalled == 3);
        CHECK(p.summary.running == 2);
    }
    SECTION("2: the two lowest ids") {
        c.recoveries_per_tick = 2;
        const auto writes = actions_of<warden::set_status>(warden::decide(s, c));
        REQUIRE(writes.size() == 2);
        CHECK(warden::to_int(writes[0].job) == 4);
        CHECK(warden::to_int(writes[1].job) == 6);
    }
    SECTION("0: no limit") {
        c.recoveries_per_tick = 0;
        CHECK(actions_of<warden::set_status>(warden::decide(s, c)).size() == 3);
    }
    SECTION("a refused recovery does not use the budget") {
        s.jobs[1].started_at = now - 10min; // job 4: inside its start grace
        s.jobs[1].last_progress_at = now - 10min;
        c.stall_after = 5min;
        const auto p = warden::decide(s, c);
        const auto writes = actions_of<warden::set_status>(p);
        REQUIRE(writes.size() == 1);
        CHECK(warden::to_int(writes[0].job) == 6);
        CHECK(p.blocked[0].rail == "grace_window");
        CHECK(p.summary.stalled == 2);
    }
    SECTION("the dry run waits the same way") {
        s.host.sentinel_present = false;
        const auto p = warden::decide(s, c);
        CHECK(p.actions.empty());
        REQUIRE(p.blocked.size() == 9); // three jobs: status, recovery options, stop
        CHECK(p.blocked[0].rail == "sentinel_gate");
        CHECK(warden::to_int(warden::action_job(p.blocked[0].proposed)) == 4);
        CHECK(p.blocked[2].rail == "sentinel_gate");
        CHECK(p.blocked[3].rail == "recoveries_per_tick");
    }
}
