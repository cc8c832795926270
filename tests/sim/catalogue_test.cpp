// The bug catalogue: for each incident (B1..B8, B14..B18), bring its bug back (switch its guard off
// in the engine and the world) and require the property test to find a violation of the invariant
// that names the incident within a bounded number of cases, then print the shrunk trace.
// `warden_sim_tests "[catalogue]"` prints the table docs/simulator.md quotes.
#include <warden/sim/sim.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <rapidcheck.h>

#include <cstdint>
#include <initializer_list>
#include <iostream>
#include <string>
#include <vector>

#include "scenario.hpp"

using namespace warden::sim;

namespace {

const scenario& as_scenario(const scenario& sc) {
    return sc;
}
const scenario& as_scenario(const struct production_scenario& p);
const scenario& as_scenario(const struct unmatched_scenario& p);

struct hunt_result {
    bool found = false;
    int cases = 0;
    scenario shrunk;
    violation first;
    std::size_t trace_events = 0;
};

// B18 is a race between two watchdogs: its campaigns run a second one throughout (a
// second_watchdog command every 250 ticks, each lasting 50 watchdog ticks), outside the
// generated scenario, so shrinking works on the host writes that make the race.
world_options campaign(const scenario& sc, legacy_bugs legacy, bool trace = false) {
    world_options o = options_for(sc, legacy, trace);
    if (legacy.has(18))
        for (std::int64_t t = 0; t < scenario_ticks; t += 250)
            o.schedule.push_back(fault_cmd{t, fault_kind::second_watchdog, 0, 49});
    return o;
}

// Issue #16's entries (B19 to B23) draw their schedules from every fault kind, issue #18's
// included: a scenario type of their own, since rapidcheck builds each type's generator once.
struct production_scenario {
    scenario sc;
};
// B20's schedules draw from every kind, process_unmatched (the host's scan missing a live crawl)
// included; the other production entries draw from the kinds before it, so their figures stay.
struct unmatched_scenario {
    scenario sc;
};

template <class Scenario>
hunt_result hunt(int bug, int max_cases) {
    const legacy_bugs legacy = legacy_bugs::only(bug);
    hunt_result out;
    // The last failing call of a rapidcheck run is its final, fully shrunk counterexample:
    // any later failing candidate would have been accepted as a smaller one.
    const auto property = [&](const Scenario& generated) {
        const scenario& sc = as_scenario(generated);
        const summary s = run(campaign(sc, legacy));
        if (!s.violations.empty()) {
            out.shrunk = sc;
            out.first = s.violations.front();
        }
        RC_ASSERT(s.violations.empty());
    };
    const rc::detail::TestMetadata meta{fmt::format("sim/catalogue/B{}", bug),
                                        fmt::format("B{} back: the simulator finds it", bug)};
    const auto result = rc::detail::checkTestable(property, meta, params(max_cases));
    if (result.template is<rc::detail::FailureResult>()) {
        out.found = true;
        out.cases = result.template get<rc::detail::FailureResult>().numSuccess + 1;
        world w(campaign(out.shrunk, legacy, true));
        (void)w.run();
        out.trace_events = w.events().size();
    }
    return out;
}

// `shrunk_faults`, when given, pins the length of the shrunk counterexample: a change to the world
// or the generator that makes the entry harder to find (or shrink) shows here.
// `max_cases` is the bound: each bug must be found within this many cases.
void require_found(int bug, std::initializer_list<invariant> expected, int shrunk_faults = -1,
                   int max_cases = 200) {
    const hunt_result r = bug == 20 ? hunt<unmatched_scenario>(bug, max_cases)
                          : production_entry(legacy_bugs::only(bug))
                              ? hunt<production_scenario>(bug, max_cases)
                              : hunt<scenario>(bug, max_cases);
    INFO(fmt::format("B{} was not found in {} cases", bug, max_cases));
    REQUIRE(r.found);
    std::string names;
    for (const invariant v : expected)
        names += std::string{names.empty() ? "" : " or "} + std::string{to_string(v)};
    INFO(fmt::format("B{} broke {}, expected {}", bug, to_string(r.first.what), names));
    CHECK(std::find(expected.begin(), expected.end(), r.first.what) != expected.end());
    if (shrunk_faults >= 0)
        CHECK(r.shrunk.faults.size() == static_cast<std::size_t>(shrunk_faults));
    std::cout << fmt::format("\n== B{}: {} after {} cases; shrunk to {} fault commands, {} trace "
                             "events ==\n{}",
                             bug, to_string(r.first.what), r.cases, r.shrunk.faults.size(),
                             r.trace_events, replay_text(r.shrunk, legacy_bugs::only(bug), 25));
    std::cout << fmt::format("CATALOGUE | B{} | {} | {} | {} | {} |\n", bug,
                             to_string(r.first.what), r.cases, r.shrunk.faults.size(),
                             r.trace_events)
              << std::flush;
}

const scenario& as_scenario(const production_scenario& p) {
    return p.sc;
}
const scenario& as_scenario(const unmatched_scenario& p) {
    return p.sc;
}

} // namespace

