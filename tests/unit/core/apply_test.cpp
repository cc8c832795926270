#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <variant>

#include "../../support/builders.hpp"

using namespace wt;

TEST_CASE("apply: a write whose row moved is a conflict and writes nothing (B7)", "[core][apply]") {
    auto s = world({job_builder{1, job_status::queued}.stage("persist").outputs().version(4)});
    const auto p = warden::decide(s, {});
    s.jobs[0].version = 5; // someone else wrote the row in between
    const auto r = warden::apply_to_snapshot(s, p);
    CHECK(r.conflicts == 1);
    CHECK(r.applied == 0);
    CHECK(s.jobs[0].status == job_status::queued);
    CHECK(s.jobs[0].version == 5);
}

TEST_CASE("apply: chained versions let several writes to one job land in order", "[core][apply]") {
    warden::config c;
    c.ensure_min_running_jobs = 1;
    auto s = world({job_builder{9, job_status::queued, "phac-covid-20260101"}.version(1)});
    const auto p = warden::decide(s, c);
    const auto r = warden::apply_to_snapshot(s, p);
    CHECK(r.applied == 2);
    CHECK(s.jobs[0].status == job_status::running);
    CHECK(s.jobs[0].kind == warden::campaign_kind::annual);
    CHECK(s.jobs[0].version == 3);
    REQUIRE(s.starts.size() == 1);
    CHECK(s.starts[0].at == now);
}

// Issue #15, item 1: the start's expected version (v2) was predicted from the backfill's write.
// A host wrote the row once (v1 -> v2), so the backfill conflicts and v2 now names the host's
// row, which says nothing about the campaign: the start must not land on it.
TEST_CASE("apply: a chained write after a conflict is not_reached (issue 15.1)", "[core][apply]") {
    warden::config c;
    c.ensure_min_running_jobs = 1;
    auto s = world({job_builder{9, job_status::queued, "phac-covid-20260101"}.version(1)});
    const auto p = warden::decide(s, c);
    REQUIRE(p.actions.size() == 2);
    REQUIRE(std::holds_alternative<warden::backfill_campaign>(p.actions[0]));
    REQUIRE(std::holds_alternative<warden::start_job>(p.actions[1]));
    s.jobs[0].version = 2; // the operator's edit, between decide and apply
    s.jobs[0].name = "phac-covid-20240101";
    const auto r = warden::apply_to_snapshot(s, p);
    REQUIRE(r.outcomes.size() == 2);
    CHECK(r.outcomes[0] == warden::apply_outcome::conflict);
    CHECK(r.outcomes[1] == warden::apply_outcome::not_reached);
    CHECK(r.applied == 0);
    CHECK(r.conflicts == 1);
    CHECK(r.not_reached == 1);
    CHECK(s.jobs[0].status == job_status::queued);
    CHECK(s.jobs[0].version == 2);
    CHECK(s.starts.empty());
}

namespace {

// A stalled running job's recovery, as stall_recovery writes it: status, then tool options on
// the version the status write would leave, then the stop of its runner.
warden::plan recovery_plan(const warden::job& j, warden::tool_options raised) {
    warden::plan p;
    p.actions.emplace_back(warden::set_status{j.id,
                                              job_status::running,
                                              j.version,
                                              job_status::retryable,
                                              std::nullopt,
                                              warden::rule_id::stall_recovery,
                                              "no progress",
                                              {}});
    p.actions.emplace_back(warden::set_tool_options{j.id, job_status::retryable, j.version + 1,
                                                    j.options, raised,
                                                    warden::rule_id::stall_recovery});
    warden::stop_job stop;
    stop.job = j.id;
    stop.pids = {4242};
    stop.rule = warden::rule_id::stall_recovery;
    stop.restart = true;
    p.actions.emplace_back(std::move(stop));
    return p;
}

} // namespace

