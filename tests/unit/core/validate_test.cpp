#include <catch2/catch.hpp>

#include <limits>
#include <optional>
#include <random>
#include <type_traits>
#include <vector>

#include "../../support/builders.hpp"

using namespace wt;

namespace {
bool has_error(const warden::plan& p, std::string_view field) {
    for (const auto& e : p.errors)
        if (e.field == field) return true;
    return false;
}
} // namespace

TEST_CASE("validate: a valid snapshot has no errors", "[core][validate]") {
    auto s = world({healthy_running(1), job_builder{2, job_status::queued}});
    hold_lock(s, 1);
    CHECK(warden::decide(s, {}).errors.empty());
}

TEST_CASE("validate: duplicate ids reject both rows and write neither", "[core][validate]") {
    auto s = world({job_builder{1, job_status::queued}.stage("persist").outputs(),
                    job_builder{1, job_status::queued}.stage("persist").outputs()});
    const auto p = warden::decide(s, {});
    CHECK(has_error(p, "jobs[1].id"));
    CHECK(p.actions.empty());
    CHECK_FALSE(p.rejected());
}

TEST_CASE("validate: row errors name the job and field, and block only that job",
          "[core][validate]") {
    auto s = world({job_builder{1, job_status::queued}.stage("persist").outputs(),
                    job_builder{2, job_status::queued}.stage("persist").outputs(),
                    job_builder{3, job_status::queued}.stage("persist").outputs(),
                    job_builder{4, job_status::queued}.stage("persist").outputs(),
                    job_builder{5, job_status::queued}.stage("persist").outputs()});
    s.jobs[0].status = static_cast<job_status>(42);
    s.jobs[1].started_at = now - 1h;
    s.jobs[1].finished_at = now - 2h;
    s.jobs[2].last_progress_at = now + 1s; // the clock went backwards
    s.jobs[3].retry_count = -1;
    const auto p = warden::decide(s, {});
    CHECK(has_error(p, "jobs[0].status"));
    CHECK(has_error(p, "jobs[1].finished_at"));
    CHECK(has_error(p, "jobs[2].last_progress_at"));
    CHECK(has_error(p, "jobs[3].retry_count"));
    REQUIRE(p.actions.size() == 1);
    CHECK(warden::to_int(warden::action_job(p.actions[0])) == 5);
}

TEST_CASE("validate: a timestamp exactly at now is valid", "[core][validate]") {
    auto s = world({job_builder{1, job_status::running}.started(0s).progress(0s)});
    hold_lock(s, 1);
    CHECK(warden::decide(s, {}).errors.empty());
}

TEST_CASE("validate: created_at after now blocks that job, at now or missing is valid",
          "[core][validate]") {
    auto s = world({job_builder{1, job_status::queued}.stage("persist").outputs(),
                    job_builder{2, job_status::queued}.stage("persist").outputs(),
                    job_builder{3, job_status::queued}.stage("persist").outputs()});
    s.jobs[0].created_at = now + 1s;
    s.jobs[1].created_at = now;
    const auto p = warden::decide(s, {});
    REQUIRE(p.errors.size() == 1);
    CHECK(p.errors[0].field == "jobs[0].created_at");
    CHECK(p.errors[0].job == warden::job_id{1});
    CHECK(p.errors[0].message ==
          "1 s after now: the clock went backwards or the row is from the future");
    CHECK(p.actions.size() == 2);
}

TEST_CASE("validate: a time far after a now near the year 0001 is reported without overflow",
          "[core][validate][issue22]") {
    // t - now exceeds int64 here; it was signed overflow (UBSan, found by the random rows of
    // "plausible_job passes exactly the rows validate_job finds nothing in").
    auto s = world({job_builder{1, job_status::queued}});
    s.now = warden::earliest_time;
    s.jobs[0].created_at =
        warden::timestamp{warden::timestamp::duration{std::numeric_limits<std::int64_t>::max()}};
    std::vector<warden::validation_error> errors;
    warden::validate_job(s, 0, errors);
    REQUIRE_FALSE(errors.empty());
    CHECK(errors.back().field == "jobs[0].created_at");
    CHECK(errors.back().message == "9223372098990372607 s after now: the clock went backwards or "
                                   "the row is from the future");
}

