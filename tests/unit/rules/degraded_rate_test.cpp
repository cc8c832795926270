// Degraded-rate observation (issue #17, docs/rules/degraded_rate.md): the host's progress_tracker
// counts a streak of slow observations, decide() reports a job whose streak reached
// degraded_rate_ticks, and nothing is written for it.
#include <warden/engine.hpp>
#include <warden/io/json/write_plan.hpp>
#include <warden/io/prometheus.hpp>
#include <warden/io/text.hpp>
#include <warden/outcome.hpp>
#include <warden/progress.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "../../support/builders.hpp"

using namespace wt;
using warden::progress_reading;
using warden::progress_tracker;

namespace {

constexpr warden::job_id job7{7};

std::int32_t observe_pages(progress_tracker& t, timestamp at, std::int64_t pages) {
    const std::vector<progress_reading> r{{"a.log", at, pages}};
    return t.observe(job7, at, r).degraded_streak;
}

// Job 9, running, progressing a minute ago, with a streak of `streak`.
warden::snapshot slow_job(std::int32_t streak) {
    auto s = world({healthy_running(9)});
    hold_lock(s, 9);
    s.jobs[0].crawled_pages = 500;
    s.jobs[0].degraded_streak = streak;
    return s;
}

} // namespace

TEST_CASE("degraded rate: the tracker counts observations under the rate",
          "[progress][degraded_rate]") {
    progress_tracker t;                     // 2 pages a minute
    CHECK(observe_pages(t, now, 100) == 0); // the first observation is only an anchor
    // One page a minute: slow, each observation extends the streak.
    for (int k = 1; k <= 6; ++k)
        CHECK(observe_pages(t, now + k * 1min, 100 + k) == k);
    // 1.5 pages a minute, gaining 1 or 2 a tick, stays slow on average.
    progress_tracker u;
    std::int64_t pages = 0;
    (void)observe_pages(u, now, pages);
    for (int k = 1; k <= 8; ++k) {
        pages += k % 2 == 1 ? 1 : 2;
        (void)observe_pages(u, now + k * 1min, pages);
    }
    CHECK(observe_pages(u, now + 9min, pages + 1) == 9);
}

TEST_CASE("degraded rate: what ends a streak", "[progress][degraded_rate]") {
    progress_tracker t;
    (void)observe_pages(t, now, 100);
    (void)observe_pages(t, now + 1min, 101);
    REQUIRE(observe_pages(t, now + 2min, 102) == 2);
    SECTION("exactly the rate is not under it: 2 pages a minute since the anchor") {
        CHECK(observe_pages(t, now + 3min, 106) == 0);
        CHECK(observe_pages(t, now + 4min, 107) == 1); // the new anchor is now + 3 min
    }
    SECTION("just under the rate stays in the streak") {
        CHECK(observe_pages(t, now + 3min, 105) == 3);
    }
    SECTION("an unreadable tick ends it") {
        CHECK(t.observe(job7, now + 3min, std::vector<progress_reading>{}).degraded_streak == 0);
        CHECK(observe_pages(t, now + 4min, 103) == 0); // a new anchor
        CHECK(observe_pages(t, now + 5min, 104) == 1);
    }
    SECTION("a counter that went down (a new log) ends it") {
        CHECK(observe_pages(t, now + 3min, 5) == 0);
    }
    SECTION("the clock not moving changes nothing") {
        CHECK(observe_pages(t, now + 2min, 102) == 2);
    }
    SECTION("the rate is the tracker's setting") {
        progress_tracker fast{warden::progress_source_choice::freshest, 0.5};
        (void)observe_pages(fast, now, 100);
        CHECK(observe_pages(fast, now + 1min, 101) == 0); // 1 page a minute >= 0.5
        CHECK(observe_pages(fast, now + 5min, 101) == 1);
    }
    SECTION("the streak survives a save and restore") {
        const auto saved = t.memory();
        REQUIRE(saved.size() == 1);
        CHECK(saved[0].degraded_streak == 2);
        progress_tracker fresh;
        fresh.restore(saved);
        CHECK(observe_pages(fresh, now + 3min, 103) == 3);
    }
    SECTION("apply_to writes it into the row") {
        warden::job j;
        j.id = job7;
        const std::vector<progress_reading> r{{"a.log", now + 3min, 103}};
        (void)t.observe(j, now + 3min, r);
        CHECK(j.degraded_streak == 3);
    }
}

