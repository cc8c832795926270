// The simulator with every guard on: no invariant breaks over generated campaigns and fault
// schedules (shrinking), over swarm-randomised fault rates, and the same seed replays exactly.
#include <warden/sim/sim.hpp>

#include <boost/hana/tuple.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <rapidcheck.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "scenario.hpp"

using namespace warden::sim;

TEST_CASE("with every guard on, generated campaigns break no invariant", "[sim][property]") {
    check_property("sim/all-guards-on", [](const scenario& sc) {
        const summary s = run(options_for(sc, legacy_bugs{}));
        if (!s.violations.empty())
            RC_FAIL(fmt::format("{} at tick {} job {}: {}\n{}", to_string(s.violations[0].what),
                                s.violations[0].tick, s.violations[0].job, s.violations[0].message,
                                replay_text(sc, legacy_bugs{}, 40)));
        RC_TAG(s.time_to_complete_ticks >= 0 ? "converged" : "not converged");
    });
}

// Swarm testing over the rate-driven world the CLI runs, with "sometimes" probes: a suite in
// which some rule never fired or some rail never denied did not test it, and fails.
TEST_CASE("swarm: rate-driven campaigns break no invariant and hit every probe", "[sim][swarm]") {
    // Every third seed has refused jobs: B14's path, and the retry budget that bounds it.
    const summary seen = run_swarm(300, [](world_options& o) {
        if (o.seed % 3 == 0) o.infra_error_share = 0.2;
    });
    using warden::rule_id;
    for (const rule_id r : {rule_id::consistency_repair, rule_id::failure_classification,
                            rule_id::retry_budget, rule_id::reconcile, rule_id::stall_recovery,
                            rule_id::orphan_sweep, rule_id::queue_fill}) {
        INFO("rule never applied: " << to_string(r));
        CHECK(seen.applied_by_rule[static_cast<std::size_t>(r)] > 0);
    }
    // legacy_annual and annual_minimums are backstops: with the guards on, the rules never
    // propose what they would deny, so they are probed by the catalogue (B3, B4) instead.
    for (const char* rail :
         {"grace_window", "daily_start_cap", "disk_threshold", "deploy_lock", "sentinel_gate"}) {
        INFO("rail never denied: " << rail);
        CHECK(std::any_of(seen.blocked_by_rail.begin(), seen.blocked_by_rail.end(),
                          [&](const auto& e) { return e.first == rail && e.second > 0; }));
    }
    CHECK(seen.watchdog_conflicts > 0); // the watchdog lost a race to the world, and wrote nothing
    CHECK(seen.worker_conflicts > 0);   // the world lost a race to the watchdog or the operator
    CHECK(seen.crash_points_hit > 0);   // the crash point between the stage and status writes
    CHECK(seen.delayed_commits > 0);    // a completion that committed while the sweep ran
    CHECK(seen.completed > 0);
    CHECK(seen.failed_config > 0);
    CHECK(seen.failed_infra > 0);
    // Issue #15's window: each host-write kind fired, some landed in the window, some chained
    // action was not reached after its job's conflict, and a second watchdog applied plans.
    for (const fault_kind k : {fault_kind::window_edit, fault_kind::window_retry,
                               fault_kind::window_progress, fault_kind::second_watchdog}) {
        INFO("fault never fired: " << to_string(k));
        CHECK(seen.faults[static_cast<std::size_t>(k)] > 0);
    }
    CHECK(seen.window_writes > 0);
    CHECK(seen.not_reached > 0);
    CHECK(seen.second_watchdogs > 0);
    // Issue #18, item 3: the world as production has it. Each new fault kind fired and left its
    // state in a snapshot or a row; systemd units and two-process attempts were read.
    for (int k = classic_fault_kind_count; k < fault_kind_count; ++k) {
        INFO("fault never fired: " << to_string(static_cast<fault_kind>(k)));
        CHECK(seen.faults[static_cast<std::size_t>(k)] > 0);
    }
    CHECK(seen.unprobeable_lock_reads > 0);     // unprobeable_locks in a snapshot (2026-02-06)
    CHECK(seen.unreadable_process_lists > 0);   // process_list_readable false
    CHECK(seen.foreign_process_reads > 0);      // a process of origin other on a crawl's dir
    CHECK(seen.unit_process_reads > 0);         // origin systemd_unit with a unit name
    CHECK(seen.process_tree_reads > 0);         // runner + container child (ppid)
    CHECK(seen.locks_lost > 0);                 // a live crawl without its lock file
    CHECK(seen.completed_at_first_crashes > 0); // completed_at landed, the status write did not
    CHECK(seen.retryable_with_finished_at > 0); // a retryable row carrying finished_at
    // Issue #18 item 4 (B20): the host's scan missed a live crawl in a readable list, and a
    // running row's crawl had no lock and no running-set entry either: only its progress showed
    // it alive (guards.progress_is_alive kept the sweep off it).
    CHECK(seen.unmatched_process_reads > 0);
    CHECK(seen.progress_only_alive_reads > 0);
    // Issue #17: recap's stale-pipeline repair and the same-source sweep both happened.
    CHECK(seen.stale_pipeline_rows > 0);
    CHECK(seen.stale_pipeline_repairs > 0);
    CHECK(seen.same_source_sweeps > 0);
}

