#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "../../support/builders.hpp"

using namespace wt;

namespace {

warden::class_spec class_named(std::string name) {
    warden::class_spec k;
    k.name = std::move(name);
    return k;
}

// An annual class as warden's default, and a monthly one recognised by name.
warden::config annual_and_monthly(int target) {
    warden::config c = fill_to_unpaced(target);
    warden::class_spec annual = class_named("annual");
    annual.campaign = warden::campaign_kind::annual;
    warden::class_spec monthly = class_named("monthly");
    monthly.name_pattern = "*-monthly-*";
    c.classes = {annual, monthly};
    return c;
}

warden::job monthly_job(std::int64_t id, duration queued_ago) {
    return job_builder{id, job_status::queued, "hc-monthly-" + std::to_string(id)}.queued(
        queued_ago);
}

} // namespace

TEST_CASE("classes: glob patterns", "[facts][job_class][issue21]") {
    using warden::detail::glob_match;
    CHECK(glob_match("*-monthly-*", "hc-monthly-2026-02"));
    CHECK_FALSE(glob_match("*-monthly-*", "hc-monthly"));
    CHECK(glob_match("hc-????", "hc-2026"));
    CHECK_FALSE(glob_match("hc-????", "hc-202"));
    CHECK(glob_match("*", ""));
    CHECK(glob_match("a*b*c", "aXXbYYc"));
    CHECK_FALSE(glob_match("a*b*c", "aXXbYY"));
    CHECK(glob_match("", ""));
    CHECK_FALSE(glob_match("", "x"));
}

TEST_CASE("classes: without a classes key the one class is annual, and decisions are as before",
          "[facts][job_class][issue21]") {
    const warden::config c = fill_to_unpaced(3);
    const warden::job annual = job_builder{1, job_status::queued}.annual();
    const warden::job legacy = job_builder{2, job_status::queued, "phac-20260101"};
    const warden::job monthly = monthly_job(3, 1h);
    CHECK(warden::class_of(c, annual) == "annual");
    CHECK(warden::class_of(c, legacy) == "annual");
    CHECK(warden::class_of(c, monthly).empty());
    const auto p = warden::decide(world({annual, legacy, monthly}), c);
    CHECK(started_ids(p) == std::vector<std::int64_t>{1, 2});
    REQUIRE(p.skipped.size() == 1);
    CHECK(p.skipped[0].reason == warden::skip_reason::non_annual);
    // An explicit class wins over recognition, even one config does not define.
    warden::job named = annual;
    named.job_class = "special";
    CHECK(warden::class_of(c, named) == "special");
    CHECK(warden::class_spec_of(c, named) == nullptr);
}

TEST_CASE("classes: a monthly class is started by queue fill as it is, no campaign backfill",
          "[rules][queue_fill][job_class][issue21]") {
    const auto c = annual_and_monthly(2);
    const auto s =
        world({job_builder{1, job_status::queued}.annual().queued(3h), monthly_job(2, 2h)});
    CHECK(warden::class_of(c, s.jobs[1]) == "monthly");
    const auto p = warden::decide(s, c);
    CHECK(started_ids(p) == std::vector<std::int64_t>{1, 2});
    CHECK(actions_of<warden::backfill_campaign>(p).empty());
    CHECK(p.skipped.empty());
    const auto starts = actions_of<warden::start_job>(p);
    CHECK(starts[1].expected_version == 1); // no backfill before it
}

TEST_CASE("classes: queue_fill false passes the class over with its own reason",
          "[rules][queue_fill][job_class][issue21]") {
    auto c = annual_and_monthly(2);
    c.classes[1].queue_fill = false;
    const auto p = warden::decide(world({monthly_job(2, 2h)}), c);
    CHECK(started_ids(p).empty());
    REQUIRE(p.skipped.size() == 1);
    CHECK(p.skipped[0].reason == warden::skip_reason::class_not_queue_filled);
    CHECK(warden::to_string(p.skipped[0].reason) == "class_not_queue_filled");
}

TEST_CASE("classes: a higher priority goes first, ties keep queue order",
          "[rules][queue_order][job_class][issue21]") {
    auto c = annual_and_monthly(1);
    const auto s = world({job_builder{1, job_status::queued}.annual().queued(3h),
                          monthly_job(2, 2h), monthly_job(3, 1h)});
    CHECK(started_ids(warden::decide(s, c)) == std::vector<std::int64_t>{1}); // oldest first
    c.classes[1].priority = 10;
    CHECK(started_ids(warden::decide(s, c)) == std::vector<std::int64_t>{2});
    c.ensure_min_running_jobs = 3;
    CHECK(started_ids(warden::decide(s, c)) == std::vector<std::int64_t>{2, 3, 1});
}

