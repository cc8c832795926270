#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

TEST_CASE("disk_threshold: boundaries around the threshold", "[rails][disk_threshold]") {
    rail_bench b{job_builder{1, job_status::queued}};
    const warden::disk_threshold rail;
    const auto start = start_of(b.snap.jobs[0]);
    b.snap.host.disk_used_percent = 84.9;
    CHECK(b.check(rail, start).allowed);
    b.snap.host.disk_used_percent = 85.0; // at the threshold counts as full
    const auto at = b.check(rail, start);
    CHECK_FALSE(at.allowed);
    CHECK(at.scope == warden::denial_scope::host);
    CHECK(at.reason == "disk 85.0% used, at or above the threshold 85.0%");
    b.snap.host.disk_used_percent = 85.1;
    CHECK_FALSE(b.check(rail, start).allowed);
}

TEST_CASE("disk_threshold: the threshold is configurable and only starts are checked",
          "[rails][disk_threshold]") {
    rail_bench b{job_builder{1, job_status::queued}};
    const warden::disk_threshold rail;
    b.snap.host.disk_used_percent = 95.0;
    b.cfg.disk_threshold_percent = 96.0;
    CHECK(b.check(rail, start_of(b.snap.jobs[0])).allowed);
    b.cfg.disk_threshold_percent = 90.0;
    CHECK_FALSE(b.check(rail, start_of(b.snap.jobs[0])).allowed);
    static_assert(!warden::rail_for<warden::disk_threshold, warden::set_status>);
    static_assert(!warden::rail_for<warden::disk_threshold, warden::stop_job>);
}