// Issue #17: the same-source sweep writes a status and nothing else. A decider that also stops
// each swept job (no restart, so only the sweep invariant can see it) breaks
// sweep_runner_action.
TEST_CASE("mutation: a runner action from the same-source sweep is caught", "[sim][mutation]") {
    const decider stops_swept = [](const warden::snapshot& snap, const warden::config& c) {
        warden::plan p = legacy_aware_decide(snap, c, {});
        std::vector<warden::action> extra;
        for (const warden::action& a : p.actions)
            if (const auto* w = std::get_if<warden::set_status>(&a);
                w && w->reason == warden::detail::same_source_sweep_reason)
                extra.push_back(warden::stop_job{w->job,
                                                 {},
                                                 warden::rule_id::stall_recovery,
                                                 "mutant",
                                                 warden::runner_class::none,
                                                 {},
                                                 false});
        p.actions.insert(p.actions.end(), extra.begin(), extra.end());
        return p;
    };
    bool caught = false;
    for (std::uint64_t seed = 1; seed <= 300 && !caught; ++seed) {
        world_options o = swarm_campaign(seed, 1 + static_cast<std::int32_t>(seed % 16),
                                         1 + static_cast<std::int32_t>(seed % 5));
        o.verify_reference_apply = false;
        const summary s = run(o, stops_swept);
        if (!s.violations.empty()) {
            INFO(format_summary(s, o.tick_seconds));
            REQUIRE(s.violations.front().what == invariant::sweep_runner_action);
            caught = true;
        }
    }
    CHECK(caught);
}

TEST_CASE("determinism: a seed replays to the same trace hash", "[sim][determinism]") {
    // The first 10 seeds also with progress logs: the host's progress tracker keeps no hidden
    // order (it is keyed by job id and read job by job in snapshot order).
    for (std::uint64_t seed = 1; seed <= 50; ++seed) {
        world_options o;
        o.seed = seed > 40 ? seed - 40 : seed;
        o.rates = *fault_profile("heavy");
        o.ticks = 1440;
        o.progress_logs = seed > 40;
        const summary first = run(o);
        o.trace = true; // tracing keeps the text; it must not change what happens
        const summary again = run(o);
        INFO("seed " << o.seed << (o.progress_logs ? " with progress logs" : ""));
        REQUIRE(first.trace_hash == again.trace_hash);
        REQUIRE(first.ticks_run == again.ticks_run);
        o.seed += 1000;
        o.trace = false;
        CHECK(run(o).trace_hash != first.trace_hash);
    }
}

namespace {

// A host's own rail, composed onto the defaults: never start two jobs of one source at once
// would need state; this one refuses starts of the cihr source, a host policy.
struct no_cihr_starts {
    static constexpr std::string_view name = "no_cihr_starts";
    [[nodiscard]] warden::verdict check(const warden::decision_context&, const warden::subject& s,
                                        const warden::start_job&) const {
        if (s.row.source != "cihr") return warden::verdict::allow();
        return warden::verdict::deny("host policy: cihr crawls are started by hand");
    }
};

} // namespace

