// The daily recovery cap in the world (issue #8): the store records every stall recovery that
// lands, the watchdog's snapshot carries that history, and the cap keeps a job that stalls after
// every restart to three recoveries per 24 h. The invariant that states it is not vacuous: a
// rail set without the cap, or a host that loses the history, breaks it.
#include <warden/sim/sim.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>

#include "scenario.hpp"

using namespace warden::sim;

TEST_CASE("recovery cap: a job that stalls after every restart gets three recoveries a day",
          "[sim][recovery_cap]") {
    const world_options o = repeated_stalls();
    world w(o);
    const summary s = w.run();
    require_capped(o, s, w.events());
}

TEST_CASE("recovery cap: without the rail the same job breaks recovery_over_cap",
          "[sim][recovery_cap][mutation]") {
    const world_options o = repeated_stalls();
    const summary s = run(o, without_recovery_cap());
    INFO(format_summary(s, o.tick_seconds));
    REQUIRE_FALSE(s.violations.empty());
    CHECK(s.violations.front().what == invariant::recovery_over_cap);
    CHECK(s.violations.front().tick < o.ticks);
}

TEST_CASE("recovery cap: a host that loses the recovery history breaks recovery_over_cap",
          "[sim][recovery_cap][mutation]") {
    // The invariant counts the recoveries the world saw land, not the store's history the
    // engine reads: with the history gone the rail never denies, and the world notices.
    const world_options o = repeated_stalls();
    const summary s = run(o, [](warden::snapshot snap, const warden::config& c) {
        snap.recoveries.clear();
        return warden::decide(snap, c);
    });
    INFO(format_summary(s, o.tick_seconds));
    REQUIRE_FALSE(s.violations.empty());
    CHECK(s.violations.front().what == invariant::recovery_over_cap);
}

TEST_CASE("recovery cap: a capped job whose runner died holding its lock waits for the cap",
          "[sim][recovery_cap]") {
    // Job 1's fourth attempt stalls and its recovery is refused; then the stalled runner dies
    // and leaves its lock, and the faults stop. The row says running with nothing running it,
    // and only the refused recovery could stop the lock: that is no drift. The job keeps its
    // running slot, so job 2, queued and startable all along, waits without underfilling. The
    // disk spikes keep job 2 from the slot while job 1 sits out its start cap.
    world_options o = repeated_stalls(1530);
    o.jobs = 2;
    o.worker_picks_queued = false; // only queue fill starts, one job at a time
    for (const std::int64_t t : {400, 470, 760, 1050, 1135})
        o.schedule.push_back(fault_cmd{t, fault_kind::disk_spike, 0, 29});
    o.schedule.push_back(fault_cmd{1525, fault_kind::stale_lock, 0, 0});
    world w(o);
    const summary s = w.run();
    require_capped(o, s, w.events());
    const auto r = recovery_ticks(w.events(), 1);
    const std::int64_t held_until = r[3];
    CHECK(held_until - 1525 > w.drift_bound_ticks());    // drift would have fired
    CHECK(held_until - o.ticks > w.drift_bound_ticks()); // so would underfilled
    const auto start_kind = static_cast<std::int64_t>(warden::action{warden::start_job{}}.index());
    const auto first_start_of_2 =
        std::find_if(w.events().begin(), w.events().end(), [&](const event& e) {
            return e.kind == event_kind::watchdog_applied && e.job == 2 && e.a == start_kind;
        });
    REQUIRE(first_start_of_2 != w.events().end());
    CHECK(first_start_of_2->tick > held_until); // job 2 waited, startable, through the hold
}