namespace rc {

// A production scenario whose fault commands draw from the first `kinds` fault kinds.
template <class Scenario>
Gen<Scenario> production_scenarios(int kinds) {
    const auto command = gen::apply(
        [](std::int64_t tick, int kind, std::uint32_t pick, std::uint32_t arg) {
            return fault_cmd{tick, static_cast<fault_kind>(kind), pick, arg};
        },
        gen::inRange<std::int64_t>(0, scenario_ticks), gen::inRange(0, kinds),
        gen::arbitrary<std::uint32_t>(), gen::arbitrary<std::uint32_t>());
    return gen::apply(
        [](std::uint64_t seed, int jobs, int target, std::vector<fault_cmd> f) {
            return Scenario{scenario{seed, jobs, target, std::move(f)}};
        },
        gen::arbitrary<std::uint64_t>(), gen::inRange(1, 13), gen::inRange(1, 5),
        gen::container<std::vector<fault_cmd>>(command));
}

template <>
struct Arbitrary<production_scenario> {
    static Gen<production_scenario> arbitrary() {
        return production_scenarios<production_scenario>(issue18_fault_kind_count);
    }
};

template <>
struct Arbitrary<unmatched_scenario> {
    static Gen<unmatched_scenario> arbitrary() {
        return production_scenarios<unmatched_scenario>(fault_kind_count);
    }
};

[[maybe_unused]] inline void showValue(const production_scenario& p, std::ostream& os) {
    showValue(p.sc, os);
}
[[maybe_unused]] inline void showValue(const unmatched_scenario& p, std::ostream& os) {
    showValue(p.sc, os);
}

} // namespace rc

TEST_CASE("catalogue B1: no reconcile", "[sim][catalogue]") {
    require_found(1, {invariant::drift});
}
TEST_CASE("catalogue B2: no queue fill", "[sim][catalogue]") {
    require_found(2, {invariant::underfilled, invariant::unfinished});
}
TEST_CASE("catalogue B3: no legacy detection", "[sim][catalogue]") {
    require_found(3, {invariant::underfilled, invariant::unfinished});
}
TEST_CASE("catalogue B4: no annual minimums", "[sim][catalogue]") {
    require_found(4, {invariant::unfinished, invariant::underfilled});
}
TEST_CASE("catalogue B5: unstable queue order", "[sim][catalogue]") {
    require_found(5, {invariant::order_dependent});
}
TEST_CASE("catalogue B6: no config-error classification", "[sim][catalogue]") {
    require_found(6, {invariant::config_error_restarted});
}
TEST_CASE("catalogue B7: non-atomic stage write, 0-row success, no repair", "[sim][catalogue]") {
    require_found(7, {invariant::ack_not_durable, invariant::impossible_state,
                      invariant::finished_restarted});
}
TEST_CASE("catalogue B8: no grace, runtime forgets before the DB commits", "[sim][catalogue]") {
    require_found(8, {invariant::false_orphan});
}
TEST_CASE("catalogue B14: infra-error retries never exhaust", "[sim][catalogue]") {
    require_found(14, {invariant::retries_unbounded});
}
// B15 runs with progress_logs on (options_for turns them on for it): the host's progress tracker
// reads the first log path it found for each job, so a restarted job's stall is never seen.
TEST_CASE("catalogue B15: progress read from the first log path found", "[sim][catalogue]") {
    require_found(15, {invariant::missed_stall});
}

// Issue #15: host writes in the decide -> apply window (the window_* faults) and a second
// watchdog (second_watchdog).
// B16: the store tries a chained write after its predecessor conflicted, on the version the
// predecessor would have left; an operator's edit in the window makes that version the host's.
TEST_CASE("catalogue B16: a chained write lands after its predecessor conflicted",
          "[sim][catalogue]") {
    require_found(16, {invariant::stale_write}, 2);
}
// B17: the host carries out a recovery's stop although the recovery's status write conflicted:
// the crawl's progress landed in the window.
TEST_CASE("catalogue B17: a stop carried out after its status write conflicted",
          "[sim][catalogue]") {
    require_found(17, {invariant::stopped_live_crawl}, 2);
}
// B18: a second watchdog reads its snapshot before the first one writes, after a host write to
// another row: both fill the same free slot. It takes three coinciding events (a slot freed by
// the first watchdog's plan, an operator's edit of that row in the window, a start), so its bound
// is 1500 cases: since issue #16 item 11 (one start per watchdog tick) the race is rarer than the
// 301 cases it took before.
TEST_CASE("catalogue B18: two watchdogs read before either writes", "[sim][catalogue]") {
    require_found(18, {invariant::over_target}, -1, 1500);
}

