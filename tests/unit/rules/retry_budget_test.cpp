#include <warden/apply.hpp>

#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;
using warden::failure_class;

namespace {

job_builder infra_failed(std::int64_t id, std::int32_t retries) {
    return std::move(job_builder{id, job_status::retryable}
                         .annual()
                         .queued(24h)
                         .started(2h)
                         .finished(1h)
                         .error("docker: Error response from daemon: no such image")
                         .failure(failure_class::infra_error)
                         .retries(retries));
}

} // namespace

TEST_CASE("retry_budget: an infra-error job below its budget is retried", "[rules][retry_budget]") {
    // Boundary: 4 of 5 retries used, so the fifth is still allowed.
    auto s = world({infra_failed(1, 4)});
    const auto p = warden::decide(s, fill_to(1));
    CHECK(actions_of<warden::set_status>(p).empty());
    CHECK(started_ids(p) == std::vector<std::int64_t>{1});
}

TEST_CASE("retry_budget: an infra-error job at its budget is failed, not started",
          "[rules][retry_budget]") {
    auto s = world({infra_failed(1, 5), infra_failed(2, 9)});
    const auto p = warden::decide(s, fill_to(2));
    const auto writes = actions_of<warden::set_status>(p);
    REQUIRE(writes.size() == 2);
    for (const auto& w : writes) {
        CHECK(w.expected_status == job_status::retryable);
        CHECK(w.status == job_status::failed);
        CHECK_FALSE(w.failure.has_value()); // the row keeps its infra_error class
        CHECK(w.rule == warden::rule_id::retry_budget);
        CHECK(w.evidence.kind == warden::evidence_kind::retry_count);
    }
    CHECK(writes[0].evidence.value == 5);
    CHECK(started_ids(p).empty());
    // Applied, the row is failed with its class intact: finished, never started again.
    warden::snapshot after = s;
    CHECK(warden::apply_to_snapshot(after, p).applied == 2);
    CHECK(after.jobs[0].status == job_status::failed);
    CHECK(after.jobs[0].failure == failure_class::infra_error);
    CHECK(warden::decide(after, fill_to(2)).actions.empty());
}

TEST_CASE("retry_budget: max_retries sets the budget, 0 fails at the first infra error",
          "[rules][retry_budget]") {
    auto c = fill_to(1);
    c.max_retries = 0;
    auto s = world({infra_failed(1, 0)});
    const auto writes = actions_of<warden::set_status>(warden::decide(s, c));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].status == job_status::failed);
    c.max_retries = 1;
    CHECK(started_ids(warden::decide(s, c)) == std::vector<std::int64_t>{1});
    c.max_retries = -1;
    const auto invalid = warden::decide(s, c);
    REQUIRE(invalid.errors.size() == 1);
    CHECK(invalid.errors[0].field == "config.max_retries");
    CHECK(invalid.actions.empty());
}

TEST_CASE("retry_budget: other failure classes and statuses are not budgeted",
          "[rules][retry_budget]") {
    // Timeouts, stalls and orphans are bounded by the daily caps: their cause can go away.
    auto transient = infra_failed(1, 50);
    transient.failure(failure_class::transient);
    auto orphaned = infra_failed(2, 50);
    orphaned.failure(failure_class::orphaned);
    auto queued = infra_failed(3, 50); // an operator re-queued it by hand: their call
    queued.j.status = job_status::queued;
    auto s = world({transient, orphaned, queued});
    const auto p = warden::decide(s, fill_to_unpaced(3));
    CHECK(actions_of<warden::set_status>(p).empty());
    CHECK(started_ids(p).size() == 3);
}

TEST_CASE("retry_budget: a job with a live attempt is left to reconcile",
          "[rules][retry_budget][reconcile]") {
    auto s = world({job_builder{1, job_status::retryable}
                        .annual()
                        .started(10min)
                        .progress(1min)
                        .failure(failure_class::infra_error)
                        .retries(7)});
    hold_lock(s, 1);
    const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].rule == warden::rule_id::reconcile);
    CHECK(writes[0].status == job_status::running);
}

TEST_CASE("retry_budget: the guard switch brings B14 back", "[rules][retry_budget]") {
    auto c = fill_to(1);
    c.guards.bounded_retries = false;
    auto s = world({infra_failed(1, 40)});
    const auto p = warden::decide(s, c);
    CHECK(actions_of<warden::set_status>(p).empty());
    CHECK(started_ids(p) == std::vector<std::int64_t>{1});
}

TEST_CASE("retry_budget: the write is held under the deploy lock and in dry run",
          "[rules][retry_budget][deploy_lock][sentinel_gate]") {
    auto s = world({infra_failed(1, 5)});
    s.host.deploy_lock_present = true;
    auto p = warden::decide(s, {});
    CHECK(p.actions.empty());
    REQUIRE(p.blocked.size() == 1);
    CHECK(p.blocked[0].rail == "deploy_lock");
    s.host.deploy_lock_present = false;
    s.host.sentinel_present = false;
    p = warden::decide(s, {});
    CHECK(p.actions.empty());
    REQUIRE(p.blocked.size() == 1);
    CHECK(p.blocked[0].rail == "sentinel_gate");
}

TEST_CASE("retry_budget: a row in the worker's running set is a live attempt, left to reconcile",
          "[rules][retry_budget][running_set]") {
    // Review 7 finding 3 (f6_retry_budget_running_set.json): the worker had picked the row up
    // (running set, no lock or process yet) and the budget failed it under the attempt.
    auto s = world({infra_failed(1, 5)});
    s.running_set.push_back(warden::job_id{1});
    CHECK(actions_of<warden::set_status>(warden::decide(s, {})).empty());
    SECTION("not in the running set: failed as before") {
        s.running_set.clear();
        const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
        REQUIRE(writes.size() == 1);
        CHECK(writes[0].rule == warden::rule_id::retry_budget);
    }
    SECTION("another job's entry does not protect it") {
        s.running_set = {warden::job_id{2}};
        s.jobs.push_back(job_builder{2, job_status::running}.started(1h).progress(1min));
        const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
        REQUIRE(writes.size() == 1);
        CHECK(writes[0].job == warden::job_id{1});
    }
}
