#include <warden/io/prometheus.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "../../support/builders.hpp"

using namespace wt;

TEST_CASE("pause: a paused source's start is denied for that job only", "[rails][pause][issue21]") {
    rail_bench b{job_builder{1, job_status::queued}.annual()};
    const warden::pause rail;
    const auto start = start_of(b.snap.jobs[0]);
    CHECK(b.check(rail, start).allowed);
    b.snap.host.paused_sources = {"phac"};
    CHECK(b.check(rail, start).allowed);
    b.snap.host.paused_sources = {"phac", "hc"};
    const auto v = b.check(rail, start);
    CHECK_FALSE(v.allowed);
    CHECK(v.scope == warden::denial_scope::job);
    CHECK(v.reason == "source hc is paused (host.paused_sources)");
}

TEST_CASE("pause: a paused class's start is denied, by explicit or recognised class",
          "[rails][pause][issue21]") {
    rail_bench b{job_builder{1, job_status::queued}.annual()};
    const warden::pause rail;
    const auto start = start_of(b.snap.jobs[0]);
    b.snap.host.paused_classes = {"monthly"};
    CHECK(b.check(rail, start).allowed);
    b.snap.jobs[0].job_class = "monthly";
    const auto v = b.check(rail, start);
    CHECK_FALSE(v.allowed);
    CHECK(v.reason == "class monthly is paused (host.paused_classes)");
    // Issue #21 item 1: without a classes key an annual job is of the class annual.
    b.snap.jobs[0].job_class.clear();
    CHECK(b.check(rail, start).allowed);
    b.snap.host.paused_classes = {"annual"};
    CHECK_FALSE(b.check(rail, start).allowed);
}

TEST_CASE("pause: queue fill moves on to a job of a source not paused; recoveries go on",
          "[rails][pause][issue21]") {
    auto s = world({job_builder{1, job_status::queued}.annual().queued(3h),
                    job_builder{2, job_status::queued}.annual().queued(2h).source("phac"),
                    job_builder{3, job_status::running}.annual().started(5h).progress(3h)});
    s.host.paused_sources = {"hc"};
    const auto p = warden::decide(s, fill_to(1));
    // Job 3 (hc) is stalled and recovered although hc is paused: pause holds starts only.
    const auto writes = actions_of<warden::set_status>(p);
    REQUIRE(writes.size() == 1);
    CHECK(warden::to_int(writes[0].job) == 3);
    CHECK(writes[0].status == job_status::retryable);
    // Nothing else is decided while a stall holds queue fill back; next tick, nothing stalled:
    s.jobs.pop_back();
    const auto next = warden::decide(s, fill_to(1));
    CHECK(started_ids(next) == std::vector<std::int64_t>{2});
    const auto held = blocked_of<warden::start_job>(next);
    REQUIRE(held.size() == 1);
    CHECK(held[0].second.rail == "pause");
    CHECK(warden::to_int(held[0].first.job) == 1);
    // Without the switch, job 1 (first in queue order) starts: the plan decides as before.
    s.host.paused_sources.clear();
    CHECK(started_ids(warden::decide(s, fill_to(1))) == std::vector<std::int64_t>{1});
}

TEST_CASE("pause: an empty name in a pause list is a host error", "[rails][pause][issue21]") {
    auto s = world({job_builder{1, job_status::queued}.annual()});
    s.host.paused_sources = {""};
    auto errors = warden::validate_host(s);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].field == "host.paused_sources[0]");
    s.host.paused_sources.clear();
    s.host.paused_classes = {"monthly", ""};
    errors = warden::validate_host(s);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].field == "host.paused_classes[1]");
}

TEST_CASE("pause: warden_paused gauge", "[rails][pause][issue21][metrics]") {
    auto s = world({job_builder{1, job_status::queued}.annual()});
    s.host.paused_sources = {"hc"};
    s.host.paused_classes = {"monthly"};
    const auto p = warden::decide(s, fill_to(1));
    const std::string text = warden::render_prometheus(p, s, warden::default_rails());
    CHECK(text.find("# TYPE warden_paused gauge\n") != std::string::npos);
    CHECK(text.find("warden_paused{scope=\"all\"} 0\n") != std::string::npos);
    CHECK(text.find("warden_paused{scope=\"source\",name=\"hc\"} 1\n") != std::string::npos);
    CHECK(text.find("warden_paused{scope=\"class\",name=\"monthly\"} 1\n") != std::string::npos);
    s.host.sentinel_present = false;
    const std::string off =
        warden::render_prometheus(warden::decide(s, fill_to(1)), s, warden::default_rails());
    CHECK(off.find("warden_paused{scope=\"all\"} 1\n") != std::string::npos);
}
