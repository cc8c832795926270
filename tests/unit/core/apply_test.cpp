#include <catch2/catch.hpp>

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
