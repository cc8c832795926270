#include <warden/rules/recovery_options.hpp>

#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

namespace {

warden::tool_options recovered(const warden::job& j, const warden::config& c = {}) {
    return warden::recovery_options(c, j);
}

warden::tool_options with_restarts(warden::tool_options o, std::int32_t restarts) {
    o.max_container_restarts = restarts;
    return o;
}

// A stalled job with a worker process, so its recovery is full.
warden::snapshot stalled(warden::job j) {
    auto s = world({std::move(j)});
    hold_lock(s, warden::to_int(s.jobs[0].id));
    add_process(s, warden::to_int(s.jobs[0].id), 5151);
    return s;
}

} // namespace

TEST_CASE("recovery_options: restarts at least 20 for an annual job, boundaries",
          "[rules][recovery_options]") {
    const warden::job annual = job_builder{5, job_status::running}.annual();
    auto restarts_after = [&](std::int32_t r) {
        warden::job j = annual;
        j.options = with_restarts(j.options, r);
        return recovered(j).max_container_restarts;
    };
    CHECK(restarts_after(19) == 20);
    CHECK(restarts_after(20) == 20);
    CHECK(restarts_after(25) == 25);
    CHECK(restarts_after(0) == 20); // a non-numeric value read as 0 (issue #8)
}

TEST_CASE("recovery_options: restarts at least 6 for a job that is not annual, boundaries",
          "[rules][recovery_options]") {
    auto restarts_after = [](std::int32_t r) {
        return recovered(job_builder{5, job_status::running}.options({r, 1, 1, 1, std::nullopt}))
            .max_container_restarts;
    };
    CHECK(restarts_after(0) == 6);
    CHECK(restarts_after(5) == 6);
    CHECK(restarts_after(6) == 6);
    CHECK(restarts_after(12) == 12);
    warden::config c;
    c.recovery_min_restarts_non_annual = 8;
    CHECK(recovered(job_builder{5, job_status::running}.options({7, 1, 1, 1, std::nullopt}), c)
              .max_container_restarts == 8);
}

TEST_CASE("recovery_options: monitoring and adaptive restart always on",
          "[rules][recovery_options]") {
    warden::tool_options off{6, 1, 1, 1, std::nullopt};
    off.monitoring = false;
    off.adaptive_restart = false;
    for (const warden::job& j :
         {warden::job(job_builder{5, job_status::running}.options(off)),
          warden::job(job_builder{5, job_status::running}.annual().options(off)),
          warden::job(job_builder{5, job_status::running})}) {
        const auto o = recovered(j);
        CHECK(o.monitoring == true);
        CHECK(o.adaptive_restart == true);
    }
}

TEST_CASE("recovery_options: an annual job's stall timeout is filled only when missing",
          "[rules][recovery_options]") {
    warden::job j = job_builder{5, job_status::running}.annual();
    CHECK(recovered(j).stall_timeout_minutes == 60);
    j.options.stall_timeout_minutes = 30; // explicit, below 60: kept
    CHECK(recovered(j).stall_timeout_minutes == 30);
    j.options.stall_timeout_minutes = 90;
    CHECK(recovered(j).stall_timeout_minutes == 90);
    warden::config c;
    c.annual_stall_timeout_minutes = 45;
    j.options.stall_timeout_minutes.reset();
    CHECK(recovered(j, c).stall_timeout_minutes == 45);
    // A legacy -YYYY0101 name is annual too.
    CHECK(recovered(job_builder{6, job_status::running, "hc-20260101"}).stall_timeout_minutes ==
          60);
}

TEST_CASE("recovery_options: a job that is not annual keeps its other options",
          "[rules][recovery_options]") {
    warden::tool_options o{3, 7, 8, 1, 500};
    const auto after = recovered(job_builder{5, job_status::running}.options(o));
    CHECK_FALSE(after.stall_timeout_minutes.has_value()); // missing stays missing
    o.max_container_restarts = 6;
    o.monitoring = true;
    o.adaptive_restart = true;
    CHECK(after == o); // thresholds, backoff and page cap untouched
}

TEST_CASE("recovery_options: annual thresholds are raised to the minimums (B4, stricter than "
          "filling missing values)",
          "[rules][recovery_options][annual_minimums]") {
    warden::job j = job_builder{5, job_status::running}.annual().options({25, 10, 60, 1, 1000});
    auto expected = warden::tool_options{25, 50, 60, 2, std::nullopt};
    expected.monitoring = true;
    expected.adaptive_restart = true;
    expected.stall_timeout_minutes = 60;
    expected.docker_shm_size = "1g"; // issue #17 item 3
    expected.skip_final_build = true;
    CHECK(recovered(j) == expected);
    SECTION("with guards.raise_annual_minimums off only issue #8's options change") {
        warden::config c;
        c.guards.raise_annual_minimums = false;
        auto kept = warden::tool_options{25, 10, 60, 1, 1000};
        kept.monitoring = true;
        kept.adaptive_restart = true;
        kept.stall_timeout_minutes = 60;
        kept.docker_shm_size = "1g";
        kept.skip_final_build = true;
        CHECK(recovered(j, c) == kept);
        j.options.max_container_restarts = 19;
        CHECK(recovered(j, c).max_container_restarts == 20);
    }
}

