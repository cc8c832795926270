// The progress circuit breaker in the world (issue #17): a job whose every restart stalls a few
// pages later is recovered three times and then left for an operator. The invariant that states
// it (recovery_while_circuit_open: no recovery lands while the circuit is open) is not vacuous:
// a rail set without the circuit breaks it on the same run. The counts travel from the host's
// progress tracker (progress_logs) through the plan into the store's recovery history.
#include <warden/sim/sim.hpp>

#include <catch2/catch.hpp>

#include <cstdint>

#include "scenario.hpp"

using namespace warden::sim;

namespace {

// repeated_stalls() for 60 h, with crawl logs: each attempt stalls within 10 ticks of running,
// so no recovery gains 10 pages. Without the circuit, the daily cap would allow a fourth
// recovery 24 h after the first.
world_options churning() {
    world_options o = repeated_stalls(3600);
    o.progress_logs = true;
    return o;
}

// default_rails() without progress_circuit.
decider without_progress_circuit() {
    return deciding_with(warden::make_rails(warden::grace_window{}, warden::legacy_annual{},
                                            warden::annual_minimums{}, warden::daily_start_cap{},
                                            warden::daily_recovery_cap{}, warden::disk_threshold{},
                                            warden::deploy_lock{}, warden::sentinel_gate{}));
}

std::int64_t circuit_denials(const std::vector<event>& events, std::int64_t job) {
    std::int64_t n = 0;
    for (const event& e : events)
        if (e.kind == event_kind::watchdog_blocked && e.job == job &&
            e.note.find("blocked by progress_circuit") != std::string::npos)
            ++n;
    return n;
}

} // namespace

TEST_CASE("progress circuit: a churning job gets three recoveries, then waits for an operator",
          "[sim][progress_circuit]") {
    const world_options o = churning();
    world w(o);
    const summary s = w.run();
    INFO(format_summary(s, o.tick_seconds));
    REQUIRE(s.violations.empty());
    const auto r = recovery_ticks(w.events(), 1);
    CHECK(r.size() == 3);
    CHECK(circuit_denials(w.events(), 1) > 0);
    // The held job's stalled crawl is the campaign's only remainder: it converged without it.
    CHECK(s.time_to_complete_ticks >= 0);
}

TEST_CASE("progress circuit: without the rail the same job breaks recovery_while_circuit_open",
          "[sim][progress_circuit][mutation]") {
    const world_options o = churning();
    const summary s = run(o, without_progress_circuit());
    INFO(format_summary(s, o.tick_seconds));
    REQUIRE_FALSE(s.violations.empty());
    CHECK(s.violations.front().what == invariant::recovery_while_circuit_open);
}

TEST_CASE("progress circuit: a host that drops the counts keeps the circuit closed",
          "[sim][progress_circuit]") {
    // Without counts the circuit cannot open (a missing count is closed): the daily cap alone
    // bounds the recoveries, and the invariant, judged from the counts the recoveries carry,
    // sees none either.
    const world_options o = churning();
    world w(o, [](warden::snapshot snap, const warden::config& c) {
        for (auto& j : snap.jobs)
            j.crawled_pages.reset();
        return warden::decide(snap, c);
    });
    const summary s = w.run();
    INFO(format_summary(s, o.tick_seconds));
    CHECK(s.violations.empty());
    CHECK(recovery_ticks(w.events(), 1).size() > 3); // only the daily cap held it
    CHECK(circuit_denials(w.events(), 1) == 0);
}

TEST_CASE("progress circuit: swarm campaigns with crawl logs hold every invariant",
          "[sim][progress_circuit][swarm]") {
    (void)run_swarm(30, [](world_options& o) { o.progress_logs = true; });
}

TEST_CASE("degraded rate: the world's one-page-a-minute crawls are observed, never acted on",
          "[sim][degraded_rate]") {
    // The simulator's crawls fetch one page a tick (a minute): under the default degraded rate of
    // two pages a minute. With crawl logs the host's progress tracker counts the streak, and the
    // watchdog reports the crawls once it reaches six observations; nothing breaks, and the
    // campaign still converges. Without crawl logs no streak is measured, and nothing is reported.
    world_options o = swarm_campaign(3, 4, 2);
    o.progress_logs = true;
    const summary with_logs = run(o);
    INFO(format_summary(with_logs, o.tick_seconds));
    REQUIRE(with_logs.violations.empty());
    CHECK(with_logs.time_to_complete_ticks >= 0);
    CHECK(with_logs.degraded_observations > 0);
    o.progress_logs = false;
    const summary without = run(o);
    REQUIRE(without.violations.empty());
    CHECK(without.degraded_observations == 0);
}
