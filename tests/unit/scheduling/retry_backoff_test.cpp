#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "../../support/builders.hpp"
#include "../../support/classes.hpp"

using namespace wt;

namespace {

// A monthly class whose retries wait 300 s, then 600 s, ... at most 3600 s, without jitter.
warden::config monthly_with_backoff(int target) {
    warden::config c = annual_and_monthly_classes(fill_to_unpaced(target));
    monthly_class(c).backoff = warden::backoff_policy{300, 2.0, 3600, 0.0};
    return c;
}

warden::job failed_monthly(std::int64_t id, duration failed_ago, std::int32_t retries = 0) {
    return job_builder{id, job_status::retryable, "hc-monthly-" + std::to_string(id)}
        .started(failed_ago + 1h)
        .finished(failed_ago)
        .retries(retries)
        .queued(72h);
}

} // namespace

TEST_CASE("retry backoff: the delay grows by the coefficient up to the maximum",
          "[facts][backoff][issue21]") {
    const warden::backoff_policy b{60, 2.0, 3600, 0.0};
    const warden::job_id id{7};
    CHECK(warden::backoff_delay(b, 0, id) == 60s);
    CHECK(warden::backoff_delay(b, 1, id) == 120s);
    CHECK(warden::backoff_delay(b, 5, id) == 1920s);
    CHECK(warden::backoff_delay(b, 6, id) == 3600s); // 3840 s, capped
    CHECK(warden::backoff_delay(b, 2147483646, id) == 3600s);
    CHECK(warden::backoff_delay(warden::backoff_policy{0, 2.0, 0, 0.0}, 3, id) == 0s);
    CHECK(warden::backoff_delay(warden::backoff_policy{90, 1.0, 3600, 0.0}, 40, id) == 90s);
    CHECK(warden::backoff_delay(warden::backoff_policy{10, 1.5, 3600, 0.0}, 2, id) == 22s);
}

TEST_CASE("retry backoff: jitter is derived from the job id, within the fraction",
          "[facts][backoff][issue21]") {
    const warden::backoff_policy b{1000, 1.0, 1000, 0.5};
    std::vector<std::int64_t> delays;
    for (std::int64_t id = 1; id <= 50; ++id) {
        const auto d = warden::backoff_delay(b, 0, warden::job_id{id});
        CHECK(d == warden::backoff_delay(b, 0, warden::job_id{id})); // deterministic
        CHECK(d > 500s);
        CHECK(d <= 1000s);
        delays.push_back(d.count());
    }
    std::sort(delays.begin(), delays.end());
    delays.erase(std::unique(delays.begin(), delays.end()), delays.end());
    CHECK(delays.size() > 40); // spread out, not one value
    // Each retry of one job has its own share too.
    CHECK(warden::jitter_share(warden::job_id{3}, 0) != warden::jitter_share(warden::job_id{3}, 1));
    CHECK(warden::jitter_share(warden::job_id{3}, 0) >= 0.0);
    CHECK(warden::jitter_share(warden::job_id{3}, 0) < 1.0);
}

TEST_CASE("retry backoff: a retryable job is not started before not_before, then is",
          "[rails][retry_backoff][issue21]") {
    const auto c = monthly_with_backoff(1);
    SECTION("deny: 100 s after its failure, 200 s to go") {
        const auto p = warden::decide(world({failed_monthly(1, 100s)}), c);
        CHECK(started_ids(p).empty());
        const auto b = blocked_of<warden::start_job>(p);
        REQUIRE(b.size() == 1);
        CHECK(b[0].second.rail == "retry_backoff");
        CHECK(b[0].second.reason ==
              "backoff: not before 2026-02-03T12:03:20Z; 200 s to go (retry 1)");
    }
    SECTION("boundary: one second before not_before it waits, at not_before it starts") {
        const auto waits = warden::decide(world({failed_monthly(1, 299s)}), c);
        REQUIRE(waits.blocked.size() == 1);
        CHECK(waits.blocked[0].reason ==
              "backoff: not before 2026-02-03T12:00:01Z; 1 s to go (retry 1)");
        CHECK(started_ids(warden::decide(world({failed_monthly(1, 300s)}), c)) ==
              std::vector<std::int64_t>{1});
    }
    SECTION("the third retry waits 1200 s") {
        const auto p = warden::decide(world({failed_monthly(1, 1199s, 2)}), c);
        REQUIRE(p.blocked.size() == 1);
        CHECK(p.blocked[0].reason ==
              "backoff: not before 2026-02-03T12:00:01Z; 1 s to go (retry 3)");
        CHECK(started_ids(warden::decide(world({failed_monthly(1, 1200s, 2)}), c)) ==
              std::vector<std::int64_t>{1});
    }
    SECTION("allow: the next candidate takes the slot; queued and annual jobs never wait") {
        const warden::job queued = job_builder{2, job_status::queued, "hc-monthly-2"}.queued(1h);
        const warden::job annual =
            job_builder{3, job_status::retryable}.annual().started(2h).finished(10s).queued(2h);
        const auto p = warden::decide(world({failed_monthly(1, 10s), queued, annual}),
                                      monthly_with_backoff(2));
        CHECK(started_ids(p) == std::vector<std::int64_t>{3, 2});
        REQUIRE(p.blocked.size() == 1);
        CHECK(warden::to_int(warden::action_job(p.blocked[0].proposed)) == 1);
    }
}

