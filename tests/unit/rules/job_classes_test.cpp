#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "../../support/builders.hpp"
#include "../../support/classes.hpp"

using namespace wt;

namespace {

warden::class_spec class_named(std::string name) {
    warden::class_spec k;
    k.name = std::move(name);
    return k;
}

// An annual class as warden's default, and a monthly one recognised by name.
warden::config annual_and_monthly(int target) {
    return annual_and_monthly_classes(fill_to_unpaced(target));
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

// ---- issue #21 item 1: per-class recovery options and annual-style minimums ----

namespace {

// A monthly job created with ad-hoc options: thresholds of 0 and a page cap (B4's shape).
warden::job monthly_with_options(std::int64_t id, warden::tool_options o) {
    warden::job j = monthly_job(id, 1h);
    j.options = o;
    return j;
}

warden::job low_option_monthly(std::int64_t id) {
    return monthly_with_options(id, {1, 0, 0, 0, 500});
}

const warden::tool_options class_floor{10, 30, 40, 1, std::nullopt};

} // namespace

TEST_CASE("classes: a class's minimums raise its jobs' options at a start",
          "[rules][queue_fill][job_class][issue21]") {
    auto c = annual_and_monthly(1);
    const auto s = world({low_option_monthly(1)});
    SECTION("without minimums: started as it is, the global rule for a job that is not annual") {
        const auto starts = actions_of<warden::start_job>(warden::decide(s, c));
        REQUIRE(starts.size() == 1);
        CHECK(starts[0].options.error_threshold_timeout == 0);
        CHECK(starts[0].options.page_cap == 500);
        CHECK(starts[0].options.max_container_restarts == 6); // recovery_min_restarts_non_annual
        CHECK_FALSE(starts[0].options.stall_timeout_minutes.has_value());
    }
    SECTION("with minimums: raised to them, page cap dropped, restarts at the minimum's") {
        monthly_class(c).minimums = class_floor;
        const auto starts = actions_of<warden::start_job>(warden::decide(s, c));
        REQUIRE(starts.size() == 1);
        CHECK(warden::meets_minimums(starts[0].options, class_floor));
        CHECK(starts[0].options.error_threshold_timeout == 30);
        CHECK(starts[0].options.error_threshold_http == 40);
        CHECK(starts[0].options.max_container_restarts == 10);
        CHECK_FALSE(starts[0].options.page_cap.has_value());
        // Not annual: no annual shm size or stall timeout comes with the class's minimums.
        CHECK(starts[0].options.docker_shm_size.empty());
        CHECK_FALSE(starts[0].options.stall_timeout_minutes.has_value());
    }
    SECTION("raise_annual_minimums off: not raised, and the rail holds the start") {
        monthly_class(c).minimums = class_floor;
        c.guards.raise_annual_minimums = false;
        const auto p = warden::decide(s, c);
        CHECK(started_ids(p).empty());
        const auto held = blocked_of<warden::start_job>(p);
        REQUIRE(held.size() == 1);
        CHECK(held[0].second.rail == "annual_minimums");
        CHECK(held[0].second.reason.find("class crawl with page cap 500") != std::string::npos);
    }
}

TEST_CASE("classes: the annual_minimums rail holds a class's jobs to the class's minimums",
          "[rails][annual_minimums][job_class][issue21]") {
    rail_bench b{monthly_job(1, 1h)};
    b.cfg = annual_and_monthly(1);
    const warden::annual_minimums rail;
    SECTION("no minimums on the class: any options pass (the global rule)") {
        CHECK(b.check(rail, start_of(b.snap.jobs[0], {0, 0, 0, 0, 5})).allowed);
    }
    SECTION("exactly the minimums pass, one below is denied naming the field values") {
        monthly_class(b.cfg).minimums = class_floor;
        CHECK(b.check(rail, start_of(b.snap.jobs[0], class_floor)).allowed);
        const auto v = b.check(rail, start_of(b.snap.jobs[0], {10, 29, 40, 1, std::nullopt}));
        REQUIRE_FALSE(v.allowed);
        CHECK(v.reason == "class options below minimums: restarts 10/10, timeout 29/30, http "
                          "40/40, backoff 1/1");
    }
    SECTION("an annual job is held to the annual class's minimums when it has them") {
        warden::job annual = job_builder{2, job_status::queued}.annual();
        rail_bench a{annual};
        a.cfg = annual_and_monthly(1);
        a.cfg.classes[0].minimums = warden::tool_options{30, 60, 60, 3, std::nullopt};
        const auto v = a.check(rail, start_of(annual)); // warden's annual minimums: too low now
        REQUIRE_FALSE(v.allowed);
        CHECK(v.reason.rfind("annual options below minimums: restarts 20/30", 0) == 0);
        CHECK(a.check(rail, start_of(annual, {30, 60, 60, 3, std::nullopt})).allowed);
    }
    SECTION("an annual class's minimums raise the annual floor, never lower it") {
        warden::job annual = job_builder{2, job_status::queued}.annual();
        rail_bench a{annual};
        a.cfg = annual_and_monthly(1);
        const warden::tool_options floor = a.cfg.annual_minimums;
        a.cfg.classes[0].minimums = warden::tool_options{0, 0, 0, 0, std::nullopt};
        a.cfg.classes[0].recovery_min_restarts = 0;
        const auto v = a.check(rail, start_of(annual, {0, 0, 0, 0, std::nullopt}));
        REQUIRE_FALSE(v.allowed);
        CHECK(v.reason.rfind("annual options below minimums", 0) == 0);
        CHECK(a.check(rail, start_of(annual, floor)).allowed);
        // Mixed: a class floor above the annual one in one field, below it in the others.
        a.cfg.classes[0].minimums =
            warden::tool_options{0, floor.error_threshold_timeout + 5, 0, 0, std::nullopt};
        warden::tool_options raised = floor;
        raised.error_threshold_timeout += 5;
        CHECK(a.check(rail, start_of(annual, raised)).allowed);
        CHECK_FALSE(a.check(rail, start_of(annual, floor)).allowed);
        CHECK(warden::recovery_options(a.cfg, annual).max_container_restarts >=
              floor.max_container_restarts);
    }
}

TEST_CASE("classes: recovery restarts and stall timeout per class, global values by default",
          "[rules][recovery_options][job_class][issue21]") {
    const warden::config none = fill_to(1);
    auto c = annual_and_monthly(1);
    const warden::job monthly = monthly_with_options(1, {1, 5, 5, 0, std::nullopt});
    warden::job annual = job_builder{2, job_status::running}.annual();
    annual.options.max_container_restarts = 3;
    SECTION("classes without the new keys decide as no classes key does") {
        CHECK(warden::recovery_options(c, monthly) == warden::recovery_options(none, monthly));
        CHECK(warden::recovery_options(c, annual) == warden::recovery_options(none, annual));
        CHECK(warden::recovery_options(c, monthly).max_container_restarts == 6);
        CHECK(warden::recovery_options(c, annual).stall_timeout_minutes == 60);
    }
    SECTION("recovery_min_restarts and stall_timeout_minutes of the class") {
        monthly_class(c).recovery_min_restarts = 9;
        monthly_class(c).stall_timeout_minutes = 30;
        c.classes[0].stall_timeout_minutes = 45;
        c.classes[0].recovery_min_restarts = 25;
        const auto m = warden::recovery_options(c, monthly);
        CHECK(m.max_container_restarts == 9);
        CHECK(m.stall_timeout_minutes == 30);
        CHECK(m.error_threshold_timeout == 5); // no minimums: thresholds kept
        const auto a = warden::recovery_options(c, annual);
        CHECK(a.max_container_restarts == 25);
        CHECK(a.stall_timeout_minutes == 45);
        // An explicit stall timeout on the row is kept, as the global rule keeps it.
        warden::job explicit_timeout = monthly;
        explicit_timeout.options.stall_timeout_minutes = 240;
        CHECK(warden::recovery_options(c, explicit_timeout).stall_timeout_minutes == 240);
    }
    SECTION("a source profile still wins over the class for an annual job") {
        c.classes[0].stall_timeout_minutes = 45;
        warden::source_profile p;
        p.stall_timeout_minutes = 90;
        c.source_profiles.emplace("hc", p);
        CHECK(warden::recovery_options(c, annual).stall_timeout_minutes == 90);
    }
}

TEST_CASE("classes: recovery options and minimums are validated, naming the field",
          "[facts][job_class][issue21]") {
    auto c = annual_and_monthly(1);
    SECTION("boundaries are valid") {
        monthly_class(c).minimums = warden::tool_options{0, 0, 0, 0, std::nullopt};
        monthly_class(c).recovery_min_restarts = 0;
        monthly_class(c).stall_timeout_minutes = 1;
        CHECK(warden::validate(c).empty());
        monthly_class(c).stall_timeout_minutes = 527040;
        CHECK(warden::validate(c).empty());
    }
    SECTION("bad values") {
        monthly_class(c).minimums = warden::tool_options{0, -1, 0, 0, 100};
        monthly_class(c).recovery_min_restarts = -1;
        monthly_class(c).stall_timeout_minutes = 0;
        c.classes[0].stall_timeout_minutes = 527041;
        const auto errors = warden::validate(c);
        REQUIRE(errors.size() == 5);
        CHECK(errors[0].field == "config.classes[0].stall_timeout_minutes");
        CHECK(errors[1].field == "config.classes[1].minimums");
        CHECK(errors[1].message == "must not be negative");
        CHECK(errors[2].field == "config.classes[1].minimums.page_cap");
        CHECK(errors[3].field == "config.classes[1].recovery_min_restarts");
        CHECK(errors[4].field == "config.classes[1].stall_timeout_minutes");
    }
}

// Issue #22: decide finds a waiting row's campaign once and hands it to class_spec_of and
// start_eligibility. Against the walk written with recognises(), which looks the campaign up
// itself, on every kind of row and config the walk can meet.
TEST_CASE("classes: the class and eligibility with the campaign given agree with the lookup",
          "[facts][job_class][issue22]") {
    auto reference = [](const warden::config& c,
                        const warden::job& j) -> const warden::class_spec* {
        const auto in_force = warden::classes_in_force(c);
        if (!j.job_class.empty()) {
            for (const warden::class_spec& k : in_force)
                if (k.name == j.job_class) return &k;
            return nullptr;
        }
        for (const warden::class_spec& k : in_force)
            if (warden::recognises(c, k, j)) return &k;
        return nullptr;
    };
    std::vector<warden::config> configs{fill_to_unpaced(3), annual_and_monthly(3)};
    configs.push_back(configs[1]);
    configs.back().guards.legacy_detection = false; // legacy names are no campaign then
    configs.push_back(configs[1]);
    configs.back().classes[0].queue_fill = false;
    configs.back().classes[0].closed_campaign_years = {2025};
    configs.push_back(configs[1]);
    std::swap(configs.back().classes[0], configs.back().classes[1]); // the pattern first
    std::vector<warden::job> rows{job_builder{1, job_status::queued}.annual(),
                                  job_builder{2, job_status::queued}.annual(2025),
                                  job_builder{3, job_status::queued, "phac-20260101"},
                                  job_builder{4, job_status::queued, "phac-20250101"},
                                  job_builder{5, job_status::retryable, "odd-name"},
                                  monthly_job(6, 1h),
                                  job_builder{7, job_status::queued, "hc-monthly-20260101"},
                                  job_builder{8, job_status::queued}};
    rows[4].output_dir = "/srv/crawls/hc-20260101/"; // the stamp in the dir only
    rows[7].campaign_year = 2026;                    // a year without a kind
    warden::job named = rows[0];
    named.job_class = "monthly";
    rows.push_back(named);
    named.job_class = "special"; // a class config does not define
    rows.push_back(named);
    for (const warden::config& c : configs)
        for (const warden::job& j : rows) {
            CAPTURE(j.name, c.classes.size());
            const auto campaign = warden::queue_fill_campaign(c, j);
            CHECK(warden::class_spec_of(c, j, campaign) == reference(c, j));
            CHECK(warden::class_spec_of(c, j) == reference(c, j));
            for (const std::int32_t target : {2025, 2026})
                CHECK(warden::start_eligibility(c, j, target, campaign) ==
                      warden::start_eligibility(c, j, target));
        }
    // The campaign given is the one used: a legacy row handed no campaign is of no class.
    const warden::config& c = configs[0];
    REQUIRE(warden::class_spec_of(c, rows[2]) != nullptr);
    CHECK(warden::class_spec_of(c, rows[2], std::nullopt) == nullptr);
    CHECK(warden::start_eligibility(c, rows[2], 2026, std::nullopt) ==
          warden::skip_reason::non_annual);
}
