// progress_tracker (issue #8, docs/rules/progress_evidence.md): progress is the first observation
// after the last change of the freshest source's counter.
#include <warden/progress.hpp>
#include <warden/testing/catch_property.hpp>

#include <catch2/catch.hpp>
#include <rapidcheck.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../support/builders.hpp"

using namespace wt;
using warden::progress_observation;
using warden::progress_reading;
using warden::progress_source_choice;
using warden::progress_tracker;

namespace {

constexpr warden::job_id job7{7};

progress_reading read_log(std::string path, duration modified_ago,
                          std::optional<std::int64_t> pages) {
    return progress_reading{std::move(path), now - modified_ago, pages};
}

progress_observation observe(progress_tracker& t, timestamp at,
                             const std::vector<progress_reading>& r) {
    return t.observe(job7, at, r);
}

} // namespace

TEST_CASE("progress: an unchanged counter ages from its first observation", "[progress][unit]") {
    progress_tracker t;
    const std::vector<progress_reading> r{read_log("/srv/a/logs/attempt-1.log", 5min, 120)};
    const auto first = observe(t, now, r);
    REQUIRE(first.progress_known);
    CHECK(first.last_progress_at == now); // the first observation counts as a change
    CHECK(first.crawled_pages == 120);
    CHECK(first.source == "/srv/a/logs/attempt-1.log");
    // The log is rewritten (a newer mtime) with the same counter: a log line, not progress.
    const std::vector<progress_reading> same{read_log("/srv/a/logs/attempt-1.log", 0min, 120)};
    const auto later = observe(t, now + 40min, same);
    CHECK(later.last_progress_at == now);
    CHECK(later.crawled_pages == 120);
}

TEST_CASE("progress: a change resets the age at the first observation after it",
          "[progress][unit]") {
    progress_tracker t;
    (void)observe(t, now, {read_log("a.log", 1min, 10)});
    (void)observe(t, now + 5min, {read_log("a.log", 1min, 10)});
    // The counter changed at some time before now + 10 min: the tracker can only say when it saw
    // it, not when the crawler wrote it.
    const auto changed = observe(t, now + 10min, {read_log("a.log", -8min, 11)});
    CHECK(changed.last_progress_at == now + 10min);
    CHECK(observe(t, now + 15min, {read_log("a.log", -8min, 11)}).last_progress_at == now + 10min);
    SECTION("a counter that goes down is a change too") {
        CHECK(observe(t, now + 20min, {read_log("a.log", -19min, 3)}).last_progress_at ==
              now + 20min);
    }
}

TEST_CASE("progress: the freshest source wins over an older one listed first", "[progress][unit]") {
    progress_tracker t;
    const std::vector<progress_reading> r{read_log("/srv/a/logs/attempt-1.log", 3h, 900),
                                          read_log("/srv/a/logs/attempt-2.log", 1min, 40)};
    const auto o = observe(t, now, r);
    CHECK(o.source == "/srv/a/logs/attempt-2.log");
    CHECK(o.crawled_pages == 40);
    SECTION("a switch to a newer source whose counter differs is progress") {
        progress_tracker u;
        (void)u.observe(job7, now, std::vector{read_log("old.log", 1min, 500)});
        const auto next =
            u.observe(job7, now + 30min,
                      std::vector{read_log("old.log", 1min, 500), read_log("new.log", 0s, 0)});
        CHECK(next.source == "new.log");
        CHECK(next.last_progress_at == now + 30min);
    }
    SECTION("two sources touched in turn with the same counter are not progress") {
        // One stuck attempt whose two logs both get written (errors, heartbeats): the freshest
        // flips between them, and only a change of the counter may reset the clock (issue #8).
        progress_tracker u;
        (void)u.observe(job7, now, std::vector{read_log("a.log", 0s, 77)});
        for (int k = 1; k <= 4; ++k) {
            const timestamp at = now + k * 20min;
            const auto o2 =
                u.observe(job7, at,
                          std::vector{progress_reading{"a.log", at - (k % 2 ? 1min : 0min), 77},
                                      progress_reading{"b.log", at - (k % 2 ? 0min : 1min), 77}});
            CHECK(o2.source == (k % 2 ? "b.log" : "a.log"));
            CHECK(o2.last_progress_at == now);
        }
    }
    SECTION("an unreadable fresher source does not count; a readable older one does") {
        progress_tracker u;
        const auto o2 = u.observe(
            job7, now,
            std::vector{read_log("new.log", 0s, std::nullopt), read_log("old.log", 1h, 7)});
        CHECK(o2.source == "old.log");
    }
}

