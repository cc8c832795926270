// The progress circuit breaker (issue #17, docs/rails/progress_circuit.md): a job whose last
// progress_circuit_window recoveries each gained fewer than progress_circuit_min_pages pages is
// not recovered again.
#include <warden/apply.hpp>
#include <warden/engine.hpp>
#include <warden/facts/progress_circuit.hpp>
#include <warden/outcome.hpp>
#include <warden/rails/progress_circuit.hpp>

#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

namespace {

void recovered_at(warden::snapshot& s, std::int64_t id, duration ago,
                  std::optional<std::int64_t> pages) {
    s.recoveries.push_back({warden::job_id{id}, now - ago, pages});
}

// Job 5, stalled two hours, its lock held (a full recovery), crawled `pages` now.
warden::snapshot stalled_with(std::optional<std::int64_t> pages) {
    auto s = world({job_builder{5, job_status::running}.started(5h).progress(2h)});
    s.jobs[0].crawled_pages = pages;
    hold_lock(s, 5);
    return s;
}

bool recovered(const warden::plan& p) {
    for (const auto& st : actions_of<warden::set_status>(p))
        if (st.rule == warden::rule_id::stall_recovery) return true;
    return false;
}

} // namespace

TEST_CASE("progress_circuit: gains of each recovery, judged against the floor",
          "[rails][progress_circuit]") {
    const warden::recovery_record a{warden::job_id{1}, now - 3h, 100};
    const warden::recovery_record b{warden::job_id{1}, now - 2h, 105};
    const warden::recovery_record c{warden::job_id{1}, now - 1h, 108};
    const std::vector<const warden::recovery_record*> three{&a, &b, &c};
    // Production's own unit test: counts 100, 105, 108 and now 110: gains 5, 3, 2, all < 10.
    CHECK(warden::progress_circuit_open(three, 110, 3, 10) == std::optional<std::int64_t>{5});
    // The newest gain reaching the floor closes it: 108 -> 118 is 10, not fewer than 10.
    CHECK_FALSE(warden::progress_circuit_open(three, 118, 3, 10));
    CHECK(warden::progress_circuit_open(three, 117, 3, 10) == std::optional<std::int64_t>{9});
    // Fewer records than the window: closed.
    CHECK_FALSE(warden::progress_circuit_open(three, 110, 4, 10));
    // Only the last `window` count: an old productive gain no longer closes it.
    const warden::recovery_record old{warden::job_id{1}, now - 30h, 0};
    const std::vector<const warden::recovery_record*> four{&old, &a, &b, &c};
    CHECK(warden::progress_circuit_open(four, 110, 3, 10));
    CHECK_FALSE(warden::progress_circuit_open(four, 110, 4, 10)); // 0 -> 100 was productive
    // A count that went down is no gain.
    CHECK(warden::progress_circuit_open(three, 50, 3, 10) == std::optional<std::int64_t>{5});
    // No current count, or 0 (off) for either setting: closed.
    CHECK_FALSE(warden::progress_circuit_open(three, std::nullopt, 3, 10));
    CHECK_FALSE(warden::progress_circuit_open(three, 110, 0, 10));
    CHECK_FALSE(warden::progress_circuit_open(three, 110, 3, 0));
    // A record without a count in the window: closed.
    const warden::recovery_record unknown{warden::job_id{1}, now - 2h, std::nullopt};
    const std::vector<const warden::recovery_record*> gap{&a, &unknown, &c};
    CHECK_FALSE(warden::progress_circuit_open(gap, 110, 3, 10));
}

TEST_CASE("progress_circuit: the rail denies only a stall recovery of an open circuit",
          "[rails][progress_circuit]") {
    rail_bench b{job_builder{1, job_status::running}};
    const warden::progress_circuit rail;
    const warden::job& j = b.snap.jobs[0];
    const warden::set_status recovery{j.id,          j.status,
                                      j.version,     job_status::retryable,
                                      std::nullopt,  warden::rule_id::stall_recovery,
                                      "no progress", {}};
    CHECK(b.check(rail, recovery).allowed);
    b.facts[0].progress_circuit_open = true;
    b.facts[0].progress_circuit_best_gain = 4;
    const auto v = b.check(rail, recovery);
    CHECK_FALSE(v.allowed);
    CHECK(v.scope == warden::denial_scope::job);
    CHECK(v.reason ==
          "progress_circuit_open: each of the last 3 recoveries gained fewer than 10 pages (at "
          "most 4)");
    auto orphan = recovery;
    orphan.rule = warden::rule_id::orphan_sweep;
    CHECK(b.check(rail, orphan).allowed);
    CHECK(b.check(rail, start_of(j)).allowed);
}

