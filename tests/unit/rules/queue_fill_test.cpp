#include <warden/io/json.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "../../support/builders.hpp"

using namespace wt;

namespace {

job_builder waiting_annual(std::int64_t id, duration queued_ago = 24h, std::string source = "hc") {
    return std::move(
        job_builder{id, job_status::queued}.annual().queued(queued_ago).source(source));
}

} // namespace

TEST_CASE("queue_fill: off when ensure_min_running_jobs is 0", "[rules][queue_fill]") {
    auto s = world({waiting_annual(1)});
    CHECK(warden::decide(s, fill_to(0)).actions.empty());
}

TEST_CASE("queue_fill: starts exactly the deficit, oldest first", "[rules][queue_fill]") {
    auto s = world({healthy_running(1), waiting_annual(2, 10h), waiting_annual(3, 30h),
                    waiting_annual(4, 20h)});
    hold_lock(s, 1);
    auto c = fill_to(3);
    c.max_starts_per_tick = 0; // no per-tick limit: the deficit alone bounds the starts
    const auto p = warden::decide(s, c);
    CHECK(started_ids(p) == std::vector<std::int64_t>{3, 4});
    CHECK(p.summary.running == 3);
}

TEST_CASE("queue_fill: nothing to do at or above the target", "[rules][queue_fill]") {
    auto s = world({healthy_running(1), healthy_running(2), waiting_annual(3)});
    hold_lock(s, 1);
    hold_lock(s, 2);
    CHECK(started_ids(warden::decide(s, fill_to(2))).empty());
    CHECK(started_ids(warden::decide(s, fill_to(3))) == std::vector<std::int64_t>{3});
}

TEST_CASE("queue_fill: ties break by source order, then id", "[rules][queue_fill][queue_order]") {
    auto s = world({waiting_annual(9, 24h, "cihr"), waiting_annual(8, 24h, "phac"),
                    waiting_annual(7, 24h, "other"), waiting_annual(6, 24h, "phac"),
                    waiting_annual(5, 24h, "hc")});
    CHECK(started_ids(warden::decide(s, fill_to_unpaced(5))) ==
          std::vector<std::int64_t>{5, 6, 8, 9, 7});
}

// Issue #22: fill_queue sorts flat keys read from the rows once. Against queue_before on rows
// that tie on every field but the id in turn (three queue times, created_at missing or one of
// two, four sources of which one unknown), ids in a scrambled row order, without classes and
// with a class priority in front.
TEST_CASE("queue_fill: the start order is queue_before's, ties on every field",
          "[rules][queue_fill][queue_order][issue22]") {
    std::vector<warden::job> rows;
    const char* sources[] = {"cihr", "other", "phac", "hc"};
    for (std::int64_t k = 0; k < 48; ++k) {
        const std::int64_t id = (k * 29) % 48 + 1; // a permutation of 1..48
        warden::job j = waiting_annual(id, 24h * (1 + k % 3), sources[k % 4]);
        if (k % 5 == 1) j.created_at = now - 72h;
        if (k % 5 == 3) j.created_at = now - 96h;
        if (k % 2 == 0) j.name = "hc-monthly-" + std::to_string(id); // still annual by kind
        rows.push_back(j);
    }
    auto expected = [&](const warden::config& c, auto priority) {
        std::vector<warden::job> sorted = rows;
        std::sort(sorted.begin(), sorted.end(), [&](const warden::job& a, const warden::job& b) {
            if (priority(a) != priority(b)) return priority(a) > priority(b);
            return warden::queue_before(c, a, b);
        });
        std::vector<std::int64_t> ids;
        for (const warden::job& j : sorted)
            ids.push_back(warden::to_int(j.id));
        return ids;
    };
    const warden::config plain = fill_to_unpaced(48);
    const auto order = started_ids(warden::decide(world(rows), plain));
    CHECK(order.size() == 48);
    CHECK(order == expected(plain, [](const warden::job&) { return 0; }));

    // Classes: the monthly class (by name; listed first, so it wins) with the higher priority.
    warden::config classes = plain;
    warden::class_spec monthly;
    monthly.name = "monthly";
    monthly.name_pattern = "*-monthly-*";
    monthly.priority = 5;
    warden::class_spec annual;
    annual.name = "annual";
    annual.campaign = warden::campaign_kind::annual;
    classes.classes = {monthly, annual};
    const auto by_class = started_ids(warden::decide(world(rows), classes));
    CHECK(by_class.size() == 48);
    CHECK(by_class == expected(classes, [](const warden::job& j) {
              return j.name.starts_with("hc-monthly-") ? 5 : 0;
          }));
    CHECK(by_class != order);
}

