#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

TEST_CASE("sentinel_gate: allows every action while the sentinel is present",
          "[rails][sentinel_gate]") {
    rail_bench b{job_builder{1, job_status::queued}};
    const warden::sentinel_gate gate;
    CHECK(b.check(gate, start_of(b.snap.jobs[0])).allowed);
    CHECK(b.check(gate, warden::stop_job{}).allowed);
}

TEST_CASE("sentinel_gate: denies every kind of action host-wide without it",
          "[rails][sentinel_gate]") {
    rail_bench b{job_builder{1, job_status::queued}};
    b.snap.host.sentinel_present = false;
    const warden::sentinel_gate gate;
    for (const warden::action& a :
         {warden::action{start_of(b.snap.jobs[0])}, warden::action{warden::set_status{}},
          warden::action{warden::backfill_campaign{}}, warden::action{warden::set_tool_options{}},
          warden::action{warden::stop_job{}}}) {
        const auto v = std::visit([&](const auto& x) { return b.check(gate, x); }, a);
        CHECK_FALSE(v.allowed);
        CHECK(v.scope == warden::denial_scope::host);
    }
}

TEST_CASE("sentinel_gate: a dry run still computes the whole plan", "[rails][sentinel_gate]") {
    auto s = world({job_builder{7, job_status::retryable}.started(1h).progress(1min)});
    hold_lock(s, 7);
    s.host.sentinel_present = false;
    const auto dry = warden::decide(s, {});
    s.host.sentinel_present = true;
    const auto live = warden::decide(s, {});
    CHECK(dry.actions.empty());
    REQUIRE(dry.blocked.size() == live.actions.size());
    CHECK(dry.blocked[0].proposed == live.actions[0]);
}
