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

// Issue #18, finding 3: an operator marked a running row with completed_at retryable (or queued)
// and, before the fix, queue fill crawled the finished job again: the repair saw running rows
// only. A waiting row with completed_at and no live evidence is repaired to completed; a live
// attempt is reconcile's; a requeue that clears completed_at is a real retry.
TEST_CASE("completed_at repair: a waiting row with completed_at is completed, not restarted",
          "[rules][consistency_repair][issue18]") {
    for (const job_status waiting : {job_status::retryable, job_status::queued}) {
        warden::job row = half_completed(3, 2h);
        row.status = waiting;
        row.name = "hc-20260101";
        row.kind = warden::campaign_kind::annual;
        row.campaign_year = 2026;
        auto s = world({row});
        const warden::plan p = warden::decide(s, fill_to(1));
        CHECK(started_ids(p).empty()); // before the fix: {3}
        const auto writes = actions_of<warden::set_status>(p);
        REQUIRE(writes.size() == 1);
        CHECK(writes[0].rule == warden::rule_id::consistency_repair);
        CHECK(writes[0].expected_status == waiting);
        CHECK(writes[0].status == job_status::completed);
        CHECK(writes[0].reason == "completed_at set, waiting");

        // A live process on its dir with fresh progress: an attempt runs, reconcile revives the
        // row instead.
        auto live = world({row});
        live.jobs[0].last_progress_at = now - 1min;
        add_process(live, 3, 303);
        const auto revived = actions_of<warden::set_status>(warden::decide(live, fill_to(1)));
        REQUIRE(revived.size() == 1);
        CHECK(revived[0].rule == warden::rule_id::reconcile);

        // The operator cleared completed_at with the requeue: a deliberate retry, started.
        auto retry = world({row});
        retry.jobs[0].completed_at.reset();
        CHECK(started_ids(warden::decide(retry, fill_to(1))) == std::vector<std::int64_t>{3});

        // The guard off (B26): the finished crawl is started again.
        warden::config off = fill_to(1);
        off.guards.waiting_completed_at_is_completion = false;
        CHECK(started_ids(warden::decide(s, off)) == std::vector<std::int64_t>{3});
    }
}