TEST_CASE("queue_order: created_at after queued_at, a missing one first (issue #8)",
          "[rules][queue_fill][queue_order]") {
    const warden::config c;
    auto created = [](std::int64_t id, std::optional<duration> ago, std::string source = "hc",
                      duration queued_ago = 24h) {
        warden::job j = waiting_annual(id, queued_ago, std::move(source));
        if (ago) j.created_at = now - *ago;
        return j;
    };
    SECTION("a missing created_at sorts before any") {
        CHECK(warden::queue_before(c, created(9, std::nullopt), created(1, 30h)));
        CHECK_FALSE(warden::queue_before(c, created(1, 30h), created(9, std::nullopt)));
    }
    SECTION("boundary: one second older is first, whatever the source and id") {
        CHECK(warden::queue_before(c, created(9, 30h + 1s, "cihr"), created(1, 30h, "hc")));
        CHECK_FALSE(warden::queue_before(c, created(1, 30h, "hc"), created(9, 30h + 1s, "cihr")));
    }
    SECTION("queued_at still comes first") {
        CHECK(warden::queue_before(c, created(1, 10h, "hc", 25h), created(2, std::nullopt)));
    }
    SECTION("equal created_at falls through to source order, then id") {
        CHECK(warden::queue_before(c, created(9, 30h, "hc"), created(1, 30h, "phac")));
        CHECK(warden::queue_before(c, created(1, 30h, "phac"), created(2, 30h, "phac")));
        CHECK_FALSE(warden::queue_before(c, created(2, 30h, "phac"), created(2, 30h, "phac")));
        CHECK(warden::queue_before(c, created(1, std::nullopt, "phac"),
                                   created(2, std::nullopt, "phac")));
    }
    SECTION("the engine picks in that order, whatever the row order") {
        auto s = world({created(1, 10h, "hc"), created(2, 30h, "cihr"), created(3, std::nullopt),
                        created(4, 30h, "hc"), created(5, 30h, "hc")});
        const auto forward = started_ids(warden::decide(s, fill_to_unpaced(5)));
        CHECK(forward == std::vector<std::int64_t>{3, 4, 5, 2, 1});
        std::reverse(s.jobs.begin(), s.jobs.end());
        CHECK(started_ids(warden::decide(s, fill_to_unpaced(5))) == forward);
    }
}

TEST_CASE("queue_fill: the pick does not depend on row order", "[rules][queue_fill][queue_order]") {
    auto s = world({waiting_annual(1, 24h, "cihr"), waiting_annual(2, 24h, "hc"),
                    waiting_annual(3, 24h, "phac")});
    const auto forward = started_ids(warden::decide(s, fill_to(1)));
    std::reverse(s.jobs.begin(), s.jobs.end());
    CHECK(started_ids(warden::decide(s, fill_to(1))) == forward);
    CHECK(forward == std::vector<std::int64_t>{2});
}

TEST_CASE("queue_fill: a legacy job is backfilled, then started with a chained version",
          "[rules][queue_fill][legacy_annual]") {
    auto s = world({job_builder{9, job_status::queued, "phac-covid-20260101"}.version(1)});
    const auto p = warden::decide(s, fill_to(1));
    REQUIRE(p.actions.size() == 2);
    const auto& backfill = std::get<warden::backfill_campaign>(p.actions[0]);
    CHECK(backfill.year == 2026);
    CHECK(backfill.expected_version == 1);
    const auto& start = std::get<warden::start_job>(p.actions[1]);
    CHECK(start.expected_version == 2);
    warden::tool_options expected{20, 50, 50, 2, std::nullopt};
    expected.monitoring = true;
    expected.adaptive_restart = true;
    expected.stall_timeout_minutes = 60;
    expected.docker_shm_size = "1g"; // issue #17 item 3
    expected.skip_final_build = true;
    CHECK(start.options == expected);
}

