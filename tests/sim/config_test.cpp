// Issue #18, items 1, 2 and 5: the simulator drills the host's own engine config (and the
// liveness its rails withhold on purpose), refuses configs its world cannot work with before any
// tick, and swarms the config space.
#include <warden/sim/sim.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scenario.hpp" // issue #21: swarm_campaign

using namespace warden::sim;
using namespace std::chrono_literals;

namespace {

// The issue's host: stall 90 min, daily cap 4, disk 88 %, four crawls at a time.
warden::config issue_host_config() {
    warden::config c;
    c.ensure_min_running_jobs = 4;
    c.campaign_year = 2026;
    c.stall_after = 90min;
    c.daily_start_cap = 4;
    c.disk_threshold_percent = 88.0;
    return c;
}

bool has_field(const std::vector<warden::validation_error>& errors, std::string_view field) {
    return std::any_of(errors.begin(), errors.end(),
                       [&](const auto& e) { return e.field == field; });
}

// A host rail that runs one crawl per source at a time: of a source's waiting rows only the
// lowest id may start, and only while no row of that source is running.
bool source_busy(std::span<const warden::job> rows, const warden::job& row) {
    for (const warden::job& other : rows) {
        if (other.id == row.id || other.source != row.source) continue;
        if (other.status == warden::job_status::running) return true;
        if (warden::is_waiting(other.status) && other.id < row.id) return true;
    }
    return false;
}

struct one_crawl_per_source {
    static constexpr std::string_view name = "one_crawl_per_source";
    [[nodiscard]] warden::verdict check(const warden::decision_context& ctx,
                                        const warden::subject& s, const warden::start_job&) const {
        if (!source_busy(ctx.snapshot.jobs, s.row)) return warden::verdict::allow();
        return warden::verdict::deny("host policy: one crawl per source at a time");
    }
};

} // namespace

TEST_CASE("config: a host's own config drills cleanly through world_options::engine",
          "[sim][config]") {
    // The host decides with its own config whatever the world hands it, as a host's decider
    // does. Before world_options carried the config, the world's invariants used warden's
    // defaults (cap 3, disk 85 %) and such a host broke start_over_cap or start_over_disk.
    const warden::config host = issue_host_config();
    const decider hosts_decider = [host](const warden::snapshot& s, const warden::config&) {
        return warden::decide(s, host, warden::default_rails());
    };
    int clean = 0;
    int broken_without = 0;
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
        world_options o;
        o.seed = seed;
        o.rates = *fault_profile("heavy");
        o.ticks = 1440;
        o.engine = host;
        REQUIRE(validate_world(o).empty());
        const summary s = run(o, hosts_decider);
        INFO("seed " << seed << "\n" << format_summary(s, o.tick_seconds));
        CHECK(s.violations.empty());
        clean += s.violations.empty() && s.time_to_complete_ticks >= 0 ? 1 : 0;
        // Non-vacuity: the same host without its config in world_options.
        o.engine.reset();
        const summary without = run(o, hosts_decider);
        broken_without += !without.violations.empty() &&
                                  (without.violations[0].what == invariant::start_over_cap ||
                                   without.violations[0].what == invariant::start_over_disk)
                              ? 1
                              : 0;
    }
    CHECK(clean == 30);
    CHECK(broken_without > 0);
}

TEST_CASE("config: the engine config reaches the decider and the world's checks", "[sim][config]") {
    world_options o;
    o.target_running = 2; // ignored: the host's config names the target
    o.engine = issue_host_config();
    o.legacy = legacy_bugs::only(1);
    const world w(o);
    CHECK(w.engine().stall_after == 90min);
    CHECK(w.engine().daily_start_cap == 4);
    CHECK(w.engine().disk_threshold_percent == 88.0);
    CHECK(w.engine().ensure_min_running_jobs == 4);
    CHECK_FALSE(w.engine().guards.reconcile); // legacy bugs switch guards off on top
    // drift bound from the host's stall_after and graces: ceil((5400 + 900) / 60) + (12 + 3) * 5
    // + 10.
    CHECK(w.drift_bound_ticks() == 105 + 75 + 10);
}

