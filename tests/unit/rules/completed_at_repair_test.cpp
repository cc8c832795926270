// Issue #16, item 3: a running row with completed_at set is a finished crawl, never run again.
#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

namespace {

// Completion's first write landed (completed_at), its status write did not.
warden::job half_completed(std::int64_t id, duration progress_ago) {
    job_builder b{id, job_status::running};
    b.started(5h).progress(progress_ago);
    b.j.completed_at = now - progress_ago;
    return b;
}

} // namespace

TEST_CASE("running with completed_at is repaired to completed by compare-and-set",
          "[rules][consistency_repair][issue16]") {
    auto s = world({half_completed(4, 3h)});
    const warden::plan p = warden::decide(s, {});
    REQUIRE(p.actions.size() == 1); // no stall recovery, no stop, no restart
    const auto writes = actions_of<warden::set_status>(p);
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].rule == warden::rule_id::consistency_repair);
    CHECK(writes[0].expected_status == job_status::running);
    CHECK(writes[0].expected_version == 1);
    CHECK(writes[0].status == job_status::completed);
    CHECK(writes[0].reason == "completed_at set");
    CHECK(p.summary.stalled == 0);
}

TEST_CASE("completed_at repair: also fresh, and with finished_at set too",
          "[rules][consistency_repair][issue16]") {
    // Boundary: progress a minute old (not stalled) is repaired all the same; a finished_at
    // written by the same first write is completion's, not an anomaly that blocks the repair.
    warden::job fresh = half_completed(1, 1min);
    warden::job both = half_completed(2, 2h);
    both.finished_at = both.completed_at;
    const warden::plan p = warden::decide(world({fresh, both}), {});
    CHECK(p.anomalies.empty());
    const auto writes = actions_of<warden::set_status>(p);
    REQUIRE(writes.size() == 2);
    for (const auto& w : writes) {
        CHECK(w.status == job_status::completed);
        CHECK(w.reason == "completed_at set");
    }
}

TEST_CASE("completed_at repair waits while a lock or process is live, and nothing else acts",
          "[rules][consistency_repair][issue16]") {
    // Deny: the worker's second write may be in flight. Stalled, yet never stall-recovered.
    auto s = world({half_completed(1, 3h), half_completed(2, 3h)});
    hold_lock(s, 1);
    add_process(s, 2, 4242);
    const warden::plan p = warden::decide(s, {});
    CHECK(p.actions.empty());
    CHECK(p.blocked.empty());
    CHECK(p.summary.stalled == 0);
}

TEST_CASE("completed_at: never swept as an orphan, never restarted by queue fill",
          "[rules][consistency_repair][issue16]") {
    auto s = world({half_completed(1, 3h)});
    const warden::plan p = warden::decide(s, fill_to(3));
    CHECK(actions_of<warden::start_job>(p).empty());
    for (const auto& a : p.actions)
        CHECK(warden::action_rule(a) == warden::rule_id::consistency_repair);
}

TEST_CASE("completed_at without the guard: stall-recovered and restarted (the bug)",
          "[rules][consistency_repair][issue16]") {
    warden::config c;
    c.guards.completed_at_is_completion = false;
    const warden::plan p = warden::decide(world({half_completed(1, 3h)}), c);
    const auto writes = actions_of<warden::set_status>(p);
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].rule == warden::rule_id::stall_recovery);
}

TEST_CASE("completed_at repair applies once through apply_to_snapshot",
          "[rules][consistency_repair][apply][issue16]") {
    auto s = world({half_completed(1, 3h)});
    const auto r = warden::apply_to_snapshot(s, warden::decide(s, {}));
    CHECK(r.applied == 1);
    CHECK(s.jobs[0].status == job_status::completed);
    CHECK(s.jobs[0].finished_at.has_value());
    CHECK(warden::decide(s, {}).actions.empty()); // idempotent: nothing left to do
}