TEST_CASE("queue_fill: without legacy detection a legacy job is invisible (B3)",
          "[rules][queue_fill][legacy_annual]") {
    warden::config c = fill_to(1);
    c.guards.legacy_detection = false;
    auto s = world({job_builder{9, job_status::queued, "phac-covid-20260101"}});
    CHECK(warden::decide(s, c).actions.empty());
}

TEST_CASE("queue_fill: only annual, waiting, idle, retryable-class jobs are candidates",
          "[rules][queue_fill]") {
    auto s = world({job_builder{1, job_status::queued, "adhoc-crawl"},
                    waiting_annual(2).failure(warden::failure_class::infra_error_config),
                    waiting_annual(3), waiting_annual(4),
                    job_builder{5, job_status::failed, "hc-20260101"}});
    s.running_set.push_back(warden::job_id{3}); // the worker still thinks it runs it
    s.jobs[3].started_at = now - 3h; // job 4: an earlier attempt ended; still a candidate
    s.jobs[3].finished_at = now - 2h;
    CHECK(started_ids(warden::decide(s, fill_to(5))) == std::vector<std::int64_t>{4});
}

TEST_CASE("queue_fill: a per-job denial moves on to the next candidate",
          "[rules][queue_fill][daily_start_cap]") {
    auto s = world({waiting_annual(1, 30h), waiting_annual(2, 20h), waiting_annual(3, 10h)});
    for (auto ago : {1h, 2h, 3h})
        s.starts.push_back({warden::job_id{1}, now - ago});
    SECTION("no per-tick limit: both free slots are filled past the capped job") {
        auto c = fill_to(2);
        c.max_starts_per_tick = 0;
        const auto p = warden::decide(s, c);
        CHECK(started_ids(p) == std::vector<std::int64_t>{2, 3});
        const auto blocked = blocked_of<warden::start_job>(p);
        REQUIRE(blocked.size() == 1);
        CHECK(warden::to_int(blocked[0].first.job) == 1);
        CHECK(blocked[0].second.rail == "daily_start_cap");
        CHECK(blocked[0].second.reason == "3 starts in the last 24 h (cap 3)");
    }
    SECTION("the default one start per tick: the capped job does not use it up") {
        // Issue #16 item 11: production stops at a capped candidate; warden moves on.
        const auto p = warden::decide(s, fill_to(2));
        CHECK(started_ids(p) == std::vector<std::int64_t>{2});
        const auto blocked = blocked_of<warden::start_job>(p);
        REQUIRE(blocked.size() == 2);
        CHECK(warden::to_int(blocked[0].first.job) == 1);
        CHECK(blocked[0].second.rail == "daily_start_cap");
        CHECK(warden::to_int(blocked[1].first.job) == 3);
        CHECK(blocked[1].second.rail == "starts_per_tick");
    }
}

TEST_CASE("queue_fill: a host-wide denial blocks exactly the starts that would have happened",
          "[rules][queue_fill][disk_threshold][deploy_lock][sentinel_gate]") {
    auto s = world({waiting_annual(1, 30h), waiting_annual(2, 20h), waiting_annual(3, 10h)});
    SECTION("disk") {
        s.host.disk_used_percent = 85.0;
    }
    SECTION("deploy") {
        s.host.deploy_lock_present = true;
    }
    SECTION("sentinel") {
        s.host.sentinel_present = false;
    }
    auto c = fill_to(2);
    c.max_starts_per_tick = 0; // the host-wide denial alone, not the per-tick limit
    const auto p = warden::decide(s, c);
    CHECK(p.actions.empty());
    const auto blocked = blocked_of<warden::start_job>(p);
    REQUIRE(blocked.size() == 2);
    CHECK(warden::to_int(blocked[0].first.job) == 1);
    CHECK(warden::to_int(blocked[1].first.job) == 2);
    CHECK(blocked[0].second.rail == blocked[1].second.rail);
}

TEST_CASE("queue_fill: never while a job is stalled", "[rules][queue_fill][stall_recovery]") {
    auto s =
        world({job_builder{1, job_status::running}.started(5h).progress(2h), waiting_annual(2)});
    hold_lock(s, 1);
    const auto p = warden::decide(s, fill_to(3));
    CHECK(p.summary.stalled == 1);
    CHECK(started_ids(p).empty());
}

