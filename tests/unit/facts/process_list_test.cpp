// Issue #18, finding 1 (facts/process_list.hpp, docs/facts/process_list.md): while the host cannot
// list processes, the orphan sweep and the start of a row that has run before are held.
#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

namespace {

// The double start of finding 1, as the watchdog's snapshot shows it: the crawl of job 1 lost its
// lock and is out of the running set, and the process list is unreadable.
warden::snapshot unreadable_list(std::vector<warden::job> jobs) {
    warden::snapshot s = world(std::move(jobs));
    s.host.process_list_readable = false;
    return s;
}

bool blocked_by_unreadable_list(const warden::plan& p, std::int64_t id) {
    for (const auto& b : p.blocked)
        if (warden::to_int(warden::action_job(b.proposed)) == id &&
            b.rail == warden::process_list_unreadable_hold)
            return true;
    return false;
}

} // namespace

TEST_CASE("process_list: the sweep is held while the process list is unreadable",
          "[facts][process_list][orphan_sweep]") {
    // No progress source (a NULL last_progress_at as the adapters load it): not alive, not a stall
    // verdict either, so the sweep is the rule that would take the row.
    auto s = unreadable_list(
        {as_loaded(job_builder{1, job_status::running, "hc-20260101"}.started(2h))});
    const auto held = warden::decide(s, fill_to(1));
    CHECK(held.actions.empty()); // failed before the fix: swept to retryable
    CHECK(blocked_by_unreadable_list(held, 1));
    const auto blocked = blocked_of<warden::set_status>(held);
    REQUIRE(blocked.size() == 1);
    CHECK(blocked[0].first.rule == warden::rule_id::orphan_sweep);
    CHECK(blocked[0].second.reason.find("process_list_unreadable") == 0);

    // Readable again and still empty: the sweep goes ahead.
    s.host.process_list_readable = true;
    const auto swept = actions_of<warden::set_status>(warden::decide(s, fill_to(1)));
    REQUIRE(swept.size() == 1);
    CHECK(swept[0].rule == warden::rule_id::orphan_sweep);

    // The guard off (B24): the sweep reads the unreadable list as empty.
    s.host.process_list_readable = false;
    warden::config off = fill_to(1);
    off.guards.unreadable_process_list_holds = false;
    CHECK(actions_of<warden::set_status>(warden::decide(s, off)).size() == 1);
}

TEST_CASE("process_list: a row that has run before is not started while the list is unreadable",
          "[facts][process_list][queue_fill]") {
    // Job 1 ran (swept or marked retryable while its lockless crawl may still run); job 2 never
    // ran, so nothing can be running it: it takes the slot.
    auto s = unreadable_list(
        {job_builder{1, job_status::retryable, "hc-20260101"}.annual().started(3h).queued(5h),
         job_builder{2, job_status::queued, "hc2-20260101"}.annual().queued(1h)});
    const auto p = warden::decide(s, fill_to(1));
    CHECK(started_ids(p) == std::vector<std::int64_t>{2}); // before the fix: {1}
    CHECK(blocked_by_unreadable_list(p, 1));
    const auto blocked = blocked_of<warden::start_job>(p);
    REQUIRE(blocked.size() == 1);
    CHECK(warden::to_int(blocked[0].first.job) == 1);

    // The boundary: the same rows with a readable list start job 1, the oldest in the queue.
    s.host.process_list_readable = true;
    CHECK(started_ids(warden::decide(s, fill_to(1))) == std::vector<std::int64_t>{1});

    // The guard off: job 1 starts blind.
    s.host.process_list_readable = false;
    warden::config off = fill_to(1);
    off.guards.unreadable_process_list_holds = false;
    CHECK(started_ids(warden::decide(s, off)) == std::vector<std::int64_t>{1});
}

