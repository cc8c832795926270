// Issue #16, item 10: a stalled row nothing runs gets its status change only.
#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

TEST_CASE("runner none: a stalled row is marked retryable with no stop or restart",
          "[rules][stall_recovery][issue16]") {
    auto s = world({job_builder{3, job_status::running}.started(3h).progress(2h)});
    const warden::plan p = warden::decide(s, {});
    CHECK(actions_of<warden::stop_job>(p).empty());
    const auto writes = actions_of<warden::set_status>(p);
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].status == job_status::retryable);
    CHECK(writes[0].reason == "no progress (nothing runs it: row only)");
    CHECK(p.summary.stalled == 1);
}

TEST_CASE("runner none still gets its tool options for the next attempt",
          "[rules][stall_recovery][issue16]") {
    auto s = world({job_builder{3, job_status::running}.started(3h).progress(2h)});
    const warden::plan p = warden::decide(s, {});
    CHECK(actions_of<warden::set_tool_options>(p).size() == 1);
    CHECK(actions_of<warden::stop_job>(p).empty());
}

TEST_CASE("runner worker: the stalled row's runner is still stopped and restarted",
          "[rules][stall_recovery][issue16]") {
    // Boundary: one running-set entry is enough to make the worker its runner.
    auto s = world({job_builder{3, job_status::running}.started(3h).progress(2h)});
    s.running_set.push_back(warden::job_id{3});
    const auto stops = actions_of<warden::stop_job>(warden::decide(s, {}));
    REQUIRE(stops.size() == 1);
    CHECK(stops[0].runner == warden::runner_class::worker);
    CHECK(stops[0].restart);
}

TEST_CASE("runner none without the guard restarts the worker (the bug)",
          "[rules][stall_recovery][issue16]") {
    warden::config c;
    c.guards.runner_none_status_only = false;
    auto s = world({job_builder{3, job_status::running}.started(3h).progress(2h)});
    const auto stops = actions_of<warden::stop_job>(warden::decide(s, c));
    REQUIRE(stops.size() == 1);
    CHECK(stops[0].runner == warden::runner_class::none);
    CHECK(stops[0].restart);
}