TEST_CASE("stall_recovery: full and soft recoveries both carry the recovery options",
          "[rules][stall_recovery][recovery_options]") {
    warden::tool_options before{5, 10, 10, 1, std::nullopt};
    before.monitoring = false;
    const warden::job j =
        job_builder{5, job_status::running}.options(before).version(4).started(5h).progress(2h);
    auto after = warden::tool_options{6, 10, 10, 1, std::nullopt};
    after.monitoring = true;
    after.adaptive_restart = true;
    SECTION("full: status, options, restart") {
        const auto p = warden::decide(stalled(j), {});
        REQUIRE(p.actions.size() == 3);
        CHECK(std::holds_alternative<warden::set_status>(p.actions[0]));
        const auto& o = std::get<warden::set_tool_options>(p.actions[1]);
        CHECK(o.before == before);
        CHECK(o.after == after);
        CHECK(o.expected_status == job_status::retryable);
        CHECK(o.expected_version == 5);
        CHECK(o.rule == warden::rule_id::stall_recovery);
        CHECK(std::get<warden::stop_job>(p.actions[2]).restart);
    }
    SECTION("soft: status and options, no stop") {
        // Nothing runs job 5 and job 6 progressed a minute ago: inside the guard window.
        auto s = world({j, healthy_running(6)});
        hold_lock(s, 6);
        const auto p = warden::decide(s, {});
        REQUIRE(p.actions.size() == 2);
        CHECK(std::get<warden::set_status>(p.actions[0]).reason ==
              "no progress (soft recovery: nothing runs it)");
        const auto& o = std::get<warden::set_tool_options>(p.actions[1]);
        CHECK(o.after == after);
        CHECK(o.expected_version == 5);
        CHECK(actions_of<warden::stop_job>(p).empty());
    }
}

TEST_CASE("stall_recovery: no set_tool_options when the options already comply",
          "[rules][stall_recovery][recovery_options]") {
    warden::tool_options ok{6, 1, 1, 1, std::nullopt};
    ok.monitoring = true;
    ok.adaptive_restart = true;
    warden::tool_options annual_ok{20, 50, 50, 2, std::nullopt};
    annual_ok.monitoring = true;
    annual_ok.adaptive_restart = true;
    annual_ok.stall_timeout_minutes = 30;
    annual_ok.docker_shm_size = "1g";
    annual_ok.skip_final_build = true;
    for (const warden::job& j :
         {warden::job(job_builder{5, job_status::running}.options(ok).started(5h).progress(2h)),
          warden::job(
              job_builder{5, job_status::running}.annual().options(annual_ok).started(5h).progress(
                  2h))}) {
        const auto p = warden::decide(stalled(j), {});
        CHECK(p.summary.stalled == 1);
        CHECK(actions_of<warden::set_status>(p).size() == 1);
        CHECK(actions_of<warden::set_tool_options>(p).empty());
        CHECK(actions_of<warden::stop_job>(p).size() == 1);
    }
}

// Issue #17 item 2: production's cihr profile (vps-crawl-auto-recover.py).
namespace {
warden::config with_cihr_profile() {
    warden::config c;
    c.source_profiles["cihr"] = warden::source_profile{45, 35, 35, 1, 20};
    return c;
}
} // namespace

TEST_CASE("recovery_options: a source profile replaces missing and baseline values",
          "[rules][recovery_options][source_profiles]") {
    const warden::config c = with_cihr_profile();
    warden::job j = job_builder{5, job_status::running}.annual();
    j.source = "cihr";
    j.options = {20, 50, 50, 2, std::nullopt}; // the shared baseline
    j.options.stall_timeout_minutes = 60;
    const auto out = recovered(j, c);
    CHECK(out.error_threshold_timeout == 35);
    CHECK(out.error_threshold_http == 35);
    CHECK(out.backoff_delay_minutes == 1);
    CHECK(out.max_container_restarts == 20);
    CHECK(out.stall_timeout_minutes == 45);
    // Missing values (0, no stall timeout) take the profile's too.
    j.options = {};
    const auto missing = recovered(j, c);
    CHECK(missing.error_threshold_timeout == 35);
    CHECK(missing.backoff_delay_minutes == 1);
    CHECK(missing.stall_timeout_minutes == 45);
    // start_options is the same.
    CHECK(warden::start_options(c, j) == missing);
}

