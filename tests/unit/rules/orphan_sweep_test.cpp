#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;
using warden::failure_class;

TEST_CASE("orphan_sweep: a running job with no runtime evidence fails as orphaned",
          "[rules][orphan_sweep]") {
    auto s = world({job_builder{1, job_status::running}.started(20min)});
    const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].status == job_status::failed);
    CHECK(writes[0].failure == failure_class::orphaned);
    CHECK(writes[0].rule == warden::rule_id::orphan_sweep);
}

TEST_CASE("orphan_sweep: an annual job goes back to retryable", "[rules][orphan_sweep]") {
    auto s = world({job_builder{1, job_status::running, "hc-20260101"}.started(20min)});
    const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].status == job_status::retryable);
}

TEST_CASE("orphan_sweep: any liveness or completion evidence protects the job",
          "[rules][orphan_sweep]") {
    auto s = world({job_builder{1, job_status::running}.started(20min).progress(1min),
                    job_builder{2, job_status::running}.started(20min).progress(1min),
                    job_builder{3, job_status::running}.started(20min).progress(1min),
                    job_builder{4, job_status::running}.started(20min).progress(1min)});
    hold_lock(s, 1);
    add_process(s, 2, 202);
    s.running_set.push_back(warden::job_id{3});
    s.jobs[3].completed_at = now - 1min; // a completion racing the sweep
    // Nothing is swept; job 4's completed_at is completion (issue #16, item 3): repaired.
    const auto p = warden::decide(s, {});
    for (const auto& a : p.actions)
        CHECK(warden::action_rule(a) == warden::rule_id::consistency_repair);
    CHECK(p.actions.size() == 1);
}

TEST_CASE("orphan_sweep: completed jobs are never touched", "[rules][orphan_sweep]") {
    auto s = world({job_builder{1, job_status::completed}.started(3h).finished(2h)});
    CHECK(warden::decide(s, {}).actions.empty());
}

TEST_CASE("orphan_sweep: grace boundaries", "[rules][orphan_sweep][grace_window]") {
    warden::config c;
    c.start_grace = 0s; // isolate orphan_grace (10 min)
    auto at = [&](duration started) {
        auto s = world({job_builder{1, job_status::running}.started(started)});
        return warden::decide(s, c);
    };
    CHECK(at(c.orphan_grace - 1s).actions.empty());
    const auto on_edge = at(c.orphan_grace);
    CHECK(on_edge.actions.empty());
    REQUIRE(on_edge.blocked.size() == 1);
    CHECK(on_edge.blocked[0].rail == "grace_window");
    CHECK(actions_of<warden::set_status>(at(c.orphan_grace + 1s)).size() == 1);

    // With the default start grace (15 min) the longer window wins.
    warden::config defaults;
    auto s = world({job_builder{1, job_status::running}.started(12min)});
    CHECK(warden::decide(s, defaults).actions.empty());
}
