// Progress evidence (issue #8, B15): with progress_logs on, every attempt writes its own crawl
// log, the previous attempt's is rotated away, and the watchdog's snapshot takes each job's
// progress from a warden::progress_tracker fed with the readable logs. With every guard on that
// breaks nothing; with B15 back (the tracker reads the first path it found) a restarted job's
// stall is missed, and the missed_stall invariant says so.
#include <warden/sim/sim.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <rapidcheck.h>

#include <cstdint>
#include <string>
#include <vector>

#include "scenario.hpp"

using namespace warden::sim;

namespace {

// One annual job on a long crawl: the worker starts it at tick 0, a crash at tick 30 leaves it
// to the orphan sweep and queue fill (attempt 2, a new log), and attempt 2 stalls at tick 150.
// Nothing else happens to it.
world_options restarted_then_stalled(legacy_bugs legacy) {
    world_options o;
    o.seed = 15;
    o.jobs = 1;
    o.target_running = 1;
    o.ticks = 400;
    o.use_schedule = true;
    o.schedule = {fault_cmd{30, fault_kind::crash, 0, 0}, fault_cmd{150, fault_kind::stall, 0, 0}};
    o.legacy_job_share = 0.0;
    o.config_error_share = 0.0;
    o.low_options_share = 0.0;
    o.long_crawl_share = 1.0;
    o.max_work_ticks = 3000; // attempt 2 outlives its stall
    o.timeout_per_tick = 0.0;
    o.progress_logs = true;
    o.legacy = legacy;
    o.verify_reference_apply = true;
    o.trace = true;
    return o;
}

std::int64_t stall_recoveries(const summary& s) {
    return s.applied_by_rule[static_cast<std::size_t>(warden::rule_id::stall_recovery)];
}

} // namespace

TEST_CASE("progress logs: with every guard on, generated campaigns break no invariant",
          "[sim][progress]") {
    check_property("sim/progress-logs/all-guards-on", [](const scenario& sc) {
        const summary s = run(options_for(sc, legacy_bugs{}, false, true));
        if (!s.violations.empty())
            RC_FAIL(fmt::format("{} at tick {} job {}: {}\n{}", to_string(s.violations[0].what),
                                s.violations[0].tick, s.violations[0].job, s.violations[0].message,
                                replay_text(sc, legacy_bugs{}, 40, true)));
        RC_TAG(s.time_to_complete_ticks >= 0 ? "converged" : "not converged");
    });
}

TEST_CASE("progress logs: swarm campaigns break no invariant, and stalls are recovered",
          "[sim][progress]") {
    const summary seen = run_swarm(100, [](world_options& o) { o.progress_logs = true; });
    CHECK(stall_recoveries(seen) > 0);
    CHECK(seen.restarts > 0);
}

TEST_CASE("progress logs: a restarted job's stall is recovered from its new log",
          "[sim][progress]") {
    const world_options o = restarted_then_stalled(legacy_bugs{});
    world w(o);
    const summary s = w.run();
    INFO(format_summary(s, o.tick_seconds));
    REQUIRE(s.violations.empty());
    CHECK(s.restarts >= 2); // the crash's restart, then the stall's
    // Two recoveries since issue #16 item 2: the crash at tick 30 leaves a dead attempt whose
    // progress is recent, so it is alive until stall_after passes and is then recovered as a
    // stall (row only: nothing runs it), not swept as an orphan; then attempt 2's stall.
    const auto r = recovery_ticks(w.events(), 1);
    REQUIRE(r.size() == 2);
    CHECK(r[0] < 150);
    // Attempt 2's last log write is at most 2 * progress_report_ticks - 1 ticks before the stall,
    // the host sees it within a watchdog period, and stall_after is 60 ticks.
    CHECK(r[1] >= 150 + 60 - 9);
    CHECK(r[1] <= 150 + 60 + o.watchdog_period_ticks);
}

TEST_CASE("progress logs: B15 (first log path only) misses the same stall", "[sim][progress]") {
    const world_options o = restarted_then_stalled(legacy_bugs::only(15));
    world w(o);
    const summary s = w.run();
    INFO(format_summary(s, o.tick_seconds));
    REQUIRE_FALSE(s.violations.empty());
    CHECK(s.violations.front().what == invariant::missed_stall);
    CHECK(s.violations.front().job == 1);
    CHECK(s.violations.front().message.find("no progress information") != std::string::npos);
    // Only the crash's recovery (before attempt 2 began): attempt 2's stall is never recovered.
    for (const auto t : recovery_ticks(w.events(), 1))
        CHECK(t < 150);
}

TEST_CASE("progress logs: legacy B15 parses and describes", "[sim][progress]") {
    REQUIRE(parse_legacy("B15"));
    CHECK(parse_legacy("B15")->has(15));
    CHECK(parse_legacy("b1,B15")->describe() == "B1,B15");
    CHECK(parse_legacy("all")->has(15));
    CHECK_FALSE(parse_legacy("B9"));
    CHECK_FALSE(parse_legacy("B"));
    CHECK_FALSE(parse_legacy("B1x"));
    CHECK_FALSE(parse_legacy("B150"));
}