TEST_CASE("validate: recovery option settings", "[core][validate][recovery_options]") {
    warden::config c;
    c.recovery_min_restarts_non_annual = -1;
    c.annual_stall_timeout_minutes = 0;
    const auto errors = warden::validate(c);
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].field == "config.recovery_min_restarts_non_annual");
    CHECK(errors[1].field == "config.annual_stall_timeout_minutes");
    c.recovery_min_restarts_non_annual = 0;
    c.annual_stall_timeout_minutes = 1;
    CHECK(warden::validate(c).empty());
}

TEST_CASE("validate: a bad disk figure rejects the whole snapshot", "[core][validate]") {
    for (double disk : {-0.1, 100.1, std::numeric_limits<double>::quiet_NaN(),
                        std::numeric_limits<double>::infinity()}) {
        auto s = world({job_builder{1, job_status::queued}.stage("persist").outputs()});
        s.host.disk_used_percent = disk;
        const auto p = warden::decide(s, {});
        CHECK(p.rejected());
        CHECK(has_error(p, "host.disk_used_percent"));
        CHECK(p.actions.empty());
    }
}

TEST_CASE("validate: configs that cannot work are refused before any decision",
          "[core][validate]") {
    auto s = world({job_builder{1, job_status::queued}.stage("persist").outputs()});
    warden::config c;
    SECTION("negative target") {
        c.ensure_min_running_jobs = -1;
    }
    SECTION("zero stall window") {
        c.stall_after = 0s;
    }
    SECTION("negative grace") {
        c.orphan_grace = -1s;
    }
    SECTION("threshold out of range") {
        c.disk_threshold_percent = 0.0;
    }
    SECTION("empty pattern matches everything") {
        c.config_error_patterns.push_back("");
    }
    const auto p = warden::decide(s, c);
    CHECK(p.rejected());
    CHECK(p.actions.empty());
}

TEST_CASE("validate: dangling references are reported without stopping the tick",
          "[core][validate]") {
    auto s = world({job_builder{1, job_status::queued}.stage("persist").outputs()});
    s.locks.push_back(warden::job_id{99});
    s.running_set.push_back(warden::job_id{98});
    s.starts.push_back({warden::job_id{97}, now - 1h});
    const auto p = warden::decide(s, {});
    CHECK(has_error(p, "locks[0].job_id"));
    CHECK(has_error(p, "running_set[0]"));
    CHECK(has_error(p, "starts[0].job_id"));
    CHECK_FALSE(p.rejected());
    CHECK(p.actions.size() == 1);
}

TEST_CASE("validate: a start recorded after now blocks that job", "[core][validate]") {
    warden::config c;
    c.ensure_min_running_jobs = 1;
    auto s = world({job_builder{1, job_status::queued}.annual()});
    s.starts.push_back({warden::job_id{1}, now + 1min});
    const auto p = warden::decide(s, c);
    CHECK(has_error(p, "starts[0].at"));
    CHECK(p.actions.empty());
}

TEST_CASE("validate: values the engine cannot do arithmetic on are refused (fuzz finding 1)",
          "[core][validate][fuzz]") {
    auto s =
        world({job_builder{1, job_status::running}.started(2h).progress(2h).annual().options({}),
               job_builder{2, job_status::queued}.stage("persist").outputs()});
    hold_lock(s, 1);
    s.jobs[0].version = std::numeric_limits<std::int64_t>::max(); // stall recovery chains + 1
    s.jobs[1].started_at =
        warden::timestamp{warden::duration{std::numeric_limits<std::int64_t>::min()}};
    const auto p = warden::decide(s, {});
    CHECK(has_error(p, "jobs[0].version"));
    CHECK(has_error(p, "jobs[1].started_at"));
    CHECK(p.actions.empty());

    auto far = world({});
    far.now = warden::timestamp{warden::duration{std::numeric_limits<std::int64_t>::max()}};
    CHECK(warden::decide(far, {}).rejected());
}