TEST_CASE("degraded rate: decide reports a job at degraded_rate_ticks, and acts on nothing",
          "[rules][degraded_rate]") {
    SECTION("one under the threshold: not reported") {
        const auto s = slow_job(5);
        const auto p = warden::decide(s, {});
        CHECK(p.observations.empty());
        CHECK(p.summary.degraded == 0);
        CHECK(warden::outcome_of(p, s) == warden::tick_reason::no_stalled_jobs);
    }
    SECTION("at the threshold: an observation, outcome degraded_observe") {
        const auto s = slow_job(6);
        const auto p = warden::decide(s, {});
        REQUIRE(p.observations.size() == 1);
        CHECK(p.observations[0] ==
              warden::observation{warden::job_id{9}, warden::observation_kind::degraded_rate, 6});
        CHECK(p.summary.degraded == 1);
        CHECK(p.actions.empty());
        CHECK(p.blocked.empty());
        CHECK(warden::outcome_of(p, s) == warden::tick_reason::degraded_observe);
        CHECK(warden::to_string(warden::result_of(warden::tick_reason::degraded_observe)) ==
              "idle");
        const std::string text = warden::render_text(p, s);
        CHECK(text.find("observe: job 9 job-9 degraded_rate (6 consecutive observations under "
                        "the degraded rate; no action)\n") != std::string::npos);
        const auto json = warden::to_json(p, s);
        CHECK(json["observations"][0]["kind"] == "degraded_rate");
        CHECK(json["observations"][0]["job_id"] == 9);
        CHECK(json["observations"][0]["value"] == 6);
        CHECK(json["summary"]["degraded"] == 1);
        CHECK(json["outcome"]["reason"] == "degraded_observe");
        const std::string prom = warden::render_prometheus(p, s, warden::default_rails());
        CHECK(prom.find("\nwarden_degraded_jobs 1\n") != std::string::npos);
        CHECK(prom.find("warden_last_result{result=\"idle\",reason=\"degraded_observe\"} 1") !=
              std::string::npos);
    }
    SECTION("degraded_rate_ticks 0 switches it off, and the key moves the threshold") {
        warden::config c;
        c.degraded_rate_ticks = 0;
        CHECK(warden::decide(slow_job(60), c).observations.empty());
        c.degraded_rate_ticks = 2;
        CHECK(warden::decide(slow_job(2), c).observations.size() == 1);
    }
    SECTION("a stalled job is stall recovery's, not degraded") {
        auto s = slow_job(60);
        s.jobs[0].last_progress_at = now - 2h;
        s.jobs[0].started_at = now - 5h;
        const auto p = warden::decide(s, {});
        CHECK(p.observations.empty());
        CHECK(p.summary.stalled == 1);
    }
    SECTION("a waiting job or one without progress information is not reported") {
        auto s = slow_job(60);
        s.jobs[0].progress_known = false;
        CHECK(warden::decide(s, {}).observations.empty());
        s = slow_job(60);
        s.jobs[0].status = job_status::completed;
        s.jobs[0].finished_at = now;
        s.locks.clear();
        CHECK(warden::decide(s, {}).observations.empty());
    }
    SECTION("other outcomes win: a start") {
        auto s = slow_job(6);
        s.jobs.push_back(job_builder{10, job_status::queued}.annual());
        const auto p = warden::decide(s, fill_to(2));
        CHECK(p.summary.degraded == 1);
        CHECK(warden::outcome_of(p, s) == warden::tick_reason::started_job);
    }
}

TEST_CASE("degraded rate: config keys and the row field are validated",
          "[rules][degraded_rate][validate]") {
    warden::config c;
    c.degraded_rate_pages_per_minute = -1.0;
    c.degraded_rate_ticks = -1;
    const auto errors = warden::validate(c);
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].field == "config.degraded_rate_pages_per_minute");
    CHECK(errors[1].field == "config.degraded_rate_ticks");
    auto s = slow_job(-1);
    const auto p = warden::decide(s, {});
    REQUIRE(p.errors.size() == 1);
    CHECK(p.errors[0].field == "jobs[0].degraded_streak");
}