TEST_CASE("queue_fill: a reconciled job fills a slot", "[rules][queue_fill][reconcile]") {
    auto s = world({job_builder{1, job_status::retryable}.started(1h).progress(1min),
                    waiting_annual(3), waiting_annual(4)});
    // Slots, not pace: without the per-tick limit the starts show how many slots are free.
    SECTION("reconciled: one slot left") {
        hold_lock(s, 1);
        CHECK(started_ids(warden::decide(s, fill_to_unpaced(2))) == std::vector<std::int64_t>{3});
    }
    SECTION("no evidence: two slots") {
        CHECK(started_ids(warden::decide(s, fill_to_unpaced(2))) ==
              std::vector<std::int64_t>{3, 4});
    }
}

TEST_CASE("queue_fill: an orphaned job frees its slot", "[rules][queue_fill][orphan_sweep]") {
    auto s = world({job_builder{2, job_status::running, "adhoc"}.started(40min), waiting_annual(3),
                    waiting_annual(4)});
    // Slots, not pace: without the per-tick limit the starts show how many slots are free.
    SECTION("orphaned: two slots") {
        CHECK(started_ids(warden::decide(s, fill_to_unpaced(2))) ==
              std::vector<std::int64_t>{3, 4});
    }
    SECTION("its lock held: one slot") {
        hold_lock(s, 2);
        CHECK(started_ids(warden::decide(s, fill_to_unpaced(2))) == std::vector<std::int64_t>{3});
    }
}

TEST_CASE("queue_fill: options are raised to the annual minimums and page caps dropped",
          "[rules][queue_fill][annual_minimums]") {
    auto s = world({waiting_annual(1).options({30, 10, 70, 0, 5000})});
    const auto starts = actions_of<warden::start_job>(warden::decide(s, fill_to(1)));
    REQUIRE(starts.size() == 1);
    CHECK(starts[0].options.max_container_restarts == 30);
    CHECK(starts[0].options.error_threshold_timeout == 50);
    CHECK(starts[0].options.error_threshold_http == 70);
    CHECK(starts[0].options.backoff_delay_minutes == 2);
    CHECK_FALSE(starts[0].options.page_cap);
}

TEST_CASE("queue_fill: only the target campaign year is started, the rest are listed as skipped",
          "[rules][queue_fill][campaign_year]") {
    auto s = world({waiting_annual(1, 30h).annual(2025), job_builder{2, job_status::queued},
                    waiting_annual(3), job_builder{4, job_status::retryable, "phac-20250101"},
                    job_builder{5, job_status::queued}.annual().failure(
                        warden::failure_class::infra_error_config)});
    s.jobs[2].campaign_year.reset(); // job 3: annual, no year
    s.jobs.push_back(waiting_annual(6));
    SECTION("by default, the year of now") {
        const auto p = warden::decide(s, fill_to(3));
        CHECK(started_ids(p) == std::vector<std::int64_t>{6});
        using warden::skip_reason;
        const std::vector<warden::skipped_start> expected{
            {warden::job_id{1}, skip_reason::year_mismatch, 2025, 2026},
            {warden::job_id{2}, skip_reason::non_annual, std::nullopt, 2026},
            {warden::job_id{3}, skip_reason::year_mismatch, std::nullopt, 2026},
            {warden::job_id{4}, skip_reason::year_mismatch, 2025, 2026},
        };
        CHECK(p.skipped == expected); // job 5 is a config error: never a candidate at all
    }
    SECTION("a configured year overrides it") {
        auto c = fill_to(3);
        c.campaign_year = 2025;
        c.max_starts_per_tick = 0;
        const auto p = warden::decide(s, c);
        CHECK(started_ids(p) == std::vector<std::int64_t>{4, 1}); // job 4 queued 48 h ago
        REQUIRE(actions_of<warden::backfill_campaign>(p).size() == 1);
        CHECK(actions_of<warden::backfill_campaign>(p)[0].year == 2025);
    }
}

TEST_CASE("queue_fill: the default campaign year rolls over at midnight UTC on January 1st",
          "[rules][queue_fill][campaign_year]") {
    auto s = world({waiting_annual(1).annual(2026), waiting_annual(2).annual(2027)});
    SECTION("2026-12-31T23:59:59Z: 2026") {
        s.now = warden::utc(2026, 12, 31, 23, 59, 59);
        CHECK(started_ids(warden::decide(s, fill_to(2))) == std::vector<std::int64_t>{1});
    }
    SECTION("2027-01-01T00:00:00Z: 2027") {
        s.now = warden::utc(2027, 1, 1);
        CHECK(started_ids(warden::decide(s, fill_to(2))) == std::vector<std::int64_t>{2});
    }
}