TEST_CASE("progress: no readable source means no progress information", "[progress][unit]") {
    progress_tracker t;
    SECTION("no readings") {
        const auto o = observe(t, now, {});
        CHECK_FALSE(o.progress_known);
        CHECK_FALSE(o.last_progress_at);
        CHECK_FALSE(o.crawled_pages);
        CHECK(o.source.empty());
    }
    SECTION("readings without a counter, or with a negative one") {
        const auto o =
            observe(t, now, {read_log("a.log", 1min, std::nullopt), read_log("b.log", 0s, -1)});
        CHECK_FALSE(o.progress_known);
    }
    SECTION("a tick without a readable source is no change") {
        (void)observe(t, now, {read_log("a.log", 1min, 10)});
        CHECK_FALSE(observe(t, now + 5min, {}).progress_known);
        CHECK(observe(t, now + 10min, {read_log("a.log", 1min, 10)}).last_progress_at == now);
    }
}

TEST_CASE("progress: the choice does not depend on the order of the readings", "[progress][unit]") {
    const std::vector<progress_reading> r{read_log("b.log", 2min, 5), read_log("a.log", 2min, 9),
                                          read_log("b.log", 2min, 6), read_log("c.log", 3min, 99),
                                          progress_reading{"d.log", std::nullopt, 1000}};
    std::vector<progress_reading> reversed(r.rbegin(), r.rend());
    progress_tracker t;
    progress_tracker u;
    const auto o1 = t.observe(job7, now, r);
    const auto o2 = u.observe(job7, now, reversed);
    // Same mtime: the greater source name, then the greater counter (b.log twice: 6).
    CHECK(o1.source == "b.log");
    CHECK(o1.crawled_pages == 6);
    CHECK(o2.source == o1.source);
    CHECK(o2.crawled_pages == o1.crawled_pages);
}

TEST_CASE("progress: first_seen (legacy B15) sticks to the old path", "[progress][unit]") {
    progress_tracker t{progress_source_choice::first_seen};
    CHECK(t.choice() == progress_source_choice::first_seen);
    (void)observe(t, now, {read_log("attempt-1.log", 1min, 10)});
    SECTION("a fresher source is ignored while the old one is readable") {
        const auto o =
            observe(t, now + 30min,
                    {read_log("attempt-1.log", 30min, 10), read_log("attempt-2.log", 0s, 3)});
        CHECK(o.source == "attempt-1.log");
        CHECK(o.last_progress_at == now);
    }
    SECTION("once the old path is gone, the job has no progress information") {
        const auto o = observe(t, now + 30min, {read_log("attempt-2.log", 0s, 3)});
        CHECK_FALSE(o.progress_known);
        CHECK_FALSE(observe(t, now + 3h, {read_log("attempt-2.log", 2h, 3)}).progress_known);
    }
    SECTION("forget() unpins it") {
        t.forget(job7);
        CHECK(observe(t, now + 30min, {read_log("attempt-2.log", 0s, 3)}).source ==
              "attempt-2.log");
    }
}

TEST_CASE("progress: the freshest guard follows the new path", "[progress][unit]") {
    progress_tracker t;
    (void)observe(t, now, {read_log("attempt-1.log", 1min, 10)});
    const auto o = observe(t, now + 30min, {read_log("attempt-2.log", 0s, 3)});
    REQUIRE(o.progress_known);
    CHECK(o.source == "attempt-2.log");
    CHECK(o.last_progress_at == now + 30min);
}