TEST_CASE("progress_circuit: decide refuses the fourth churning recovery, past 24 h too",
          "[rails][progress_circuit][engine]") {
    auto s = stalled_with(110);
    // Spread over three days: the daily recovery cap would allow each of them.
    recovered_at(s, 5, 50h, 100);
    recovered_at(s, 5, 26h, 105);
    recovered_at(s, 5, 2h, 108);
    SECTION("open: refused, outcome progress_circuit_open, queue fill not held back") {
        warden::config c = fill_to(2);
        s.jobs.push_back(job_builder{6, job_status::queued}.annual());
        const auto p = warden::decide(s, c);
        CHECK_FALSE(recovered(p));
        REQUIRE_FALSE(p.blocked.empty());
        CHECK(p.blocked[0].rail == "progress_circuit");
        CHECK(p.summary.stalled == 1);
        CHECK(warden::outcome_of(p, s) == warden::tick_reason::progress_circuit_open);
        CHECK(warden::to_string(warden::result_of(warden::outcome_of(p, s))) == "held");
        CHECK(started_ids(p) == std::vector<std::int64_t>{6});
    }
    SECTION("the crawl gained 10 pages since the last recovery: closed, recovered") {
        s.jobs[0].crawled_pages = 118;
        CHECK(recovered(warden::decide(s, {})));
    }
    SECTION("only two recoveries: closed") {
        s.recoveries.erase(s.recoveries.begin());
        CHECK(recovered(warden::decide(s, {})));
    }
    SECTION("no current count: closed") {
        s.jobs[0].crawled_pages.reset();
        CHECK(recovered(warden::decide(s, {})));
    }
    SECTION("a record without a count: closed") {
        s.recoveries[1].crawled_pages.reset();
        CHECK(recovered(warden::decide(s, {})));
    }
    SECTION("0 switches it off") {
        warden::config off;
        off.progress_circuit_window = 0;
        CHECK(recovered(warden::decide(s, off)));
        off = {};
        off.progress_circuit_min_pages = 0;
        CHECK(recovered(warden::decide(s, off)));
    }
    SECTION("history order in the list does not matter: the newest by time is last") {
        std::swap(s.recoveries[0], s.recoveries[2]);
        CHECK_FALSE(recovered(warden::decide(s, {})));
        s.recoveries[0].crawled_pages = 50; // now the newest record: 50 -> 110 is productive
        CHECK(recovered(warden::decide(s, {})));
    }
    SECTION("another job's history does not count") {
        s.jobs.push_back(healthy_running(7));
        for (auto& r : s.recoveries)
            r.job = warden::job_id{7};
        CHECK(recovered(warden::decide(s, {})));
    }
}

TEST_CASE("progress_circuit: the recovery carries the count and the applier records it",
          "[rails][progress_circuit][apply]") {
    auto s = stalled_with(110);
    const auto p = warden::decide(s, {});
    const auto writes = actions_of<warden::set_status>(p);
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].crawled_pages == std::optional<std::int64_t>{110});
    warden::apply_to_snapshot(s, p);
    REQUIRE(s.recoveries.size() == 1);
    CHECK(s.recoveries[0].crawled_pages == std::optional<std::int64_t>{110});
    CHECK(s.recoveries[0].at == now);
}

TEST_CASE("progress_circuit: a negative recorded count invalidates its job, naming the field",
          "[rails][progress_circuit][validate]") {
    auto s = stalled_with(110);
    recovered_at(s, 5, 1h, -1);
    const auto p = warden::decide(s, {});
    REQUIRE(p.errors.size() == 1);
    CHECK(p.errors[0].field == "recoveries[0].crawled_pages");
    CHECK(p.actions.empty());
}

TEST_CASE("progress_circuit: config keys are validated", "[rails][progress_circuit][validate]") {
    warden::config c;
    c.progress_circuit_window = -1;
    c.progress_circuit_min_pages = -1;
    const auto errors = warden::validate(c);
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].field == "config.progress_circuit_window");
    CHECK(errors[1].field == "config.progress_circuit_min_pages");
    c = {};
    c.progress_circuit_window = warden::max_progress_circuit_window + 1;
    CHECK(warden::validate(c).size() == 1);
    c.progress_circuit_window = warden::max_progress_circuit_window;
    CHECK(warden::validate(c).empty());
}