TEST_CASE("queue_fill: skipped jobs are listed only when queue fill looks for candidates",
          "[rules][queue_fill][campaign_year]") {
    auto s = world({healthy_running(1), job_builder{2, job_status::queued}});
    hold_lock(s, 1);
    CHECK(warden::decide(s, fill_to(0)).skipped.empty()); // queue fill off
    CHECK(warden::decide(s, fill_to(1)).skipped.empty()); // no deficit
    CHECK(warden::decide(s, fill_to(2)).skipped.size() == 1);
    s.jobs[0].last_progress_at = now - 2h; // stalled: queue fill waits
    CHECK(warden::decide(s, fill_to(2)).skipped.empty());
}

TEST_CASE("queue_fill: a backfill names the campaign date, January 1st 00:00 UTC",
          "[rules][queue_fill][legacy_annual]") {
    const warden::backfill_campaign b{
        warden::job_id{1},          job_status::queued, 1, warden::campaign_kind::annual, 2026,
        warden::rule_id::queue_fill};
    CHECK(b.campaign_date() == warden::utc(2026, 1, 1));
    CHECK(b.campaign_date() - std::chrono::seconds{1} == warden::utc(2025, 12, 31, 23, 59, 59));
    const auto doc = warden::to_json(warden::action{b});
    CHECK(doc["campaign_date"] == "2026-01-01");
    CHECK(doc["campaign_date_utc"] == "2026-01-01T00:00:00Z");
}

// Issue #16 item 7: production calls _ensure_recovery_tool_options before every auto-start, so a
// start carries the self-healing options a recovery writes.
TEST_CASE("queue_fill: a start carries the same options as a recovery",
          "[rules][queue_fill][recovery_options]") {
    warden::tool_options low{3, 10, 70, 0, 5000};
    auto s = world({waiting_annual(1).options(low)});
    const warden::config c = fill_to(1);
    const auto starts = actions_of<warden::start_job>(warden::decide(s, c));
    REQUIRE(starts.size() == 1);
    CHECK(starts[0].options == warden::recovery_options(c, s.jobs[0]));
    CHECK(starts[0].options.monitoring == true);
    CHECK(starts[0].options.adaptive_restart == true);
    CHECK(starts[0].options.stall_timeout_minutes == 60);
    CHECK(starts[0].options.max_container_restarts == 20);

    SECTION("explicit values the recovery keeps, the start keeps") {
        low.monitoring = false;         // turned on, as a recovery does
        low.stall_timeout_minutes = 30; // an explicit stall timeout is kept, even below 60
        s.jobs[0].options = low;
        const auto again = actions_of<warden::start_job>(warden::decide(s, c));
        REQUIRE(again.size() == 1);
        CHECK(again[0].options.monitoring == true);
        CHECK(again[0].options.stall_timeout_minutes == 30);
    }
    SECTION("with raising off the thresholds stay, monitoring is still on") {
        auto off = c;
        off.guards.raise_annual_minimums = false;
        const auto p = warden::decide(s, off);
        // annual_minimums still refuses the start: thresholds 10 and a page cap stay.
        const auto blocked = blocked_of<warden::start_job>(p);
        REQUIRE(blocked.size() == 1);
        CHECK(blocked[0].first.options.monitoring == true);
        CHECK(blocked[0].first.options.error_threshold_timeout == 10);
        CHECK(blocked[0].second.rail == "annual_minimums");
    }
}