TEST_CASE("a host drills its own rail set in the same world", "[sim][host]") {
    const auto rails = warden::with_rail(warden::default_rails(), no_cihr_starts{});
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        world_options o;
        o.seed = seed;
        o.ticks = 720;
        o.liveness_ticks = 720;
        world w(o, [&](const warden::snapshot& s, const warden::config& c) {
            return warden::decide(s, c, rails);
        });
        const summary s = w.run();
        // Safety holds; liveness cannot (the host's rail parks every cihr job by design), and
        // the world says so instead of hiding it.
        for (const auto& v : s.violations)
            REQUIRE(is_liveness(v.what));
        const bool denied =
            std::any_of(s.blocked_by_rail.begin(), s.blocked_by_rail.end(),
                        [](const auto& e) { return e.first == no_cihr_starts::name; });
        CHECK(denied);
    }
}

// Found by warden-sim --seed 2 (default faults): a crash between the final stage write and the
// status write left last_stage = persist; the job was swept, restarted, then requeued by an
// operator while its new crawl ran, and consistency_repair marked the live job completed.
TEST_CASE("regression: repair never completes a job whose crawl runs", "[sim][regression]") {
    world_options o;
    o.seed = 2;
    const summary s = run(o);
    INFO(format_summary(s, o.tick_seconds));
    REQUIRE(s.violations.empty());
    REQUIRE(s.time_to_complete_ticks >= 0);
}

TEST_CASE("soak: many generated campaigns with every guard on", "[.soak]") {
    check_property(
        "sim/soak",
        [](const scenario& sc) {
            const summary s = run(options_for(sc, legacy_bugs{}));
            RC_ASSERT(s.violations.empty());
        },
        5000);
}

namespace {

// The first violation each of `seeds` runs finds with `rates` and no rails at all.
std::set<invariant> found_without_rails(const fault_rates& rates, int seeds) {
    std::set<invariant> found;
    for (int seed = 1; seed <= seeds; ++seed) {
        world_options o;
        o.seed = static_cast<std::uint64_t>(seed);
        o.ticks = 1440;
        o.rates = rates;
        const summary s = run(o, [](const warden::snapshot& snap, const warden::config& c) {
            return warden::decide(snap, c, boost::hana::make_tuple());
        });
        if (!s.violations.empty()) found.insert(s.violations.front().what);
    }
    return found;
}

} // namespace

// The rail invariants are not vacuous: a host that drops every rail breaks each of them.
TEST_CASE("without rails, the rail invariants break", "[sim][mutation]") {
    fault_rates r;
    r[fault_kind::sentinel_off] = 0.01;
    CHECK(found_without_rails(r, 20).count(invariant::write_without_sentinel) == 1);
    fault_rates d;
    d[fault_kind::deploy] = 0.01;
    CHECK(found_without_rails(d, 20).count(invariant::start_under_deploy) == 1);
    fault_rates k;
    k[fault_kind::disk_spike] = 0.01;
    CHECK(found_without_rails(k, 20).count(invariant::start_over_disk) == 1);
    fault_rates c; // crashes make the sweep hand jobs back to queue fill again and again
    c[fault_kind::crash] = 0.05;
    CHECK(found_without_rails(c, 20).count(invariant::start_over_cap) == 1);
}

namespace {

std::set<invariant> found_with(const fault_rates& rates, int seeds, const decider& d,
                               bool worker_picks = true) {
    std::set<invariant> found;
    for (int seed = 1; seed <= seeds; ++seed) {
        world_options o;
        o.worker_picks_queued = worker_picks;
        o.seed = static_cast<std::uint64_t>(seed);
        o.ticks = 1440;
        o.rates = rates;
        const summary s = run(o, d);
        if (!s.violations.empty()) found.insert(s.violations.front().what);
    }
    std::string names;
    for (const invariant v : found)
        names += std::string{to_string(v)} + " ";
    UNSCOPED_INFO("invariants broken: " << names);
    return found;
}

} // namespace