TEST_CASE("process_list: a held start takes no slot and never-run rows still fill",
          "[facts][process_list][queue_fill]") {
    // Only rows that ran: nothing starts, each is blocked, nothing else is written.
    auto s =
        unreadable_list({job_builder{1, job_status::retryable, "hc-20260101"}.annual().started(3h),
                         job_builder{2, job_status::queued, "hc2-20260101"}.annual().started(4h)});
    const auto p = warden::decide(s, fill_to_unpaced(2));
    CHECK(p.actions.empty());
    CHECK(blocked_by_unreadable_list(p, 1));
    CHECK(blocked_by_unreadable_list(p, 2));

    // A row that never ran and one that did, target 2, unpaced: only the never-run one starts.
    auto t = unreadable_list(
        {job_builder{1, job_status::retryable, "hc-20260101"}.annual().started(3h).queued(5h),
         job_builder{2, job_status::queued, "hc2-20260101"}.annual().queued(1h)});
    CHECK(started_ids(warden::decide(t, fill_to_unpaced(2))) == std::vector<std::int64_t>{2});
}

TEST_CASE("process_list: other rules and a readable list are unaffected", "[facts][process_list]") {
    // A lock still shows a lockful crawl: reconcile revives its waiting row, list or no list.
    auto s = unreadable_list(
        {job_builder{1, job_status::retryable, "hc-20260101"}.annual().started(3h).progress(1min)});
    hold_lock(s, 1);
    const auto writes = actions_of<warden::set_status>(warden::decide(s, fill_to(1)));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].rule == warden::rule_id::reconcile);
    CHECK(writes[0].status == job_status::running);

    CHECK(warden::process_list_blind(warden::config{}, {true, false, 50.0}) == false);
    warden::host_facts h{true, false, 50.0};
    h.process_list_readable = false;
    CHECK(warden::process_list_blind(warden::config{}, h));
    warden::config off;
    off.guards.unreadable_process_list_holds = false;
    CHECK_FALSE(warden::process_list_blind(off, h));
    CHECK_FALSE(warden::has_run_before(job_builder{1, job_status::queued}));
    CHECK(warden::has_run_before(job_builder{1, job_status::queued}.started(1h)));
}

// Found by the config swarm once the world made lists unreadable beside lost locks: recap's
// stale-pipeline repair failed the queued row of a crawl that ran without its lock, unseen.
TEST_CASE("process_list: consistency repair is held while the list is unreadable",
          "[facts][process_list][consistency_repair]") {
    job_builder b{1, job_status::queued};
    b.started(3h).stage("crawl");
    b.j.updated_at = now - 2h; // past stale_pipeline_after (60 min)
    auto s = unreadable_list({b});
    const auto held = warden::decide(s, {});
    CHECK(held.actions.empty()); // before the fix: failed as stale_pipeline
    CHECK(blocked_by_unreadable_list(held, 1));

    s.host.process_list_readable = true;
    const auto repaired = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(repaired.size() == 1);
    CHECK(repaired[0].rule == warden::rule_id::consistency_repair);
    CHECK(repaired[0].status == job_status::failed);
}

// Config swarm seed 5720: an operator marked a running row retryable, its crawl lost its lock, and
// with the list unreadable the retry budget failed the row of the live crawl (then drift for
// good: a terminal row with live evidence is only reported).
TEST_CASE("process_list: the retry budget is held while the list is unreadable",
          "[facts][process_list][retry_budget]") {
    auto s = unreadable_list({job_builder{1, job_status::retryable}
                                  .started(3h)
                                  .finished(1h)
                                  .failure(warden::failure_class::infra_error)
                                  .retries(5)});
    const auto held = warden::decide(s, {});
    CHECK(held.actions.empty()); // before the fix: failed, budget spent
    CHECK(blocked_by_unreadable_list(held, 1));

    s.host.process_list_readable = true;
    const auto spent = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(spent.size() == 1);
    CHECK(spent[0].rule == warden::rule_id::retry_budget);
    CHECK(spent[0].status == job_status::failed);
}