TEST_CASE("config: a host rail declares the starts it holds by design", "[sim][config][host]") {
    const auto rails = warden::with_rail(warden::default_rails(), one_crawl_per_source{});
    const decider d = [rails](const warden::snapshot& s, const warden::config& c) {
        return warden::decide(s, c, rails);
    };
    int underfilled_without = 0;
    bool denied = false;
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
        world_options o;
        o.seed = seed;
        o.ticks = 720;
        o.target_running = 4; // three sources: the rail keeps it at three at most
        o.held_by_design = source_busy;
        const summary s = run(o, d);
        INFO("seed " << seed << "\n" << format_summary(s, o.tick_seconds));
        CHECK(s.violations.empty());
        CHECK(s.time_to_complete_ticks >= 0);
        denied =
            denied || std::any_of(s.blocked_by_rail.begin(), s.blocked_by_rail.end(),
                                  [](const auto& e) { return e.first == "one_crawl_per_source"; });
        // Non-vacuity: without the declaration the liveness phase reads the hold as underfill.
        o.held_by_design = {};
        const summary without = run(o, d);
        underfilled_without +=
            !without.violations.empty() && without.violations[0].what == invariant::underfilled ? 1
                                                                                                : 0;
    }
    CHECK(denied);
    CHECK(underfilled_without > 0);
}

// Issue #18: `warden-sim --seed 104 --jobs 4 --target 0 --period 16 --ticks 2880 --swarm` broke
// `unfinished`: with queue fill off (target 0) a stall-recovered or swept job is retryable, the
// worker picks only queued rows and nothing in the engine restarts it. That is the config's
// design (the retry is a human's), so the world now counts such a row as held by design; a
// campaign with queue fill off must still finish everything else.
TEST_CASE("config: queue fill off leaves retryable rows to the host (seed 104)",
          "[sim][config][regression]") {
    world_options o;
    o.seed = 104;
    o.jobs = 4;
    o.target_running = 0;
    o.watchdog_period_ticks = 16;
    o.ticks = 2880;
    o.rates = swarm(*fault_profile("default"), o.seed).first;
    REQUIRE(validate_world(o).empty());
    const summary s = run(o);
    INFO(format_summary(s, o.tick_seconds));
    CHECK(s.violations.empty());
    CHECK(s.held_by_design > 0); // the case the issue found: retryable rows nobody restarts
    CHECK(s.not_finished == 0);
    CHECK(s.completed + s.failed_config + s.failed_infra + s.held_by_design == o.jobs);
    // Non-vacuity: queued rows are not held by design. Without the worker, nothing starts them.
    o.worker_picks_queued = false;
    const summary stuck = run(o);
    REQUIRE_FALSE(stuck.violations.empty());
    CHECK(stuck.violations[0].what == invariant::unfinished);
}

// Issue #18: `warden-sim --seed 30791 --jobs 17 --target 8 --period 28 --tick-seconds 553 --ticks
// 2880 --swarm` broke `false_stall`: heartbeats up to 9 ticks of 553 s apart are sparser than
// stall_after (60 min). The config cannot work in that world; it is refused with the reason.
TEST_CASE("config: sparse heartbeats against stall_after are refused (seed 30791)",
          "[sim][config][regression]") {
    world_options o;
    o.seed = 30791;
    o.jobs = 17;
    o.target_running = 8;
    o.watchdog_period_ticks = 28;
    o.tick_seconds = 553;
    o.ticks = 2880;
    o.rates = swarm(*fault_profile("default"), o.seed).first;
    const auto errors = validate_world(o);
    CHECK(has_field(errors, "config.stall_after"));
    CHECK(has_field(errors, "watchdog_period_ticks"));
    CHECK(has_field(errors, "config.orphan_grace"));
    // The refusal is of a config that does fail: run anyway, it breaks false_stall.
    const summary s = run(o);
    REQUIRE_FALSE(s.violations.empty());
    CHECK(s.violations[0].what == invariant::false_stall);
    // Raised past the world's signal lag and the period (and the grace past the spawn lag), the
    // same campaign drills cleanly.
    warden::config c;
    c.ensure_min_running_jobs = 8;
    c.campaign_year = 2026;
    c.stall_after = warden::duration{signal_lag_ticks(o) * o.tick_seconds +
                                     std::int64_t{o.watchdog_period_ticks} * o.tick_seconds};
    c.orphan_grace = warden::duration{(o.spawn_lag_max_ticks + 1) * o.tick_seconds};
    o.engine = c;
    REQUIRE(validate_world(o).empty());
    const summary ok = run(o);
    INFO(format_summary(ok, o.tick_seconds));
    CHECK(ok.violations.empty());
}