TEST_CASE("retry backoff: waits from the newest recovery, else started_at; never-started rows do "
          "not wait",
          "[rails][retry_backoff][issue21]") {
    const auto c = monthly_with_backoff(1);
    warden::job j = failed_monthly(1, 10h);
    j.finished_at.reset();
    SECTION("a stall recovery 100 s ago") {
        auto s = world({j});
        s.recoveries.push_back({j.id, now - 5h});
        s.recoveries.push_back({j.id, now - 100s});
        const auto p = warden::decide(s, c);
        REQUIRE(p.blocked.size() == 1);
        CHECK(p.blocked[0].reason ==
              "backoff: not before 2026-02-03T12:03:20Z; 200 s to go (retry 1)");
    }
    SECTION("started_at only: 11 h ago, long past") {
        CHECK(started_ids(warden::decide(world({j}), c)) == std::vector<std::int64_t>{1});
        j.started_at = now - 60s;
        CHECK(started_ids(warden::decide(world({j}), c)).empty());
    }
    SECTION("never started") {
        j.started_at.reset();
        CHECK(started_ids(warden::decide(world({j}), c)) == std::vector<std::int64_t>{1});
    }
}

TEST_CASE("retry backoff: off by default, every plan is the one without the key",
          "[rails][retry_backoff][issue21]") {
    warden::config c = monthly_with_backoff(1);
    c.classes[1].backoff.reset();
    const auto s = world({failed_monthly(1, 1s)});
    CHECK(started_ids(warden::decide(s, c)) == std::vector<std::int64_t>{1});
    // Without a classes key the annual class has no backoff.
    const warden::job annual =
        job_builder{1, job_status::retryable}.annual().started(2h).finished(1s);
    CHECK(started_ids(warden::decide(world({annual}), fill_to(1))) == std::vector<std::int64_t>{1});
    // The rail on its own allows a job of no class and a running job.
    rail_bench bench{failed_monthly(1, 1s)};
    CHECK(bench.check(warden::retry_backoff{}, start_of(bench.snap.jobs[0])).allowed);
    bench.cfg = monthly_with_backoff(1);
    CHECK_FALSE(bench.check(warden::retry_backoff{}, start_of(bench.snap.jobs[0])).allowed);
}

TEST_CASE("retry backoff: validation names the field", "[rails][retry_backoff][issue21]") {
    warden::config c = monthly_with_backoff(1);
    c.classes[1].backoff = warden::backoff_policy{-1, 0.5, 10, 1.5};
    const auto errors = warden::validate(c);
    REQUIRE(errors.size() == 3);
    CHECK(errors[0].field == "config.classes[1].backoff.initial_delay_seconds");
    CHECK(errors[1].field == "config.classes[1].backoff.coefficient");
    CHECK(errors[2].field == "config.classes[1].backoff.jitter_fraction");
    c.classes[1].backoff = warden::backoff_policy{600, 2.0, 60, 0.0};
    const auto max_below = warden::validate(c);
    REQUIRE(max_below.size() == 1);
    CHECK(max_below[0].field == "config.classes[1].backoff.max_delay_seconds");
    CHECK(warden::decide(world({}), c).rejected());
}