TEST_CASE("validate: campaign_year must be a year legacy names can carry", "[core][validate]") {
    auto s = world({job_builder{1, job_status::queued}});
    warden::config c;
    for (const int year : {1970, 2026, 9999}) {
        c.campaign_year = year;
        CHECK(warden::decide(s, c).errors.empty());
    }
    for (const int year : {0, 1969, 10000}) {
        c.campaign_year = year;
        const auto p = warden::decide(s, c);
        CHECK(has_error(p, "config.campaign_year"));
        CHECK(p.rejected());
    }
}

TEST_CASE("validate: recoveries_per_tick must not be negative", "[core][validate]") {
    auto s = world({job_builder{1, job_status::queued}});
    warden::config c;
    c.recoveries_per_tick = 0;
    CHECK(warden::decide(s, c).errors.empty());
    c.recoveries_per_tick = -1;
    CHECK(has_error(warden::decide(s, c), "config.recoveries_per_tick"));
}

// Issue 15, item 5: a counter is validated against what a write does to it. A start from
// retryable adds one to retry_count (int32 everywhere, CHECK 0..2147483647 in SQLite): at the
// maximum it would overflow, so the row is refused, naming the field, and only that job.
TEST_CASE("validate: retry_count must leave room for the start's increment", "[core][validate]") {
    auto s = world({job_builder{1, job_status::retryable}.annual(),
                    job_builder{2, job_status::retryable}.annual()});
    s.jobs[0].retry_count = std::numeric_limits<std::int32_t>::max();
    s.jobs[1].retry_count = std::numeric_limits<std::int32_t>::max() - 1;
    warden::config c;
    c.ensure_min_running_jobs = 2;
    c.max_retries = std::numeric_limits<std::int32_t>::max();
    const auto p = warden::decide(s, c);
    REQUIRE(p.errors.size() == 1);
    CHECK(p.errors[0].field == "jobs[0].retry_count");
    CHECK(p.errors[0].job == warden::job_id{1});
    CHECK(p.errors[0].message.find("2147483646") != std::string::npos);
    const auto starts = actions_of<warden::start_job>(p);
    REQUIRE(starts.size() == 1); // the other job is started
    CHECK(starts[0].job == warden::job_id{2});
}

// Issue 15, item 7: a stop's pids reach kill(2). 0 and -1 signal process groups or everything,
// 1 is init, and no Linux pid reaches 2^22 (PID_MAX_LIMIT): such a process row means the probe
// is broken, and nothing is decided.
TEST_CASE("validate: pids must be in 2..4194303", "[core][validate]") {
    for (const std::int64_t pid :
         {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1}, std::int64_t{4194304},
          std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()}) {
        INFO("pid " << pid);
        auto s = world({job_builder{1, job_status::running}.started(3h).progress(2h)});
        hold_lock(s, 1);
        add_process(s, 1, 4242);
        add_process(s, 1, pid);
        const auto p = warden::decide(s, {});
        REQUIRE(p.errors.size() == 1);
        CHECK(p.errors[0].field == "processes[1].pid");
        CHECK_FALSE(p.errors[0].job.has_value());
        CHECK(p.rejected());
        CHECK(p.actions.empty());
    }
    for (const std::int64_t pid : {std::int64_t{2}, std::int64_t{4194303}}) {
        auto s = world({job_builder{1, job_status::running}.started(3h).progress(2h)});
        hold_lock(s, 1);
        add_process(s, 1, pid);
        const auto p = warden::decide(s, {});
        CHECK(p.errors.empty());
        const auto stops = actions_of<warden::stop_job>(p);
        REQUIRE(stops.size() == 1);
        CHECK(stops[0].pids == std::vector<std::int64_t>{pid});
    }
}

TEST_CASE("validate: max_starts_per_tick must not be negative", "[core][validate]") {
    auto s = world({});
    warden::config c;
    c.max_starts_per_tick = 0;
    CHECK_FALSE(warden::decide(s, c).rejected());
    c.max_starts_per_tick = -1;
    CHECK(has_error(warden::decide(s, c), "config.max_starts_per_tick"));
}