// Issue #16's five entries (issue #18, item 4), in the world as production has it: systemd units,
// two-process attempts, and issue #18's fault kinds in the generated schedules. Each switches one
// of issue #16's guards off (guards.* in core/config.hpp, docs/parity.md).
// B19, item 1: reconcile revives a retryable row that kept finished_at (an operator's retry, as
// production's failed-attempt path stamps it) without clearing it; the row reads as
// running_with_finished_at, no rule touches it again, and its crawl's stall or death is never
// handled.
TEST_CASE("catalogue B19: a revived row keeps finished_at", "[sim][catalogue]") {
    require_found(19, {invariant::missed_stall, invariant::drift}, 2);
}
// B20, item 2: a live crawl with no lock, process or running-set entry in the snapshot but
// recent progress is swept. Its world: the lock file vanished (lock_lost), the running set was
// lost (a deploy restarts the worker; the crawl is a detached unit) and the host's process scan
// reads fine but misses the crawl (process_unmatched, issue #18 item 4): schedules drawn from all
// 23 kinds (unmatched_scenario). Found after 301 cases, shrunk to those three and the stall that
// made the crawl a restarted unit.
TEST_CASE("catalogue B20: a live crawl swept as an orphan", "[sim][catalogue]") {
    require_found(20, {invariant::false_orphan}, 4, 2000);
}
// B21, item 3: completion's first write (completed_at) lands, the crawl dies before the status
// write; the row is stall-recovered and the finished crawl runs again.
TEST_CASE("catalogue B21: a finished crawl runs again", "[sim][catalogue]") {
    require_found(21, {invariant::finished_restarted}, 1);
}
// B22, item 9: a crawl is two processes (the runner and its container child); with its lock file
// gone, a row an operator marked waiting is never reconciled from them.
TEST_CASE("catalogue B22: a two-process crawl is never reconciled", "[sim][catalogue]") {
    require_found(22, {invariant::drift, invariant::double_start}, 2);
}
// B23, item 10: a stalled row nothing runs gets a stop that restarts the worker, which kills the
// worker's other crawl.
TEST_CASE("catalogue B23: runner none restarts the worker", "[sim][catalogue]") {
    require_found(23, {invariant::restart_without_runner}, 1);
}

// Issue #18's findings, fixed in the engine (docs/simulator.md, "Findings of issue #18's world"),
// in the same production world. B24, finding 1: with the process list unreadable, the orphan
// sweep and queue fill read the empty list as "nothing runs it": a crawl that lost its lock and
// is out of the running set is swept and started again while it runs.
TEST_CASE("catalogue B24: an unreadable process list read as empty", "[sim][catalogue]") {
    require_found(24, {invariant::double_start, invariant::false_orphan}, 5, 1500);
}
// B25, finding 2: a waiting row with finished_at whose crawl lost its lock file is never
// reconciled from its processes (the fallback was for unfinished rows), and when that crawl stalls
// it is never stopped.
TEST_CASE("catalogue B25: processes of a row with finished_at ignored", "[sim][catalogue]") {
    require_found(25, {invariant::drift, invariant::missed_stall}, 2, 2000);
}
// B26, finding 3: an operator marks a running row whose completed_at landed retryable or queued,
// and queue fill crawls the finished job again.
TEST_CASE("catalogue B26: a waiting row with completed_at crawled again", "[sim][catalogue]") {
    require_found(26, {invariant::finished_restarted}, 4, 2000);
}

// ---- issue #21 (sched) ----
// B30, issue #21 item 2: concurrency_limits blind to the plan in progress (it counts the jobs
// running now only). In a mixed campaign with one crawl per source, two queued jobs of one source
// and nothing running both start in one tick: no fault is needed, so it shrinks to none.
// Its hunt found running_past_deadline first until that invariant's slack restarted when the
// deadline's write lost to a heartbeat in the decide -> apply window (docs/simulator.md).
TEST_CASE("catalogue B30: a concurrency rail that cannot see the plan", "[sim][catalogue]") {
    require_found(30, {invariant::over_group_limit}, 0);
}