// Issue #15, items 1 and 2: the crawler's progress lands between decide and apply. The recovery's
// status write conflicts; the options write (predicted version) and the stop (of a crawl that
// just made progress) must not be carried out.
TEST_CASE("apply: a stop after its job's conflicting status write is not_reached (issue 15.2)",
          "[core][apply]") {
    auto s = world({job_builder{3, job_status::running}.started(3h).progress(2h).version(5)});
    s.processes.push_back(warden::process_fact{4242, s.jobs[0].output_dir, "zimit", {}, {}});
    s.locks.push_back(s.jobs[0].id);
    const warden::tool_options operators{7, 70, 70, 7, std::nullopt};
    const auto p = recovery_plan(s.jobs[0], warden::tool_options{20, 50, 50, 2, std::nullopt});
    // A heartbeat and the operator's options land in the window: the row is at v6.
    s.jobs[0].last_progress_at = now;
    s.jobs[0].version = 6;
    s.jobs[0].options = operators;
    const auto r = warden::apply_to_snapshot(s, p);
    REQUIRE(r.outcomes.size() == 3);
    CHECK(r.outcomes[0] == warden::apply_outcome::conflict);
    CHECK(r.outcomes[1] == warden::apply_outcome::not_reached);
    CHECK(r.outcomes[2] == warden::apply_outcome::not_reached);
    CHECK(r.not_reached == 2);
    CHECK(s.jobs[0].status == job_status::running);
    CHECK(s.jobs[0].options == operators);
    CHECK(s.jobs[0].version == 6);
    CHECK(s.processes.size() == 1); // the live crawl goes on
    CHECK(s.locks.size() == 1);
    CHECK(s.recoveries.empty());
}

TEST_CASE("apply: a conflict on one job leaves other jobs' actions alone", "[core][apply]") {
    auto s = world({job_builder{1, job_status::running}.version(2),
                    job_builder{2, job_status::running}.version(4)});
    warden::plan p = recovery_plan(s.jobs[0], warden::tool_options{20, 50, 50, 2, std::nullopt});
    const warden::plan second =
        recovery_plan(s.jobs[1], warden::tool_options{20, 50, 50, 2, std::nullopt});
    p.actions.insert(p.actions.end(), second.actions.begin(), second.actions.end());
    s.jobs[0].version = 3; // job 1 moved; job 2 did not
    const auto r = warden::apply_to_snapshot(s, p);
    CHECK(r.conflicts == 1);
    CHECK(r.not_reached == 2);
    CHECK(r.applied == 3);
    CHECK(s.jobs[1].status == job_status::retryable);
    CHECK(s.jobs[1].version == 6);
}

// Issue #15, item 5 (the reference side): a counter at its maximum makes the write impossible,
// not undefined: a conflict, the row as it was, no start recorded.
TEST_CASE("apply: a start of a row whose retry_count is at its maximum is refused",
          "[core][apply]") {
    auto s = world({job_builder{4, job_status::retryable}.version(3)});
    s.jobs[0].retry_count = std::numeric_limits<std::int32_t>::max();
    warden::plan p;
    p.actions.emplace_back(warden::start_job{s.jobs[0].id, job_status::retryable, 3,
                                             s.jobs[0].options, warden::rule_id::queue_fill});
    const auto r = warden::apply_to_snapshot(s, p);
    CHECK(r.conflicts == 1);
    CHECK(r.applied == 0);
    CHECK(s.jobs[0].retry_count == std::numeric_limits<std::int32_t>::max());
    CHECK(s.jobs[0].status == job_status::retryable);
    CHECK(s.jobs[0].version == 3);
    CHECK(s.starts.empty());
}

TEST_CASE("apply: a write to a row whose version is at its maximum is refused", "[core][apply]") {
    const std::int64_t top = std::numeric_limits<std::int64_t>::max();
    auto s = world({job_builder{5, job_status::queued}.version(top)});
    warden::plan p;
    p.actions.emplace_back(warden::start_job{s.jobs[0].id, job_status::queued, top,
                                             s.jobs[0].options, warden::rule_id::queue_fill});
    const auto r = warden::apply_to_snapshot(s, p);
    CHECK(r.conflicts == 1);
    CHECK(s.jobs[0].version == top);
    CHECK(s.jobs[0].status == job_status::queued);
}

// Issue #16 items 7 and 8: the start carries the recovery's self-healing options and the
// backfill writes the kind of a row that had only a campaign_year; the reference applier keeps
// both.
TEST_CASE("apply: a start stores its self-healing options, a backfill the missing kind",
          "[core][apply][queue_fill]") {
    warden::job j = job_builder{4, job_status::queued, "hc-news"}.version(2);
    j.campaign_year = 2026;
    auto s = world({j});
    const auto p = warden::decide(s, fill_to(1));
    REQUIRE(p.actions.size() == 2);
    const auto r = warden::apply_to_snapshot(s, p);
    CHECK(r.applied == 2);
    CHECK(s.jobs[0].kind == warden::campaign_kind::annual);
    CHECK(s.jobs[0].campaign_year == 2026);
    CHECK(s.jobs[0].status == job_status::running);
    CHECK(s.jobs[0].options.monitoring == true);
    CHECK(s.jobs[0].options.adaptive_restart == true);
    CHECK(s.jobs[0].options.stall_timeout_minutes == 60);
    CHECK(s.jobs[0].options.max_container_restarts == 20);
}