TEST_CASE("validate: an empty infra error pattern is refused", "[core][validate]") {
    auto s = world({});
    warden::config c;
    c.infra_error_patterns.push_back("");
    CHECK(has_error(warden::decide(s, c), "config.infra_error_patterns[6]"));
}

// Issue #17 item 2: a profile is its source's minimums, checked key by key.
TEST_CASE("validate: source profile values, boundaries", "[core][validate][source_profiles]") {
    warden::config c;
    c.source_profiles["cihr"] = warden::source_profile{45, 35, 35, 1, 20};
    CHECK(warden::validate(c).empty());
    // Boundaries: thresholds, restarts, stall and initial workers 1 pass; backoff 0 passes.
    c.source_profiles["cihr"] = warden::source_profile{1, 1, 1, 0, 1};
    c.source_profiles["cihr"].initial_workers = 1;
    c.source_profiles["cihr"].docker_shm_size = "512m";
    CHECK(warden::validate(c).empty());
    c.source_profiles["cihr"] = warden::source_profile{0, 0, 0, -1, 0};
    c.source_profiles["cihr"].initial_workers = 0;
    c.source_profiles["cihr"].docker_shm_size = "lots";
    const auto errors = warden::validate(c);
    REQUIRE(errors.size() == 7);
    CHECK(errors[0].field == "config.source_profiles.cihr.stall_timeout_minutes");
    CHECK(errors[0].message == "must be at least 1, got 0");
    CHECK(errors[1].field == "config.source_profiles.cihr.error_threshold_timeout");
    CHECK(errors[2].field == "config.source_profiles.cihr.error_threshold_http");
    CHECK(errors[3].field == "config.source_profiles.cihr.backoff_delay_minutes");
    CHECK(errors[3].message == "must be at least 0, got -1");
    CHECK(errors[4].field == "config.source_profiles.cihr.max_container_restarts");
    CHECK(errors[5].field == "config.source_profiles.cihr.initial_workers");
    CHECK(errors[6].field == "config.source_profiles.cihr.docker_shm_size");
    CHECK(errors[6].message == "must be a size like 1g or 512m, got \"lots\"");
}

// Issue #17 item 3: the row's initial_workers and docker_shm_size, when set.
TEST_CASE("validate: item 3 tool options, boundaries", "[core][validate][tool_options]") {
    for (const char* ok : {"1g", "512m", "512M", "64mb", "2GB", "1048576", "10k", "100b"})
        CHECK(warden::plausible_shm_size(ok));
    for (const char* bad :
         {"", "g", "0", "0g", "-1g", "1.5g", "1t", "1 g", "1gg", "1gbb", "abc", "1234567890123g"})
        CHECK_FALSE(warden::plausible_shm_size(bad));
    auto s = world({job_builder{1, job_status::queued}, job_builder{2, job_status::queued},
                    job_builder{3, job_status::queued}});
    s.jobs[0].options.initial_workers = 0;
    s.jobs[1].options.docker_shm_size = "1.5g"; // "" is missing, not an error
    s.jobs[2].options.initial_workers = 1;
    s.jobs[2].options.docker_shm_size = "1g";
    s.jobs[2].options.skip_final_build = false;
    const auto p = warden::decide(s, {});
    CHECK(has_error(p, "jobs[0].tool_options.initial_workers"));
    CHECK(has_error(p, "jobs[1].tool_options.docker_shm_size"));
    CHECK_FALSE(has_error(p, "jobs[2].tool_options.initial_workers"));
    CHECK_FALSE(has_error(p, "jobs[2].tool_options.docker_shm_size"));
    CHECK(p.errors.size() == 2);
}

