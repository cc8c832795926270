#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "../../support/builders.hpp"

using namespace wt;

namespace {

// The host rail of docs/rails/writing-a-rail.md, word for word: one crawl per source, counted
// over the jobs running now and the starts this plan has already accepted.
struct one_crawl_per_source {
    static constexpr std::string_view name = "one_crawl_per_source";

    warden::verdict check(const warden::decision_context& ctx, const warden::subject& job,
                          const warden::start_job&) const {
        for (const warden::job& other : ctx.snapshot.jobs)
            if (other.status == warden::job_status::running && other.source == job.row.source)
                return warden::verdict::deny("a crawl of " + job.row.source + " is running");
        for (const warden::accepted_action& a : ctx.accepted())
            if (std::holds_alternative<warden::start_job>(a.action) &&
                ctx.row_of(a).source == job.row.source)
                return warden::verdict::deny("a crawl of " + job.row.source + " starts this tick");
        return warden::verdict::allow();
    }
};

warden::snapshot three_queued_of_one_source() {
    return world({job_builder{1, job_status::queued}.annual().queued(3h),
                  job_builder{2, job_status::queued}.annual().queued(2h),
                  job_builder{3, job_status::queued}.annual().queued(1h)});
}

std::vector<std::string_view> blocking_rails(const warden::plan& p) {
    std::vector<std::string_view> out;
    for (const auto& [start, b] : blocked_of<warden::start_job>(p))
        out.push_back(b.rail);
    return out;
}

warden::concurrency_limit limit_of(warden::limit_key by, std::int32_t max,
                                   std::optional<std::string> value = std::nullopt) {
    warden::concurrency_limit l;
    l.by = by;
    l.max_running = max;
    l.value = std::move(value);
    return l;
}

} // namespace

TEST_CASE("plan in progress: a host rail sees the starts accepted earlier in the tick",
          "[rails][concurrency_limits][issue21]") {
    const auto s = three_queued_of_one_source();
    const auto c = fill_to_unpaced(3);
    // Control: without the rail all three start in one tick (the bug of issue #21 item 2).
    CHECK(started_ids(warden::decide(s, c)) == std::vector<std::int64_t>{1, 2, 3});
    const auto rails = warden::with_rail(warden::default_rails(), one_crawl_per_source{});
    const auto p = warden::decide(s, c, rails);
    CHECK(started_ids(p) == std::vector<std::int64_t>{1});
    CHECK(blocking_rails(p) ==
          std::vector<std::string_view>{"one_crawl_per_source", "one_crawl_per_source"});
    REQUIRE(p.blocked.size() == 2);
    CHECK(p.blocked[0].reason == "a crawl of hc starts this tick");
    // A job of another source is not held back by it.
    auto mixed = s;
    mixed.jobs[2].source = "phac";
    CHECK(started_ids(warden::decide(mixed, c, rails)) == std::vector<std::int64_t>{1, 3});
}

TEST_CASE("plan in progress: a dry run projects the starts only the sentinel refused",
          "[rails][concurrency_limits][issue21]") {
    auto s = three_queued_of_one_source();
    s.host.sentinel_present = false;
    const auto rails = warden::with_rail(warden::default_rails(), one_crawl_per_source{});
    const auto p = warden::decide(s, fill_to_unpaced(3), rails);
    CHECK(started_ids(p).empty());
    // Apply mode's plan: job 1 starts (shown under the sentinel), 2 and 3 are held by the rail.
    CHECK(blocking_rails(p) == std::vector<std::string_view>{"sentinel_gate",
                                                             "one_crawl_per_source",
                                                             "one_crawl_per_source"});
}

TEST_CASE("plan in progress: a rail checked on its own sees an empty plan",
          "[rails][concurrency_limits][issue21]") {
    rail_bench b{job_builder{1, job_status::queued}.annual()};
    CHECK(b.ctx().accepted().empty());
    CHECK(b.check(one_crawl_per_source{}, start_of(b.snap.jobs[0])).allowed);
}

