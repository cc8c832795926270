#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "../../support/builders.hpp"
#include "../../support/classes.hpp"

using namespace wt;

namespace {

// Monthly jobs may run 120 minutes; annual jobs are never capped.
warden::config monthly_deadline() {
    warden::config c = annual_and_monthly_classes(warden::config{});
    monthly_class(c).max_runtime_minutes = 120;
    return c;
}

warden::job running_monthly(std::int64_t id, duration ran) {
    return job_builder{id, job_status::running, "hc-monthly-" + std::to_string(id)}
        .started(ran)
        .progress(1min);
}

} // namespace

TEST_CASE("deadline: a job past max_runtime is failed and its runner stopped, not restarted",
          "[rules][deadline][issue21]") {
    auto s = world({running_monthly(1, 121min)});
    hold_lock(s, 1);
    add_process(s, 1, 4242);
    const auto p = warden::decide(s, monthly_deadline());
    REQUIRE(p.actions.size() == 2);
    const auto st = actions_of<warden::set_status>(p);
    REQUIRE(st.size() == 1);
    CHECK(st[0].status == job_status::failed);
    CHECK(st[0].rule == warden::rule_id::deadline);
    CHECK(st[0].reason == "deadline_exceeded");
    CHECK(st[0].evidence == warden::evidence{warden::evidence_kind::run_time, 121 * 60});
    const auto stop = actions_of<warden::stop_job>(p);
    REQUIRE(stop.size() == 1);
    CHECK(stop[0].pids == std::vector<std::int64_t>{4242});
    CHECK_FALSE(stop[0].restart);
    CHECK(stop[0].runner == warden::runner_class::worker);
    CHECK(p.summary.running == 0);
    CHECK(p.summary.actions_by_rule[static_cast<std::size_t>(warden::rule_id::deadline)] == 2);
}

TEST_CASE("deadline: boundary, runner kinds and what is never capped",
          "[rules][deadline][issue21]") {
    const auto c = monthly_deadline();
    SECTION("exactly at max_runtime it runs on; one second later it is failed") {
        CHECK(warden::decide(world({running_monthly(1, 120min)}), c).actions.empty());
        const auto p = warden::decide(world({running_monthly(1, 120min + 1s)}), c);
        REQUIRE(p.actions.size() == 1); // nothing runs it: the row only
        CHECK(std::get<warden::set_status>(p.actions[0]).status == job_status::failed);
    }
    SECTION("a systemd unit is stopped by name") {
        auto s = world({running_monthly(1, 3h)});
        add_process(s, 1, 77, warden::process_origin::systemd_unit, "crawl-1.service");
        const auto stop = actions_of<warden::stop_job>(warden::decide(s, c));
        REQUIRE(stop.size() == 1);
        CHECK(stop[0].unit == "crawl-1.service");
        CHECK_FALSE(stop[0].restart);
    }
    SECTION("a runner warden cannot stop alone is an operator's: an anomaly, nothing written") {
        auto s = world({running_monthly(1, 3h)});
        hold_lock(s, 1); // the worker's lock, no process to signal
        const auto p = warden::decide(s, c);
        CHECK(p.actions.empty());
        REQUIRE(p.anomalies.size() == 1);
        CHECK(p.anomalies[0].kind == warden::anomaly_kind::stalled_runner_unknown);
        auto other = world({running_monthly(1, 3h)});
        add_process(other, 1, 9, warden::process_origin::other);
        CHECK(warden::decide(other, c).actions.empty());
    }
    SECTION("a stalled job past its deadline is failed, not recovered to retryable") {
        const warden::job stalled =
            job_builder{1, job_status::running, "hc-monthly-1"}.started(5h).progress(3h);
        const auto st = actions_of<warden::set_status>(warden::decide(world({stalled}), c));
        REQUIRE(st.size() == 1);
        CHECK(st[0].status == job_status::failed);
        CHECK(st[0].rule == warden::rule_id::deadline);
    }
    SECTION("annual jobs, and every job without a classes key, are never capped") {
        const warden::job annual =
            job_builder{1, job_status::running}.annual().started(2000h).progress(1min);
        CHECK(warden::decide(world({annual}), c).actions.empty());
        CHECK(warden::decide(world({running_monthly(2, 2000h)}), warden::config{}).actions.empty());
    }
    SECTION("a finished crawl (completed_at) is repaired, never failed") {
        warden::job done = running_monthly(1, 3h);
        done.completed_at = now - 1min;
        for (const auto& a : warden::decide(world({done}), c).actions)
            CHECK(warden::action_rule(a) != warden::rule_id::deadline);
    }
}

TEST_CASE("deadline: a failed job is never retried, and the sentinel gates the write",
          "[rules][deadline][issue21]") {
    auto c = monthly_deadline();
    c.ensure_min_running_jobs = 1;
    // After the deadline's write: failed, no retry, nothing starts it again.
    warden::job failed = running_monthly(1, 3h);
    failed.status = job_status::failed;
    failed.finished_at = now;
    const auto p = warden::decide(world({failed}), c);
    CHECK(p.actions.empty());
    // Dry run: the sentinel refuses the write, the plan shows it blocked.
    auto s = world({running_monthly(1, 3h)});
    s.host.sentinel_present = false;
    const auto dry = warden::decide(s, c);
    CHECK(dry.actions.empty());
    REQUIRE(dry.blocked.size() == 1);
    CHECK(dry.blocked[0].rail == "sentinel_gate");
}

TEST_CASE("deadline: validation names the field", "[rules][deadline][issue21]") {
    auto c = monthly_deadline();
    c.classes[1].max_runtime_minutes = 0;
    const auto errors = warden::validate(c);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].field == "config.classes[1].max_runtime_minutes");
}
