#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;
using warden::anomaly_kind;

TEST_CASE("consistency_repair: queued after the final stage with outputs becomes completed",
          "[rules][consistency_repair]") {
    auto s = world({job_builder{1, job_status::queued}.stage("persist").outputs()});
    const auto p = warden::decide(s, {});
    const auto writes = actions_of<warden::set_status>(p);
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].status == job_status::completed);
    CHECK(writes[0].expected_status == job_status::queued);
    CHECK(writes[0].expected_version == 1);
    CHECK(writes[0].rule == warden::rule_id::consistency_repair);
}

TEST_CASE("consistency_repair: without outputs the job fails instead",
          "[rules][consistency_repair]") {
    auto s = world({job_builder{1, job_status::queued}.stage("persist").outputs(false)});
    const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].status == job_status::failed);
    CHECK(writes[0].failure == warden::failure_class::infra_error);
}

TEST_CASE("consistency_repair: an earlier stage or another status is left alone",
          "[rules][consistency_repair]") {
    auto s = world({job_builder{1, job_status::queued}.stage("crawl").outputs(),
                    job_builder{2, job_status::retryable}.stage("persist").outputs(),
                    job_builder{3, job_status::queued}.stage("Persist").outputs()});
    CHECK(warden::decide(s, {}).actions.empty());
}

TEST_CASE("consistency_repair: the final stage is configurable", "[rules][consistency_repair]") {
    warden::config c;
    c.final_stage = "archive";
    auto s = world({job_builder{1, job_status::queued}.stage("persist").outputs(),
                    job_builder{2, job_status::queued}.stage("archive").outputs()});
    const auto writes = actions_of<warden::set_status>(warden::decide(s, c));
    REQUIRE(writes.size() == 1);
    CHECK(warden::to_int(writes[0].job) == 2);
}

TEST_CASE("consistency_repair: the guard switch turns it off", "[rules][consistency_repair]") {
    warden::config c;
    c.guards.consistency_repair = false;
    auto s = world({job_builder{1, job_status::queued}.stage("persist").outputs()});
    CHECK(warden::decide(s, c).actions.empty());
}

TEST_CASE("anomalies are reported and nothing is written for them", "[rules][consistency_repair]") {
    auto s = world({job_builder{1, job_status::running}.started(2h).progress(1min).finished(1h),
                    job_builder{2, job_status::completed},
                    job_builder{3, job_status::running}.progress(1min),
                    job_builder{4, job_status::completed}.started(3h).finished(2h)});
    hold_lock(s, 4);
    const auto p = warden::decide(s, {});
    CHECK(p.actions.empty());
    REQUIRE(p.anomalies.size() == 4);
    CHECK(p.anomalies[0].kind == anomaly_kind::running_with_finished_at);
    CHECK(p.anomalies[1].kind == anomaly_kind::completed_without_finished_at);
    CHECK(p.anomalies[2].kind == anomaly_kind::running_without_started_at);
    CHECK(p.anomalies[3].kind == anomaly_kind::terminal_with_live_evidence);
}

TEST_CASE("consistency_repair: a queued row after the final stage in the running set is an attempt",
          "[rules][consistency_repair][running_set]") {
    // Review 7 finding 3 (f6c_b7_running_set.json): the worker just picked the row up; its
    // last_stage is the previous attempt's. Failing it would fail the attempt under way.
    auto s = world({job_builder{1, job_status::queued}.stage("persist")});
    s.running_set.push_back(warden::job_id{1});
    CHECK(actions_of<warden::set_status>(warden::decide(s, {})).empty());
    s.running_set.clear();
    const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].status == job_status::failed);
    CHECK(writes[0].rule == warden::rule_id::consistency_repair);
}