TEST_CASE("config: validate_world names each field a host would change", "[sim][config]") {
    world_options o;
    CHECK(validate_world(o).empty()); // the README's campaign
    SECTION("the watchdog period at stall_after") {
        o.watchdog_period_ticks = 60; // 60 ticks of 60 s: stall_after
        const auto e = validate_world(o);
        REQUIRE(e.size() == 1);
        CHECK(e[0].field == "watchdog_period_ticks");
        CHECK(e[0].message.find("at or above config.stall_after (3600 s)") != std::string::npos);
    }
    SECTION("a grace shorter than a unit's spawn lag") {
        warden::config c;
        c.ensure_min_running_jobs = 4;
        c.orphan_grace = 3min; // the world's units appear up to 3 ticks late: 4 min with the read
        o.engine = c;
        const auto e = validate_world(o);
        REQUIRE(e.size() == 1);
        CHECK(e[0].field == "config.orphan_grace");
    }
    SECTION("a disk threshold the world's disk never drains below") {
        warden::config c;
        c.disk_threshold_percent = 40.0;
        o.engine = c;
        CHECK(has_field(validate_world(o), "config.disk_threshold_percent"));
    }
    SECTION("caps that forbid every start or every recovery") {
        warden::config c;
        c.ensure_min_running_jobs = 4;
        c.daily_start_cap = 0;
        c.daily_recovery_cap = 0;
        o.engine = c;
        const auto e = validate_world(o);
        CHECK(has_field(e, "config.daily_start_cap"));
        CHECK(has_field(e, "config.daily_recovery_cap"));
    }
    SECTION("another campaign year") {
        warden::config c;
        c.campaign_year = 2025;
        o.engine = c;
        CHECK(has_field(validate_world(o), "config.campaign_year"));
    }
    SECTION("the engine's own checks come first, by warden::validate") {
        warden::config c;
        c.stall_after = warden::duration{0};
        o.engine = c;
        CHECK(has_field(validate_world(o), "config.stall_after"));
    }
}

TEST_CASE("config: every drawn config is in the valid space and the draws cover it",
          "[sim][config][swarm]") {
    bool target_zero = false;
    bool period_one = false;
    bool period_thirty = false;
    bool short_tick = false;
    bool long_tick = false;
    bool cap_one = false;
    bool one_job = false;
    bool forty_jobs = false;
    for (std::uint64_t seed = 0; seed < 5000; ++seed) {
        const world_options o = draw_world(seed, world_options{});
        INFO("seed " << seed << ": " << config_flags(o));
        REQUIRE(validate_world(o).empty());
        REQUIRE(o.engine);
        REQUIRE(o.target_running == o.engine->ensure_min_running_jobs);
        target_zero = target_zero || o.target_running == 0;
        period_one = period_one || o.watchdog_period_ticks == 1;
        period_thirty = period_thirty || o.watchdog_period_ticks == 30;
        short_tick = short_tick || o.tick_seconds == 1;
        long_tick = long_tick || o.tick_seconds == 600;
        cap_one = cap_one || o.engine->daily_start_cap == 1;
        one_job = one_job || o.jobs == 1;
        forty_jobs = forty_jobs || o.jobs == 40;
    }
    CHECK(target_zero);
    CHECK(period_one);
    CHECK(period_thirty);
    CHECK(short_tick);
    CHECK(long_tick);
    CHECK(cap_one);
    CHECK(one_job);
    CHECK(forty_jobs);
    // The draw replays: the same seed, the same config.
    CHECK(config_flags(draw_world(7, world_options{})) ==
          config_flags(draw_world(7, world_options{})));
}