TEST_CASE("recovery_options: explicit values off the baseline are kept, boundaries",
          "[rules][recovery_options][source_profiles]") {
    const warden::config c = with_cihr_profile();
    warden::job j = job_builder{5, job_status::running}.annual();
    j.source = "cihr";
    j.options = {25, 51, 49, 3, std::nullopt};
    j.options.stall_timeout_minutes = 59;
    const auto out = recovered(j, c);
    CHECK(out.max_container_restarts == 25);
    CHECK(out.error_threshold_timeout == 51);
    CHECK(out.error_threshold_http == 49); // below the shared minimum, above the profile's
    CHECK(out.backoff_delay_minutes == 3);
    CHECK(out.stall_timeout_minutes == 59);
    // Below the profile's minimums: raised to them (B4's raise), not to the shared ones.
    j.options = {19, 34, 36, 1, 500};
    const auto raised = recovered(j, c);
    CHECK(raised.max_container_restarts == 20);
    CHECK(raised.error_threshold_timeout == 35);
    CHECK(raised.error_threshold_http == 36);
    CHECK(raised.backoff_delay_minutes == 1);
    CHECK_FALSE(raised.page_cap.has_value());
}

TEST_CASE("recovery_options: a profile touches only annual jobs of its own source",
          "[rules][recovery_options][source_profiles]") {
    const warden::config c = with_cihr_profile();
    warden::job other = job_builder{5, job_status::running}.annual();
    other.source = "hc";
    other.options = {};
    const auto hc = recovered(other, c);
    CHECK(hc.error_threshold_timeout == 50);
    CHECK(hc.backoff_delay_minutes == 2);
    CHECK(hc.stall_timeout_minutes == 60);
    warden::job plain = job_builder{6, job_status::running};
    plain.source = "cihr";
    plain.options = {3, 50, 50, 2, std::nullopt};
    const auto not_annual = recovered(plain, c);
    CHECK(not_annual.error_threshold_timeout == 50);
    CHECK(not_annual.backoff_delay_minutes == 2);
    CHECK_FALSE(not_annual.stall_timeout_minutes.has_value());
    // A profile that names only some options leaves the others at the shared baseline.
    warden::config partial;
    partial.source_profiles["cihr"].backoff_delay_minutes = 1;
    warden::job j = job_builder{7, job_status::running}.annual();
    j.source = "cihr";
    j.options = {};
    const auto out = recovered(j, partial);
    CHECK(out.backoff_delay_minutes == 1);
    CHECK(out.error_threshold_timeout == 50);
    CHECK(out.stall_timeout_minutes == 60);
}

// Issue #17 item 3: production's defaults for an annual job, only when missing.
TEST_CASE("recovery_options: shm size and skip_final_build for annual jobs, when missing",
          "[rules][recovery_options][tool_options]") {
    warden::job annual = job_builder{5, job_status::running}.annual();
    const auto filled = recovered(annual);
    CHECK(filled.docker_shm_size == "1g");
    CHECK(filled.skip_final_build == std::optional<bool>{true});
    CHECK_FALSE(filled.initial_workers.has_value());
    // Explicit values are kept, false included.
    annual.options.docker_shm_size = "2g";
    annual.options.skip_final_build = false;
    annual.options.initial_workers = 3;
    const auto kept = recovered(annual);
    CHECK(kept.docker_shm_size == "2g");
    CHECK(kept.skip_final_build == std::optional<bool>{false});
    CHECK(kept.initial_workers == std::optional<std::int32_t>{3});
    // A job that is not annual gets none of them.
    const warden::job plain = job_builder{6, job_status::running};
    const auto untouched = recovered(plain);
    CHECK(untouched.docker_shm_size.empty());
    CHECK_FALSE(untouched.skip_final_build.has_value());
    // A profile fills initial_workers (and may name a shm size) when missing, never over a
    // value the row has.
    warden::config c;
    c.source_profiles["cihr"].initial_workers = 2;
    c.source_profiles["cihr"].docker_shm_size = "512m";
    warden::job cihr = job_builder{7, job_status::running}.annual();
    cihr.source = "cihr";
    const auto profiled = recovered(cihr, c);
    CHECK(profiled.initial_workers == std::optional<std::int32_t>{2});
    CHECK(profiled.docker_shm_size == "512m");
    cihr.options.initial_workers = 4;
    CHECK(recovered(cihr, c).initial_workers == std::optional<std::int32_t>{4});
}