TEST_CASE("progress: a timer-run host keeps its measurement through memory and restore",
          "[progress][unit]") {
    // A fresh process each tick (the production watchdog ran from a systemd timer) with the
    // memory saved in between measures exactly what one long-lived tracker measures.
    progress_tracker kept;
    std::vector<progress_tracker::job_memory> saved;
    for (int tick = 0; tick < 6; ++tick) {
        const timestamp at = now + tick * 5min;
        const std::vector<progress_reading> r{read_log("attempt-1.log", 0s, tick < 2 ? tick : 2)};
        progress_tracker fresh;
        fresh.restore(saved);
        const auto from_fresh = fresh.observe(job7, at, r);
        const auto from_kept = kept.observe(job7, at, r);
        CHECK(from_fresh.last_progress_at == from_kept.last_progress_at);
        CHECK(from_fresh.crawled_pages == from_kept.crawled_pages);
        saved = fresh.memory();
        CHECK(saved == kept.memory());
    }
    // The counter stopped at tick 2: its first observation is the measurement, 15 min old.
    REQUIRE(saved.size() == 1);
    CHECK(saved[0].since == now + 10min);
    SECTION("without the saved memory every tick is a first observation: nothing ever ages") {
        progress_tracker forgetful;
        const auto o =
            forgetful.observe(job7, now + 25min, std::vector{read_log("attempt-1.log", 0s, 2)});
        CHECK(o.last_progress_at == now + 25min);
    }
    SECTION("a saved entry with progress after its last observation is clamped") {
        progress_tracker t;
        t.restore(std::vector{progress_tracker::job_memory{job7, now, now + 1h, "a.log", 3, {}}});
        const auto o = t.observe(job7, now + 5min, std::vector{read_log("a.log", 0s, 3)});
        REQUIRE(o.last_progress_at);
        CHECK(*o.last_progress_at <= now + 5min);
    }
}

TEST_CASE("progress: forget keeps memory bounded", "[progress][unit]") {
    progress_tracker t;
    for (std::int64_t id = 1; id <= 50; ++id)
        (void)t.observe(warden::job_id{id}, now, std::vector{read_log("a.log", 0s, id)});
    CHECK(t.size() == 50);
    for (std::int64_t id = 1; id <= 50; ++id)
        t.forget(warden::job_id{id});
    CHECK(t.size() == 0);
    t.forget(warden::job_id{99}); // unknown: nothing happens
    // Observed again, a forgotten job starts afresh.
    CHECK(t.observe(warden::job_id{1}, now + 1h, std::vector{read_log("a.log", 0s, 1)})
              .last_progress_at == now + 1h);
}

TEST_CASE("progress: a clock that goes backwards", "[progress][unit]") {
    progress_tracker t;
    (void)observe(t, now, {read_log("a.log", 0s, 10)});
    SECTION("the reported time is at most now; the remembered one stays") {
        const auto back = observe(t, now - 10min, {read_log("a.log", 0s, 10)});
        CHECK(back.last_progress_at == now - 10min);
        CHECK(observe(t, now + 50min, {read_log("a.log", 0s, 10)}).last_progress_at == now);
    }
    SECTION("a change seen at an earlier now is stamped with the latest now seen") {
        (void)observe(t, now - 10min, {read_log("a.log", 0s, 11)});
        CHECK(observe(t, now + 5min, {read_log("a.log", 0s, 11)}).last_progress_at == now);
    }
}

TEST_CASE("progress: the job's row takes the observation", "[progress][unit]") {
    progress_tracker t;
    warden::job j = job_builder{5, job_status::running}.started(2h).progress(90min);
    j.progress_known = true;
    (void)t.observe(j, now, std::vector<progress_reading>{});
    CHECK_FALSE(j.progress_known);
    CHECK_FALSE(j.last_progress_at);
    (void)t.observe(j, now, std::vector{read_log("a.log", 0s, 4)});
    CHECK(j.progress_known);
    CHECK(j.last_progress_at == now);
    CHECK(j.crawled_pages == 4);
}