// A slice of the config swarm in-process (the CLI slices are the sim_config_swarm_* CTest
// entries): drawn configs and swarm-chosen heavy faults break nothing.
TEST_CASE("config: drawn configs with heavy swarm faults break nothing", "[sim][config][swarm]") {
    summary seen;
    for (std::uint64_t seed = 1; seed <= 150; ++seed) {
        world_options o = draw_world(seed, world_options{});
        o.rates = swarm(*fault_profile("heavy"), seed).first;
        const summary s = run(o);
        INFO("warden-sim --seed " << seed << " " << config_flags(o) << " --faults heavy --swarm\n"
                                  << format_summary(s, o.tick_seconds));
        REQUIRE(s.violations.empty());
        accumulate(seen, s);
    }
    CHECK(seen.completed > 0);
    CHECK(seen.held_by_design > 0);
}

// The config swarm's findings, each a checker bound that did not derive from the config
// (docs/simulator.md, `drift`): 1005 (drift: a stale lock waits its turn among the stall
// recoveries, one per watchdog tick), 183 (impossible_state: host edits won the window three
// periods in a row), 900154 and 37578 (impossible_state: a sentinel absence over a watchdog tick
// costs a whole period), 96388 (impossible_state: the process list unreadable at a watchdog tick
// holds consistency repair for that whole period; the 1e5 run of 2026-11-30). Each is
// `warden-sim --seed S --swarm --swarm-config --faults heavy`.
TEST_CASE("config: the config swarm's findings stay fixed", "[sim][config][regression]") {
    for (const std::uint64_t seed : {183u, 1005u, 900154u, 37578u, 96388u}) {
        world_options o = draw_world(seed, world_options{});
        o.rates = swarm(*fault_profile("heavy"), seed).first;
        const summary s = run(o);
        INFO("warden-sim --seed " << seed << " " << config_flags(o) << " --faults heavy --swarm\n"
                                  << format_summary(s, o.tick_seconds));
        CHECK(s.violations.empty());
    }
}

// ---- issue #21 (sched): classes mixed in campaigns ----

namespace {

// Seeds 1..n of the swarm campaigns as mixed campaigns (sim/schedule.hpp): annual and monthly
// jobs, monthly retries backed off and monthly runs capped at 90 minutes, one crawl per source.
template <class Decide>
summary run_mixed(std::uint64_t seeds, Decide decide_with, bool expect_clean) {
    summary seen;
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
        world_options o = swarm_campaign(seed, 3 + static_cast<std::int32_t>(seed % 10),
                                         1 + static_cast<std::int32_t>(seed % 4));
        mixed_campaign(o);
        const summary s = run(o, decide_with(o));
        INFO("seed " << seed << "\n" << format_summary(s, o.tick_seconds));
        if (expect_clean) REQUIRE(s.violations.empty());
        accumulate(seen, s);
        if (!s.violations.empty()) seen.violations.push_back(s.violations.front());
    }
    return seen;
}

// For run_mixed: the engine deciding with `drop` applied to each class of the config it is given
// (a class feature switched off in the engine, the world's checks still knowing it).
template <class Drop>
auto deciding_without(Drop drop) {
    return [drop](const world_options&) {
        return decider{[drop](const warden::snapshot& s, const warden::config& c) {
            warden::config without = c;
            for (auto& k : without.classes)
                drop(k);
            return warden::decide(s, without);
        }};
    };
}

std::int64_t blocked_by(const summary& s, std::string_view rail) {
    for (const auto& b : s.blocked_by_rail)
        if (b.first == rail) return b.second;
    return 0;
}

bool broke(const summary& s, invariant what) {
    for (const violation& v : s.violations)
        if (v.what == what) return true;
    return false;
}

} // namespace