// Issue #17 item 2 against the newest production (scripts/vps-crawl-auto-recover.py at
// jerdaw/healtharchive-backend d7d9639, its profiles from src/ha_backend/job_registry.py
// ec8177a, tests/test_ops_crawl_auto_recover_tool_options.py 2b57d14): the three sources'
// profiles, each with its initial_workers.
namespace {
warden::config with_production_profiles() {
    warden::config c;
    warden::source_profile hc{75, 55, 55, 15, 24};
    hc.initial_workers = 2;
    warden::source_profile phac{90, 65, 65, 3, 30};
    phac.initial_workers = 2;
    warden::source_profile cihr{45, 35, 35, 1, 20};
    cihr.initial_workers = 3;
    c.source_profiles = {{"hc", hc}, {"phac", phac}, {"cihr", cihr}};
    return c;
}

warden::job legacy_annual(std::int64_t id, const std::string& source) {
    warden::job j = job_builder{id, job_status::running, source + "-20260101"}.annual();
    j.source = source;
    j.options = {20, 50, 50, 2, std::nullopt}; // the shared annual baseline
    j.options.stall_timeout_minutes = 60;
    j.options.initial_workers = 1;
    return j;
}
} // namespace

// Production's test_ensure_recovery_tool_options_reconciles_legacy_hc_values.
TEST_CASE("recovery_options: production's hc profile replaces the legacy baseline, "
          "initial_workers included",
          "[rules][recovery_options][source_profiles]") {
    const auto out = recovered(legacy_annual(5, "hc"), with_production_profiles());
    CHECK(out.initial_workers == std::optional<std::int32_t>{2});
    CHECK(out.stall_timeout_minutes == std::optional<std::int32_t>{75});
    CHECK(out.error_threshold_timeout == 55);
    CHECK(out.error_threshold_http == 55);
    CHECK(out.backoff_delay_minutes == 15);
    CHECK(out.max_container_restarts == 24);
    // Both legacy worker counts, 1 and 2, take cihr's 3; 3 and 4 are someone's choice: kept.
    for (const std::int32_t legacy : {1, 2}) {
        warden::job cihr = legacy_annual(6, "cihr");
        cihr.options.initial_workers = legacy;
        CHECK(recovered(cihr, with_production_profiles()).initial_workers ==
              std::optional<std::int32_t>{3});
    }
    for (const std::int32_t chosen : {3, 4}) {
        warden::job hc = legacy_annual(7, "hc");
        hc.options.initial_workers = chosen;
        CHECK(recovered(hc, with_production_profiles()).initial_workers ==
              std::optional<std::int32_t>{chosen});
    }
    const auto phac = recovered(legacy_annual(8, "phac"), with_production_profiles());
    CHECK(phac.max_container_restarts == 30);
    CHECK(phac.stall_timeout_minutes == std::optional<std::int32_t>{90});
    CHECK(phac.backoff_delay_minutes == 3);
}

// Production's test_ensure_recovery_tool_options_preserves_nonbaseline_hc_overrides: every value
// kept. warden keeps them too, except (B4, our stricter choice) a backoff below the profile's,
// which is raised while guards.raise_annual_minimums is on; with it off, all are kept.
TEST_CASE("recovery_options: production's non-baseline hc overrides are kept",
          "[rules][recovery_options][source_profiles]") {
    warden::job hc = legacy_annual(5, "hc");
    hc.options = {40, 70, 70, 5, std::nullopt};
    hc.options.stall_timeout_minutes = 120;
    hc.options.initial_workers = 4;
    warden::config c = with_production_profiles();
    c.guards.raise_annual_minimums = false;
    const auto out = recovered(hc, c);
    CHECK(out.initial_workers == std::optional<std::int32_t>{4});
    CHECK(out.stall_timeout_minutes == std::optional<std::int32_t>{120});
    CHECK(out.error_threshold_timeout == 70);
    CHECK(out.error_threshold_http == 70);
    CHECK(out.backoff_delay_minutes == 5);
    CHECK(out.max_container_restarts == 40);
    CHECK(recovered(hc, with_production_profiles()).backoff_delay_minutes == 15);
}

// Production raises max_container_restarts to the profile's value and never lowers it: a
// profile below the baseline's 20 leaves a row at 20 alone (before: lowered to the profile's).
TEST_CASE("recovery_options: a profile's restarts are a floor, never a lower replacement",
          "[rules][recovery_options][source_profiles]") {
    warden::config c;
    c.source_profiles["cihr"].max_container_restarts = 12;
    warden::job j = legacy_annual(5, "cihr");
    CHECK(recovered(j, c).max_container_restarts == 20);
    j.options.max_container_restarts = 0; // missing: the profile's
    CHECK(recovered(j, c).max_container_restarts == 12);
    j.options.max_container_restarts = 11; // below: raised to it
    CHECK(recovered(j, c).max_container_restarts == 12);
    j.options.max_container_restarts = 13;
    CHECK(recovered(j, c).max_container_restarts == 13);
    c.source_profiles["cihr"].max_container_restarts = 24;
    j.options.max_container_restarts = 20; // the baseline, below the profile: raised
    CHECK(recovered(j, c).max_container_restarts == 24);
}