// Issue #16 item 8: a row with campaign_year but no campaign_kind is annual for that year, and
// its kind is backfilled before the start.
TEST_CASE("queue_fill: a campaign_year without a kind is started after a backfill of the kind",
          "[rules][queue_fill][campaign_year][legacy_annual]") {
    warden::job j = job_builder{4, job_status::queued, "hc-news"}.version(3);
    j.campaign_year = 2026;
    auto s = world({j});
    SECTION("the target year: backfill then start") {
        const auto p = warden::decide(s, fill_to(1));
        REQUIRE(p.actions.size() == 2);
        const auto& backfill = std::get<warden::backfill_campaign>(p.actions[0]);
        CHECK(backfill.kind == warden::campaign_kind::annual);
        CHECK(backfill.year == 2026);
        CHECK(backfill.expected_version == 3);
        CHECK(std::get<warden::start_job>(p.actions[1]).expected_version == 4);
        CHECK(p.blocked.empty());
    }
    SECTION("another year: skipped as a year mismatch, not as non-annual") {
        s.jobs[0].campaign_year = 2025;
        const auto p = warden::decide(s, fill_to(1));
        CHECK(p.actions.empty());
        REQUIRE(p.skipped.size() == 1);
        CHECK(p.skipped[0].reason == warden::skip_reason::year_mismatch);
        CHECK(p.skipped[0].campaign_year == 2025);
    }
    SECTION("a year before 1970 is no campaign") {
        s.jobs[0].campaign_year = 1969;
        const auto p = warden::decide(s, fill_to(1));
        CHECK(p.actions.empty());
        REQUIRE(p.skipped.size() == 1);
        CHECK(p.skipped[0].reason == warden::skip_reason::non_annual);
    }
}

// Issue #16 item 11: production starts at most one job per run.
TEST_CASE("queue_fill: at most max_starts_per_tick starts, the rest blocked as starts_per_tick",
          "[rules][queue_fill][max_starts_per_tick]") {
    auto s = world({waiting_annual(1, 30h), waiting_annual(2, 20h), waiting_annual(3, 10h),
                    waiting_annual(4, 5h)});
    SECTION("default 1: one start, the rest of the deficit waits") {
        const auto p = warden::decide(s, fill_to(3));
        CHECK(started_ids(p) == std::vector<std::int64_t>{1});
        const auto blocked = blocked_of<warden::start_job>(p);
        REQUIRE(blocked.size() == 2); // the deficit is 3: job 4 would not start anyway
        CHECK(warden::to_int(blocked[0].first.job) == 2);
        CHECK(warden::to_int(blocked[1].first.job) == 3);
        CHECK(blocked[0].second.rail == "starts_per_tick");
        CHECK(blocked[0].second.reason ==
              "waiting: at most 1 start per tick, so each start's disk and load show before the "
              "next");
        CHECK(p.summary.running == 1);
        CHECK(warden::outcome_of(p, s) == warden::tick_reason::started_job);
    }
    SECTION("boundary: a limit equal to the deficit blocks nothing") {
        auto c = fill_to(3);
        c.max_starts_per_tick = 3;
        const auto p = warden::decide(s, c);
        CHECK(started_ids(p) == std::vector<std::int64_t>{1, 2, 3});
        CHECK(p.blocked.empty());
    }
    SECTION("a limit of 2 below a deficit of 3") {
        auto c = fill_to(3);
        c.max_starts_per_tick = 2;
        const auto p = warden::decide(s, c);
        CHECK(started_ids(p) == std::vector<std::int64_t>{1, 2});
        const auto blocked = blocked_of<warden::start_job>(p);
        REQUIRE(blocked.size() == 1);
        CHECK(blocked[0].second.reason ==
              "waiting: at most 2 starts per tick, so each start's disk and load show before the "
              "next");
    }
    SECTION("0: no limit") {
        auto c = fill_to(3);
        c.max_starts_per_tick = 0;
        CHECK(started_ids(warden::decide(s, c)) == std::vector<std::int64_t>{1, 2, 3});
    }
    SECTION("a dry run counts its start against the limit, as apply mode would") {
        s.host.sentinel_present = false;
        const auto p = warden::decide(s, fill_to(3));
        const auto blocked = blocked_of<warden::start_job>(p);
        REQUIRE(blocked.size() == 3);
        CHECK(blocked[0].second.rail == "sentinel_gate");
        CHECK(blocked[1].second.rail == "starts_per_tick");
        CHECK(blocked[2].second.rail == "starts_per_tick");
    }
    SECTION("a host-wide denial is reported as such, not as the per-tick limit") {
        s.host.disk_used_percent = 90.0;
        const auto p = warden::decide(s, fill_to(3));
        const auto blocked = blocked_of<warden::start_job>(p);
        REQUIRE(blocked.size() == 3);
        for (const auto& b : blocked)
            CHECK(b.second.rail == "disk_threshold");
    }
}
