// The infra-error retry budget in the world (B14): a job the runtime refuses fails after
// max_retries retries whatever path its failures take, and the invariant that states it is not
// vacuous: either half of B14 alone (no budget in the engine, or a runner that re-queues infra
// errors where nothing counts them) breaks it.
#include <warden/sim/sim.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <rapidcheck.h>

#include <cstdint>

#include "scenario.hpp"

using namespace warden::sim;

namespace {

world_options refused_campaign(std::uint64_t seed) {
    world_options o;
    o.seed = seed;
    o.jobs = 6;
    o.target_running = 2;
    o.ticks = 720;
    o.infra_error_share = 0.5;
    o.verify_reference_apply = true;
    return o;
}

// The engine as it is, but with B14's engine-side guard back on: the world side alone.
warden::plan bounded(const warden::snapshot& s, const warden::config& c) {
    warden::config with_budget = c;
    with_budget.guards.bounded_retries = true;
    return warden::decide(s, with_budget);
}

} // namespace

TEST_CASE("retry budget: refused jobs fail after their retries, the rest of the campaign ends",
          "[sim][retry_budget]") {
    summary seen;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        const world_options o = refused_campaign(seed);
        const summary s = run(o);
        INFO(format_summary(s, o.tick_seconds));
        REQUIRE(s.violations.empty());
        REQUIRE(s.time_to_complete_ticks >= 0);
        CHECK(s.completed + s.failed_config + s.failed_infra == o.jobs);
        // Each refused job is failed once, by the budget, and by nothing else.
        CHECK(s.applied_by_rule[static_cast<std::size_t>(warden::rule_id::retry_budget)] ==
              s.failed_infra);
        accumulate(seen, s);
    }
    CHECK(seen.failed_infra > 0);
}

TEST_CASE("retry budget: generated schedules with refused jobs break no invariant",
          "[sim][retry_budget][property]") {
    check_property(
        "sim/retry-budget-guards-on",
        [](const scenario& sc) {
            world_options o = options_for(sc, legacy_bugs{});
            o.infra_error_share = 0.25;
            const summary s = run(o);
            if (!s.violations.empty())
                RC_FAIL(fmt::format("{} at tick {} job {}: {}", to_string(s.violations[0].what),
                                    s.violations[0].tick, s.violations[0].job,
                                    s.violations[0].message));
            RC_TAG(s.failed_infra > 0 ? "a budget spent" : "no budget spent");
        },
        50);
}

TEST_CASE("retry budget: without the engine's budget the world breaks retries_unbounded",
          "[sim][retry_budget][mutation]") {
    world_options o = refused_campaign(3);
    o.legacy = legacy_bugs::only(14);
    const summary both = run(o);
    REQUIRE_FALSE(both.violations.empty());
    CHECK(both.violations.front().what == invariant::retries_unbounded);

    // Engine half only: every failure takes the counted path, but nothing judges the count.
    o.legacy = {};
    const summary engine_half = run(o, [](const warden::snapshot& s, const warden::config& c) {
        warden::config unbounded = c;
        unbounded.guards.bounded_retries = false;
        return warden::decide(s, unbounded);
    });
    REQUIRE_FALSE(engine_half.violations.empty());
    CHECK(engine_half.violations.front().what == invariant::retries_unbounded);

    // World half only: the budget is judged, but a runner that re-queues infra errors for its
    // worker never passes the start from retryable that counts them.
    o.legacy = legacy_bugs::only(14);
    const summary world_half = run(o, bounded);
    REQUIRE_FALSE(world_half.violations.empty());
    CHECK(world_half.violations.front().what == invariant::retries_unbounded);
}

// Issue #15: an operator re-queues a job while its attempt runs; that attempt then fails with an
// infra error. The failure belongs to the budget the re-queue replaced: counting it against the
// fresh one made the world report retries_unbounded on a campaign the engine ran correctly
// (`warden-sim --seed 1 --jobs 6 --ticks 1440 --faults heavy --infra-error-share 0.3`, before the
// window faults were added to the heavy profile: they are off here so the run is that one).
TEST_CASE("retry budget: a failure of the attempt running at a re-queue is not a fresh retry",
          "[sim][retry_budget]") {
    world_options o;
    o.seed = 1;
    o.jobs = 6;
    o.ticks = 1440;
    o.rates = *fault_profile("heavy");
    for (const fault_kind k : {fault_kind::window_edit, fault_kind::window_retry,
                               fault_kind::window_progress, fault_kind::second_watchdog})
        o.rates[k] = 0.0;
    o.infra_error_share = 0.3;
    const summary s = run(o);
    INFO(format_summary(s, o.tick_seconds));
    CHECK(s.violations.empty());
    CHECK(s.faults[static_cast<std::size_t>(fault_kind::operator_requeue)] > 0);
    CHECK(s.failed_infra > 0);
}