// Engine mutants: each breaks the invariant that guards against it, so none of those
// invariants passes vacuously.
TEST_CASE("engine mutants break the invariant that names them", "[sim][mutation]") {
    SECTION("a host that loses the runtime evidence of waiting rows double-starts") {
        fault_rates r;
        r[fault_kind::operator_retryable] = 0.02;
        const auto found =
            found_with(r, 20, [](const warden::snapshot& s, const warden::config& c) {
                warden::snapshot blind = s;
                const auto waiting_dir = [&](const std::string& dir) {
                    for (const auto& j : s.jobs)
                        if (j.output_dir == dir) return warden::is_waiting(j.status);
                    return false;
                };
                const auto waiting = [&](warden::job_id id) {
                    for (const auto& j : s.jobs)
                        if (j.id == id) return warden::is_waiting(j.status);
                    return false;
                };
                std::erase_if(blind.locks, waiting);
                std::erase_if(blind.running_set, waiting);
                std::erase_if(blind.processes, [&](const warden::process_fact& p) {
                    return waiting_dir(p.output_dir);
                });
                return warden::decide(blind, c);
            });
        CHECK(found.count(invariant::double_start) == 1);
    }
    SECTION("a two-minute stall threshold recovers healthy crawls") {
        const auto found =
            found_with(fault_rates{}, 20, [](const warden::snapshot& s, const warden::config& c) {
                warden::config hasty = c;
                hasty.stall_after = std::chrono::minutes{2};
                return warden::decide(s, hasty);
            });
        CHECK(found.count(invariant::false_stall) == 1);
    }
    SECTION("without consistency repair a finished job sits queued or is crawled again") {
        fault_rates r;
        r[fault_kind::operator_requeue] = 0.02;
        r[fault_kind::delayed_completion] = 0.05;
        const auto found = found_with(
            r, 40,
            [](const warden::snapshot& s, const warden::config& c) {
                warden::config no_repair = c;
                no_repair.guards.consistency_repair = false;
                return warden::decide(s, no_repair);
            },
            false); // the worker's own pick would restart the row before a repair could
        CHECK(found.count(invariant::impossible_state) +
                  found.count(invariant::finished_restarted) >
              0);
    }
}

// Issue #18 item 4 (B20): the host's process scan misses a live crawl in a readable list
// (process_unmatched). B20's shrunk counterexample (catalogue_test.cpp): a restarted crawl, run
// as a detached unit, loses its lock file (lock_lost), a deploy restarts the worker (the running
// set is lost), and the scan misses the crawl. With every guard on its progress shows it alive
// and the sweep leaves it; with guards.progress_is_alive off (B20) it is swept.
TEST_CASE("process_unmatched: only progress shows the crawl alive, and the guard holds the sweep",
          "[sim][b20]") {
    const scenario sc{0,
                      1,
                      1,
                      {fault_cmd{67, fault_kind::lock_lost, 0, 0},
                       fault_cmd{2, fault_kind::stall, 0, 0},
                       fault_cmd{66, fault_kind::deploy, 0, 0},
                       fault_cmd{72, fault_kind::process_unmatched, 0, 9}}};
    const auto production = [&](legacy_bugs legacy) {
        world_options o = options_for(sc, legacy);
        o.systemd_units = true;
        o.container_children = true;
        return o;
    };
    const summary on = run(production(legacy_bugs{}));
    INFO(format_summary(on, 60));
    CHECK(on.violations.empty());
    CHECK(on.faults[static_cast<std::size_t>(fault_kind::process_unmatched)] == 1);
    CHECK(on.unmatched_process_reads > 0);
    CHECK(on.progress_only_alive_reads > 0); // the state B20 needs, read by the watchdog
    CHECK(on.unreadable_process_lists == 0); // the list itself read fine throughout
    const summary off = run(production(legacy_bugs::only(20)));
    REQUIRE_FALSE(off.violations.empty());
    CHECK(off.violations.front().what == invariant::false_orphan);
}

// Open finding (issue #18 item 4, docs/simulator.md): with the host's scan missing a crawl whose
// row an operator put back in the queue (world_options::unmatched_waiting_rows), queue fill
// starts the row again while the crawl runs: the row shows no lock, no process and no running-set
// entry, only progress, and a waiting row's progress does not hold a start. Hidden: it asserts
// the engine's current behaviour; when the engine holds such starts, it fails and the docs change.
TEST_CASE("open finding: a waiting row whose crawl the host misses is started again",
          "[.][sim][finding_open]") {
    world_options o = swarm_campaign(252, 13, 3);
    o.infra_error_share = 0.2;
    CHECK(run(o).violations.empty()); // the default world: the miss holds while the row runs
    o.unmatched_waiting_rows = true;
    const summary s = run(o);
    REQUIRE_FALSE(s.violations.empty());
    CHECK(s.violations.front().what == invariant::double_start);
    CHECK(s.violations.front().tick == 355);
}