// End to end: a job fed through the tracker each watchdog tick is stalled by decide() exactly
// stall_after after the first observation of its last change, not one tick before.
TEST_CASE("progress: decide stalls a tracked job exactly at stall_after", "[progress][unit]") {
    const warden::config c;
    const duration tick = 5min;
    progress_tracker t;
    const timestamp start = now - 3h;
    std::int64_t pages = 0;
    // Progress every tick for an hour, then the counter stops at the change seen at `last`.
    timestamp at = start;
    for (; at < start + 1h; at += tick)
        (void)t.observe(warden::job_id{5}, at, std::vector{progress_reading{"a.log", at, ++pages}});
    const timestamp last = at - tick;
    const auto decide_at = [&](timestamp when) {
        warden::snapshot s = world({job_builder{5, job_status::running}.started(now - start)});
        s.now = when;
        (void)t.observe(s.jobs[0], when, std::vector{progress_reading{"a.log", last, pages}});
        hold_lock(s, 5);
        add_process(s, 5, 5151);
        return warden::decide(s, c);
    };
    for (at = last + tick; at < last + c.stall_after; at += tick) {
        INFO("at " << (at - last).count() << " s after the last change");
        CHECK(decide_at(at).summary.stalled == 0);
    }
    REQUIRE(at == last + c.stall_after);
    CHECK(decide_at(at - 1s).summary.stalled == 0); // one second short
    const auto p = decide_at(at);
    CHECK(p.summary.stalled == 1);
    const auto writes = actions_of<warden::set_status>(p);
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].status == job_status::retryable);
    CHECK(writes[0].evidence ==
          warden::evidence{warden::evidence_kind::progress_age, c.stall_after.count()});
}

TEST_CASE("progress: decide never stalls a job whose only source is gone (first_seen)",
          "[progress][unit]") {
    progress_tracker t{progress_source_choice::first_seen};
    const timestamp start = now - 5h;
    (void)t.observe(warden::job_id{5}, start,
                    std::vector{progress_reading{"attempt-1.log", start, 1}});
    warden::snapshot s = world({job_builder{5, job_status::running}.started(4h)});
    (void)t.observe(s.jobs[0], now, std::vector{progress_reading{"attempt-2.log", now - 3h, 9}});
    hold_lock(s, 5);
    add_process(s, 5, 5151);
    CHECK_FALSE(s.jobs[0].progress_known);
    CHECK(warden::decide(s, {}).summary.stalled == 0); // the missed stall of issue #8
    progress_tracker guard;
    (void)guard.observe(warden::job_id{5}, start,
                        std::vector{progress_reading{"attempt-1.log", start, 1}});
    (void)guard.observe(s.jobs[0], now - 3h,
                        std::vector{progress_reading{"attempt-2.log", now - 3h, 9}});
    (void)guard.observe(s.jobs[0], now,
                        std::vector{progress_reading{"attempt-2.log", now - 3h, 9}});
    CHECK(warden::decide(s, {}).summary.stalled == 1);
}

TEST_CASE("progress: observed times never decrease and never pass now", "[progress][property]") {
    warden::testing::property(
        "progress_monotonic", "last_progress_at is monotonic and at most now", [] {
            const auto steps = *rc::gen::container<std::vector<std::pair<int, int>>>(
                rc::gen::pair(rc::gen::inRange(-300, 600), rc::gen::inRange(-2, 5)));
            progress_tracker t;
            timestamp at = now;
            std::optional<timestamp> previous;
            for (const auto& [advance, value] : steps) {
                at += duration{advance};
                std::vector<progress_reading> r;
                if (value >= 0) r.push_back(progress_reading{"a.log", at, value});
                if (value == 4) r.push_back(progress_reading{"b.log", at + 1s, 1});
                const auto o = t.observe(job7, at, r);
                RC_ASSERT(o.progress_known == (value >= 0));
                if (!o.last_progress_at) continue;
                RC_ASSERT(*o.last_progress_at <= at);
                // Monotonic, except that a clock gone backwards caps it at the earlier `now`.
                if (previous) RC_ASSERT(*o.last_progress_at >= std::min(*previous, at));
                previous = o.last_progress_at;
            }
        });
}