TEST_CASE("concurrency_limits: without limits every plan is the one without the rail",
          "[rails][concurrency_limits][issue21]") {
    auto s = three_queued_of_one_source();
    s.jobs.push_back(healthy_running(4));
    const auto c = fill_to_unpaced(5);
    const auto without = warden::make_rails(
        warden::grace_window{}, warden::legacy_annual{}, warden::annual_minimums{},
        warden::daily_start_cap{}, warden::progress_circuit{}, warden::daily_recovery_cap{},
        warden::disk_threshold{}, warden::deploy_lock{}, warden::sentinel_gate{});
    CHECK(warden::decide(s, c) == warden::decide(s, c, without));
    CHECK(started_ids(warden::decide(s, c)).size() == 3);
}

TEST_CASE("concurrency_limits: per source, counted over running jobs and accepted starts",
          "[rails][concurrency_limits][issue21]") {
    auto s = three_queued_of_one_source();
    s.jobs.push_back(job_builder{4, job_status::queued}.annual().queued(30min).source("phac"));
    auto c = fill_to_unpaced(4);
    c.concurrency_limits = {limit_of(warden::limit_key::source, 1)};
    SECTION("nothing running: one start per source") {
        const auto p = warden::decide(s, c);
        CHECK(started_ids(p) == std::vector<std::int64_t>{1, 4});
        CHECK(blocking_rails(p) ==
              std::vector<std::string_view>{"concurrency_limits", "concurrency_limits"});
        CHECK(p.blocked[0].reason == "1 job of source hc running or starting (limit 1)");
    }
    SECTION("boundary: one below the limit allows one more, at the limit denies") {
        s.jobs.push_back(healthy_running(5));
        c.concurrency_limits[0].max_running = 2;
        CHECK(started_ids(warden::decide(s, c)) == std::vector<std::int64_t>{1, 4});
        c.concurrency_limits[0].max_running = 1;
        const auto p = warden::decide(s, c);
        CHECK(started_ids(p) == std::vector<std::int64_t>{4});
        REQUIRE_FALSE(p.blocked.empty());
        CHECK(p.blocked[0].reason == "1 job of source hc running or starting (limit 1)");
    }
    SECTION("a start in flight (lock held, never started) occupies a slot") {
        s.jobs[0].status = job_status::queued;
        hold_lock(s, 1);
        const auto p = warden::decide(s, c);
        CHECK(started_ids(p) == std::vector<std::int64_t>{4});
    }
    SECTION("a reconcile to running this tick occupies a slot") {
        s.jobs.push_back(job_builder{5, job_status::retryable}.annual().started(2h).progress(1min));
        hold_lock(s, 5);
        const auto p = warden::decide(s, c);
        REQUIRE(actions_of<warden::set_status>(p).size() == 1);
        CHECK(actions_of<warden::set_status>(p)[0].status == job_status::running);
        CHECK(started_ids(p) == std::vector<std::int64_t>{4});
    }
    SECTION("a limit with a value holds only that value") {
        c.concurrency_limits = {limit_of(warden::limit_key::source, 1, "phac")};
        c.ensure_min_running_jobs = 5;
        s.jobs.push_back(job_builder{5, job_status::queued}.annual().queued(10min).source("phac"));
        const auto p = warden::decide(s, c);
        CHECK(started_ids(p) == std::vector<std::int64_t>{1, 2, 3, 4});
        REQUIRE(p.blocked.size() == 1);
        CHECK(warden::to_int(warden::action_job(p.blocked[0].proposed)) == 5);
        CHECK(p.blocked[0].reason == "1 job of source phac running or starting (limit 1)");
    }
}