TEST_CASE("classes: a class floor starts its jobs beyond the global target",
          "[rules][queue_fill][job_class][issue21]") {
    auto c = annual_and_monthly(0); // global queue fill off
    c.classes[1].ensure_min_running_jobs = 1;
    auto s = world({job_builder{1, job_status::queued}.annual().queued(3h), monthly_job(2, 2h),
                    monthly_job(3, 1h)});
    SECTION("below the floor: one monthly job starts, the annual one does not") {
        CHECK(started_ids(warden::decide(s, c)) == std::vector<std::int64_t>{2});
    }
    SECTION("at the floor: nothing starts") {
        s.jobs.push_back(
            job_builder{4, job_status::running, "hc-monthly-4"}.started(1h).progress(1min));
        CHECK(started_ids(warden::decide(s, c)).empty());
    }
    SECTION("a floor of 2 with the global target 1: the floor and the target both filled") {
        c.classes[1].ensure_min_running_jobs = 2;
        c.ensure_min_running_jobs = 1;
        CHECK(started_ids(warden::decide(s, c)) == std::vector<std::int64_t>{1, 2, 3});
    }
    SECTION("the per-tick pace still holds") {
        c.max_starts_per_tick = 1;
        c.classes[1].ensure_min_running_jobs = 2;
        const auto p = warden::decide(s, c);
        CHECK(started_ids(p) == std::vector<std::int64_t>{2});
        REQUIRE(p.blocked.size() == 1);
        CHECK(p.blocked[0].rail == "starts_per_tick");
    }
}

TEST_CASE("classes: validation", "[facts][job_class][issue21]") {
    warden::config c;
    c.classes = {class_named(""), class_named("a"), class_named("a")};
    c.classes[1].ensure_min_running_jobs = -1;
    const auto errors = warden::validate(c);
    REQUIRE(errors.size() == 3);
    CHECK(errors[0].field == "config.classes[0].name");
    CHECK(errors[1].field == "config.classes[1].ensure_min_running_jobs");
    CHECK(errors[2].field == "config.classes[2].name");
    CHECK(errors[2].message == "duplicate of classes[1].name");
}

TEST_CASE("classes: an explicit annual class keeps last year's campaign open until closed",
          "[rules][queue_fill][job_class][issue21]") {
    auto c = annual_and_monthly(2);
    const warden::job last_year = job_builder{1, job_status::retryable}.annual(2025).queued(400h);
    const warden::job next_year = job_builder{2, job_status::queued}.annual(2027).queued(300h);
    const warden::job this_year = job_builder{3, job_status::queued}.annual(2026).queued(200h);
    const auto s = world({last_year, next_year, this_year});
    SECTION("default (closed): 2025 still starts, 2027 waits for its year") {
        const auto p = warden::decide(s, c);
        CHECK(started_ids(p) == std::vector<std::int64_t>{1, 3});
        REQUIRE(p.skipped.size() == 1);
        CHECK(p.skipped[0].job == warden::job_id{2});
        CHECK(p.skipped[0].reason == warden::skip_reason::year_mismatch);
    }
    SECTION("an operator closes 2025: its jobs are skipped, campaign_closed") {
        c.classes[0].closed_campaign_years = {2025};
        const auto p = warden::decide(s, c);
        CHECK(started_ids(p) == std::vector<std::int64_t>{3});
        REQUIRE(p.skipped.size() == 2);
        CHECK(p.skipped[0].job == warden::job_id{1});
        CHECK(p.skipped[0].reason == warden::skip_reason::campaign_closed);
        CHECK(p.skipped[0].campaign_year == 2025);
    }
    SECTION("campaign_open_until calendar_year: today's rule, 2025 is a year mismatch") {
        c.classes[0].campaign_open_until = warden::campaign_end::calendar_year;
        const auto p = warden::decide(s, c);
        CHECK(started_ids(p) == std::vector<std::int64_t>{3});
        REQUIRE(p.skipped.size() == 2);
        CHECK(p.skipped[0].reason == warden::skip_reason::year_mismatch);
    }
    SECTION("without a classes key: calendar_year, exactly as before") {
        const auto p = warden::decide(s, fill_to_unpaced(2));
        CHECK(started_ids(p) == std::vector<std::int64_t>{3});
        REQUIRE(p.skipped.size() == 2);
        CHECK(p.skipped[0].reason == warden::skip_reason::year_mismatch);
        CHECK(p.skipped[1].reason == warden::skip_reason::year_mismatch);
    }
    SECTION("a closed year out of range is a config error naming the entry") {
        c.classes[0].closed_campaign_years = {2025, 12};
        const auto errors = warden::validate(c);
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].field == "config.classes[0].closed_campaign_years[1]");
    }
}