// Issue #22: plausible_job, the engine's fast check, was rewritten without branches. It must pass
// exactly the rows validate_job finds nothing wrong with: a row it passed with an error would be
// planned for unvalidated, and one it failed without an error would only cost time, but either
// way the two lists of checks must stay one. Every field validate_job reads gets a value at,
// just inside or just outside its bound, or far outside, now and then.
TEST_CASE("validate: plausible_job passes exactly the rows validate_job finds nothing in",
          "[core][validate]") {
    std::mt19937_64 rng(22);
    const auto pick = [&](auto... values) {
        using T = std::common_type_t<decltype(values)...>;
        const T options[] = {static_cast<T>(values)...};
        return options[rng() % sizeof...(values)];
    };
    const auto t = [](std::int64_t seconds) { return timestamp{warden::duration{seconds}}; };
    constexpr std::int64_t min64 = std::numeric_limits<std::int64_t>::min();
    constexpr std::int64_t max64 = std::numeric_limits<std::int64_t>::max();
    constexpr std::int32_t max32 = std::numeric_limits<std::int32_t>::max();
    const std::int64_t first = warden::earliest_time.time_since_epoch().count();
    std::int64_t passed = 0, failed = 0;
    for (int k = 0; k < 40000; ++k) {
        warden::snapshot s = world({});
        // Now and then a `now` the host check refuses: the fast check must not pass rows then.
        if (k % 50 == 0) s.now = t(pick(first - 1, first - 1000000, first));
        const std::int64_t n = s.now.time_since_epoch().count();
        const auto some_time = [&]() -> std::optional<timestamp> {
            if (rng() % 2 == 0) return std::nullopt; // most rows leave most times unset
            return t(pick(n, n - 1, n + 1, first, first - 1, n - 3600, min64, max64));
        };
        const auto some_count = [&] { return pick(0, 1, -1, max32, 5); };
        const auto rare = [&](auto good, auto... bad) {
            return rng() % 8 == 0 ? pick(bad...) : good;
        };
        warden::job j;
        j.id = warden::job_id{1};
        j.status = rare(job_status::queued, static_cast<job_status>(250), job_status::running);
        j.retry_count = rare(0, -1, warden::max_retry_count, warden::max_retry_count + 1);
        j.version = rare(std::int64_t{1}, std::int64_t{-1}, warden::max_version,
                         warden::max_version + 1, max64);
        j.queued_at = rng() % 4 == 0 ? some_time().value_or(t(n + 1)) : t(n - 60);
        j.started_at = some_time();
        j.finished_at = some_time();
        j.last_progress_at = some_time();
        j.completed_at = some_time();
        j.created_at = some_time();
        j.updated_at = some_time();
        j.degraded_streak = rare(0, -1, max32);
        if (rng() % 4 == 0) j.crawled_pages = pick(0, -1, 7, min64, max64);
        j.options.max_container_restarts = rare(1, -1, max32, 0);
        j.options.error_threshold_timeout = rare(1, -1, std::numeric_limits<std::int32_t>::min());
        j.options.error_threshold_http = rare(1, -1, 0);
        j.options.backoff_delay_minutes = rare(1, -1, 0);
        if (rng() % 4 == 0) j.options.page_cap = some_count();
        if (rng() % 4 == 0) j.options.stall_timeout_minutes = some_count();
        if (rng() % 4 == 0) j.options.initial_workers = some_count();
        if (rng() % 4 == 0) j.options.docker_shm_size = pick("1g", "512m", "lots", "0");
        s.jobs.push_back(j);
        const bool plausible = warden::plausible_job(s, s.jobs[0]);
        // Before the host's range of `now` (validate_host refuses it, so validate_job never runs
        // then: its arithmetic assumes a valid `now`), the fast check fails every row.
        if (s.now < warden::earliest_time) {
            REQUIRE_FALSE(plausible);
            continue;
        }
        std::vector<warden::validation_error> errors;
        warden::validate_job(s, 0, errors);
        INFO("row " << k << ", first error: " << (errors.empty() ? "" : errors[0].field));
        REQUIRE(plausible == errors.empty());
        ++(plausible ? passed : failed);
    }
    // Both answers, many times: the generator is not all good rows or all bad ones.
    CHECK(passed > 1000);
    CHECK(failed > 1000);
}