TEST_CASE("concurrency_limits: per group key and per class; an empty key is in no group",
          "[rails][concurrency_limits][issue21]") {
    auto s = three_queued_of_one_source();
    s.jobs[0].group_key = "gpu";
    s.jobs[1].group_key = "gpu";
    auto c = fill_to_unpaced(3);
    c.concurrency_limits = {limit_of(warden::limit_key::group_key, 1)};
    CHECK(started_ids(warden::decide(s, c)) == std::vector<std::int64_t>{1, 3});
    c.concurrency_limits = {limit_of(warden::limit_key::job_class, 1)};
    // Without a classes key every annual job is of the class annual (issue #21 item 1).
    CHECK(started_ids(warden::decide(s, c)) == std::vector<std::int64_t>{1});
    c.concurrency_limits = {limit_of(warden::limit_key::job_class, 1, "monthly")};
    CHECK(started_ids(warden::decide(s, c)) == std::vector<std::int64_t>{1, 2, 3});
    s.jobs[1].job_class = "monthly";
    s.jobs[2].job_class = "monthly";
    const auto p = warden::decide(s, c);
    CHECK(started_ids(p) == std::vector<std::int64_t>{1, 2});
    REQUIRE(p.blocked.size() == 1);
    CHECK(p.blocked[0].reason == "1 job of class monthly running or starting (limit 1)");
}

TEST_CASE("concurrency_limits: validation names the entry",
          "[rails][concurrency_limits][issue21]") {
    warden::config c;
    c.concurrency_limits = {limit_of(warden::limit_key::source, 0),
                            limit_of(warden::limit_key::source, 1, "")};
    const auto errors = warden::validate(c);
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].field == "config.concurrency_limits[0].max_running");
    CHECK(errors[1].field == "config.concurrency_limits[1].value");
    CHECK(warden::decide(three_queued_of_one_source(), c).rejected());
}

TEST_CASE("concurrency_limits: decide's growing plan is counted once per action, any other "
          "plan is walked",
          "[rails][concurrency_limits][issue22]") {
    // Issue #22: the rail counts decide's plan once per action as it grows
    // (facts/concurrency.hpp) instead of walking it per start; its answers must stay the walk's,
    // and a plan its caller may clear or refill is walked, never counted from a stale memo.
    auto s = three_queued_of_one_source();
    s.jobs.push_back(job_builder{4, job_status::queued}.annual().queued(30min).source("phac"));
    warden::config c = fill_to_unpaced(4);
    c.concurrency_limits = {limit_of(warden::limit_key::source, 2)};
    const std::vector<warden::job_facts> facts(s.jobs.size());
    warden::running_groups groups =
        warden::count_running_groups(s, c, [](std::size_t) { return false; });
    std::vector<warden::accepted_action> plan;
    groups.growing_plan = &plan;
    warden::decision_context with_counts{s, c, facts};
    with_counts.in_progress = &plan;
    with_counts.groups = &groups;
    warden::decision_context walking = with_counts;
    walking.groups = nullptr;
    const warden::concurrency_limits rail;
    const auto check = [&](const warden::decision_context& ctx, std::size_t row) {
        return rail.check(ctx, ctx.subject_at(row), start_of(s.jobs[row])).allowed;
    };
    const auto both = [&](std::size_t row) {
        const bool counted = check(with_counts, row);
        CHECK(counted == check(walking, row));
        return counted;
    };
    CHECK(both(2)); // no start of hc yet
    plan.push_back({start_of(s.jobs[0]), 0});
    CHECK(both(2));                           // one of two slots taken
    plan.push_back({start_of(s.jobs[3]), 3}); // phac: another source's slot
    CHECK(both(2));
    plan.push_back({start_of(s.jobs[1]), 1});
    CHECK_FALSE(both(2));                         // at the limit: denied
    CHECK(both(3));                               // phac has one of two
    CHECK(groups.counted_actions == plan.size()); // each action counted once
    CHECK(groups.joining(0, "hc") == 2);

    SECTION("another plan, cleared and refilled between checks, is walked") {
        c.concurrency_limits[0].max_running = 1;
        std::vector<warden::accepted_action> other{{start_of(s.jobs[3]), 3}};
        with_counts.in_progress = &other;
        walking.in_progress = &other;
        CHECK(both(2)); // phac's start takes no slot of hc
        other.clear();
        other.push_back({start_of(s.jobs[0]), 0}); // same length, now hc's
        CHECK_FALSE(both(2));
        CHECK(groups.counted_actions == plan.size()); // the memo of decide's plan untouched
    }
}
