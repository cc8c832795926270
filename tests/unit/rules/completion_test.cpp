#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;
using warden::completion_outcome;

TEST_CASE("completion: one compare-and-set from running to completed", "[rules][completion]") {
    const warden::job j = job_builder{3, job_status::running}.version(8).started(3h);
    const auto c = warden::complete(j, 1200, now);
    CHECK(c.outcome == completion_outcome::complete);
    CHECK(c.write.expected_status == job_status::running);
    CHECK(c.write.expected_version == 8);
    CHECK(c.write.status == job_status::completed);
    CHECK(c.pages == 1200);
    CHECK(c.completed_at == now);
}

TEST_CASE("completion: a second call is an idempotent no-op", "[rules][completion]") {
    const warden::job j = job_builder{3, job_status::completed};
    CHECK(warden::complete(j, 10, now).outcome == completion_outcome::already_completed);
}

TEST_CASE("completion: a row that moved is not overwritten", "[rules][completion]") {
    for (auto s : {job_status::retryable, job_status::failed, job_status::queued}) {
        const warden::job j = job_builder{3, s};
        CHECK(warden::complete(j, 10, now).outcome == completion_outcome::not_running);
    }
}

TEST_CASE("completion wins the race with the orphan sweep", "[rules][completion][orphan_sweep]") {
    // The sweep read `running`; the completion commits first; the sweep's CAS must conflict.
    auto s = world({job_builder{3, job_status::running}.started(30min)});
    const auto sweep = warden::decide(s, {});
    REQUIRE(actions_of<warden::set_status>(sweep).size() == 1);
    warden::plan completion_plan;
    completion_plan.actions.push_back(warden::complete(s.jobs[0], 10, now).write);
    CHECK(warden::apply_to_snapshot(s, completion_plan).applied == 1);
    const auto late = warden::apply_to_snapshot(s, sweep);
    CHECK(late.conflicts == 1);
    CHECK(s.jobs[0].status == job_status::completed);
}