// Seeds 3 and 20 broke running_past_deadline until its clock restarted when a job became
// stoppable (docs/simulator.md): a foreign process on the dir gone after the deadline (seed 3),
// and a row an operator marked retryable revived by reconcile after it (seed 20).
TEST_CASE("issue 21: mixed campaigns with limits, backoff and deadlines break nothing",
          "[sim][issue21]") {
    // Liveness judged too (the finding below): 200 campaigns, every job finished or held.
    const summary seen = run_mixed(
        200, [](const world_options&) { return decider{}; }, true);
    CHECK(seen.completed > 0);
    CHECK(seen.deadline_failures > 0);                 // probe: deadlines fired
    CHECK(blocked_by(seen, "concurrency_limits") > 0); // probe: the limit held starts
    CHECK(blocked_by(seen, "retry_backoff") > 0);      // probe: backoff held retries
}

// Each invariant can fail: the engine without the feature breaks it in the same campaigns.
TEST_CASE("issue 21: each invariant catches its feature switched off", "[sim][issue21]") {
    SECTION("no retry_backoff rail: started_before_not_before") {
        const auto rails = warden::make_rails(
            warden::grace_window{}, warden::legacy_annual{}, warden::annual_minimums{},
            warden::pause{}, warden::daily_start_cap{}, warden::concurrency_limits{},
            warden::progress_circuit{}, warden::daily_recovery_cap{}, warden::disk_threshold{},
            warden::deploy_lock{}, warden::sentinel_gate{});
        const summary seen = run_mixed(
            40, [&](const world_options&) { return deciding_with(rails); }, false);
        CHECK(broke(seen, invariant::started_before_not_before));
    }
    SECTION("no deadline in the engine's config: running_past_deadline") {
        const summary seen = run_mixed(
            40, deciding_without([](warden::class_spec& k) { k.max_runtime_minutes.reset(); }),
            false);
        CHECK(broke(seen, invariant::running_past_deadline));
    }
}

// The mixed campaigns' liveness finding (docs/simulator.md): with liveness judged, seeds 14, 17,
// 19 and 39 ended with a retryable monthly job never finished. Each was created with ad-hoc
// options (thresholds of 0: B4's shape), failed at its first timeout on every attempt, and was
// retried until the daily start cap held it, round after round. Neither the limit, the backoff
// nor the bound: the monthly class had no minimums. With the class's minimums taken out of the
// engine's config the same campaigns break `unfinished` again.
TEST_CASE("issue 21: a monthly class without minimums leaves its low-option jobs unfinished",
          "[sim][issue21]") {
    const summary seen =
        run_mixed(40, deciding_without([](warden::class_spec& k) { k.minimums.reset(); }), false);
    CHECK(broke(seen, invariant::unfinished));
}

// The liveness bound's share of issue #21's config (world::liveness_bound_ticks): a per-source
// limit runs each source's jobs in waves of their own, and a class's longest backoff.
TEST_CASE("issue 21: the liveness bound derives from the limits and the backoff",
          "[sim][issue21]") {
    std::vector<warden::job> rows(12);
    static constexpr std::array<const char*, 3> sources{"hc", "phac", "cihr"};
    for (std::size_t i = 0; i < rows.size(); ++i) {
        rows[i].id = warden::job_id{static_cast<std::int64_t>(i) + 1};
        rows[i].source = sources[i % 3];
        rows[i].name = fmt::format("{}-{}-annual", rows[i].source, i);
    }
    warden::config c;
    CHECK(start_waves(c, rows, 9) == 2); // no limits: ceil(12 / 9)
    CHECK(longest_backoff_seconds(c) == 0);
    c.concurrency_limits = {warden::concurrency_limit{warden::limit_key::source, std::nullopt, 1}};
    CHECK(start_waves(c, rows, 9) == 4); // 4 jobs per source, one at a time
    CHECK(start_waves(c, rows, 1) == 12);
    c.concurrency_limits = {
        warden::concurrency_limit{warden::limit_key::source, std::string{"hc"}, 2}};
    CHECK(start_waves(c, rows, 9) == 2); // hc's 4 jobs in 2 waves, the others unlimited
    c.classes = mixed_classes();
    CHECK(longest_backoff_seconds(c) == 600);
}
