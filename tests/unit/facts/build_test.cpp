#include <warden/facts/build.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "../../support/builders.hpp"

using namespace wt;

namespace {
bool has_error(const warden::tick_facts& t, std::string_view field) {
    return std::any_of(t.errors.begin(), t.errors.end(),
                       [&](const warden::validation_error& e) { return e.field == field; });
}
} // namespace

TEST_CASE("facts/build: one value holds every join of the tick", "[facts][build]") {
    auto s = world({job_builder{1, job_status::running}.started(1h).progress(1min),
                    job_builder{2, job_status::queued}, job_builder{3, job_status::running}});
    hold_lock(s, 1);
    s.running_set.push_back(warden::job_id{3});
    add_process(s, 3, 300);
    add_process(s, 3, 301);
    s.starts.push_back({warden::job_id{2}, now - 1h});
    s.recoveries.push_back({warden::job_id{3}, now - 2h});
    const warden::config c;
    const warden::tick_facts t = warden::build_facts(s, c);

    REQUIRE(t.jobs.size() == 3);
    CHECK(t.errors.empty());
    CHECK(t.jobs[0].lock_held);
    CHECK_FALSE(t.jobs[1].has_live_evidence());
    CHECK(t.jobs[2].in_running_set);
    CHECK(t.jobs[2].process_count == 2);
    CHECK(t.jobs[2].first_pid == 300);
    CHECK(t.jobs[2].first_process == 0);
    REQUIRE(t.next_process.size() == 2);
    CHECK(t.next_process[0] == 1); // 300 -> 301 -> end
    CHECK(t.jobs[1].starts_last_24h == 1);
    CHECK(t.jobs[2].recoveries_last_24h == 1);
    CHECK(t.starts_last_24h == 1);
    CHECK(t.recoveries_last_24h == 1);
    CHECK(t.by_status[static_cast<std::size_t>(job_status::running)] == 2);
    CHECK(t.by_status[static_cast<std::size_t>(job_status::queued)] == 1);
    // Job 1 progressed a minute ago: it guards; job 3 has no progress information.
    CHECK(t.guard.progressing == 1);
    CHECK(warden::to_int(t.guard.freshest) == 1);
    CHECK(t.guard.freshest_age == 1min);

    const warden::decision_context ctx = t.context(s, c);
    CHECK(&ctx.facts == &t.jobs);
    CHECK(ctx.next_process.size() == 2);
    CHECK(ctx.guard.progressing == 1);
}

TEST_CASE("facts/build: duplicate ids invalidate both rows", "[facts][build]") {
    const auto s = world({job_builder{5, job_status::queued}, job_builder{6, job_status::queued},
                          job_builder{5, job_status::queued}});
    const auto t = warden::build_facts(s, {});
    CHECK_FALSE(t.jobs[0].valid);
    CHECK(t.jobs[1].valid);
    CHECK_FALSE(t.jobs[2].valid);
    REQUIRE(t.errors.size() == 1);
    CHECK(t.errors[0].field == "jobs[2].id");
    CHECK(t.errors[0].message == "duplicate of jobs[0].id");
}

TEST_CASE("facts/build: dangling references are reported and do not invalidate", "[facts][build]") {
    auto s = world({job_builder{1, job_status::queued}});
    hold_lock(s, 99);
    s.running_set.push_back(warden::job_id{98});
    s.starts.push_back({warden::job_id{97}, now - 1h});
    const auto t = warden::build_facts(s, {});
    CHECK(t.jobs[0].valid);
    CHECK(has_error(t, "locks[0].job_id"));
    CHECK(has_error(t, "running_set[0]"));
    CHECK(has_error(t, "starts[0].job_id"));
    CHECK(t.starts_last_24h == 0);
}

TEST_CASE("facts/build: the history window is now - 24 h < at <= now", "[facts][build]") {
    auto s = world({job_builder{1, job_status::queued}, job_builder{2, job_status::queued}});
    s.starts.push_back({warden::job_id{1}, now - 24h});      // out: exactly a day old
    s.starts.push_back({warden::job_id{1}, now - 24h + 1s}); // in
    s.starts.push_back({warden::job_id{1}, now});            // in
    s.starts.push_back({warden::job_id{2}, now + 1s});       // the clock went backwards
    const auto t = warden::build_facts(s, {});
    CHECK(t.jobs[0].starts_last_24h == 2);
    CHECK(t.jobs[0].valid);
    CHECK_FALSE(t.jobs[1].valid);
    CHECK(has_error(t, "starts[3].at"));
    CHECK(t.starts_last_24h == 2);
}

TEST_CASE("facts/build: a guard needs an age below both guard_window and stall_after",
          "[facts][build]") {
    warden::config c; // guard_window 10 min
    c.stall_after = 5min;
    const auto s = world({job_builder{1, job_status::running}.started(5h).progress(6min),
                          job_builder{2, job_status::running}.started(5h).progress(5min),
                          job_builder{3, job_status::running}.started(5h).progress(5min - 1s)});
    const auto t = warden::build_facts(s, c);
    CHECK(t.guard.progressing == 1);
    CHECK(warden::to_int(t.guard.freshest) == 3);
    CHECK(t.guard.freshest_age == 5min - 1s);
}

TEST_CASE("facts/build: jobs sharing an output dir with a process are marked", "[facts][build]") {
    auto s = world({job_builder{1, job_status::running}, job_builder{2, job_status::queued},
                    job_builder{3, job_status::queued}});
    s.jobs[1].output_dir = s.jobs[0].output_dir;
    add_process(s, 1, 100);
    const auto t = warden::build_facts(s, {});
    CHECK(t.jobs[0].shared_output_dir);
    CHECK(t.jobs[1].shared_output_dir);
    CHECK(t.jobs[1].process_count == 1);
    CHECK_FALSE(t.jobs[2].shared_output_dir);
    CHECK(t.jobs[2].process_count == 0);
}

// Issue #22: the id index is built after the pass over the rows, so duplicate-id errors are found
// after the row checks' errors; the plan must still list them as one pass did, each row's own
// errors first, then its duplicate-id error, before the next row's.
TEST_CASE("facts/build: a duplicate-id error follows its row's other errors, in row order",
          "[facts][build]") {
    auto s = world({job_builder{5, job_status::queued}, job_builder{6, job_status::queued},
                    job_builder{5, job_status::queued}, job_builder{7, job_status::queued},
                    job_builder{6, job_status::queued}, job_builder{8, job_status::queued}});
    s.jobs[1].retry_count = -1;
    s.jobs[2].retry_count = -1;
    s.jobs[2].version = -1;
    s.jobs[3].version = -1;
    s.jobs[5].degraded_streak = -1;
    const auto t = warden::build_facts(s, {});
    std::vector<std::string> fields;
    for (const auto& e : t.errors)
        fields.push_back(e.field);
    CHECK(fields == std::vector<std::string>{"jobs[1].retry_count", "jobs[2].retry_count",
                                             "jobs[2].version", "jobs[2].id", "jobs[3].version",
                                             "jobs[4].id", "jobs[5].degraded_streak"});
    for (const std::size_t i : {0, 1, 2, 3, 4, 5})
        CHECK_FALSE(t.jobs[i].valid);
}

// Issue #22: ids spread too thinly for a table indexed by id take the hashed table; both kinds
// find every row, report duplicates and dangling references alike.
TEST_CASE("facts/build: dense and sparse ids join alike", "[facts][build]") {
    for (const std::int64_t stride : {std::int64_t{1}, std::int64_t{1} << 40}) {
        INFO("stride " << stride);
        const std::int64_t a = -3 * stride, b = 0, c = 2 * stride;
        auto s = world({job_builder{a, job_status::queued}, job_builder{b, job_status::queued},
                        job_builder{c, job_status::running}, job_builder{b, job_status::queued}});
        hold_lock(s, c);
        hold_lock(s, c + 1); // just past the highest id
        hold_lock(s, a - 1); // just before the lowest
        s.running_set.push_back(warden::job_id{a});
        const auto t = warden::build_facts(s, {});
        CHECK(t.jobs[2].lock_held);
        CHECK(t.jobs[0].in_running_set);
        CHECK_FALSE(t.jobs[0].lock_held);
        CHECK(t.jobs[0].valid);
        CHECK(t.jobs[2].valid);
        CHECK_FALSE(t.jobs[1].valid);
        CHECK_FALSE(t.jobs[3].valid);
        std::vector<std::string> fields;
        for (const auto& e : t.errors)
            fields.push_back(e.field);
        CHECK(fields ==
              std::vector<std::string>{"jobs[3].id", "locks[1].job_id", "locks[2].job_id"});
    }
}

// Issue #22: the dir filter hashes a dir's length and its last 16 bytes; equal dirs must always
// find their process, whatever their length, and dirs equal in their last 16 bytes but not
// before must not.
TEST_CASE("facts/build: a process is found in its dir at every length around the filter's 16 "
          "bytes",
          "[facts][build][issue22]") {
    const std::string tail = "-1234-20260101/x"; // 16 bytes
    for (const std::string& dir :
         {std::string{"/a"}, std::string(15, 'd'), std::string(16, 'd'), std::string(17, 'd'),
          "/srv/crawls/hc" + tail, "/srv/crawls/phac" + tail}) {
        INFO("dir " << dir);
        auto s = world({job_builder{1, job_status::running}, job_builder{2, job_status::queued}});
        s.jobs[0].output_dir = dir;
        // The same last 16 bytes (or the same length) with a different beginning: no process.
        s.jobs[1].output_dir = dir.size() > 1 ? "#" + dir.substr(1) : "#";
        add_process(s, 1, 100);
        const auto t = warden::build_facts(s, {});
        CHECK(t.jobs[0].process_count == 1);
        CHECK(t.jobs[1].process_count == 0);
        CHECK_FALSE(t.jobs[0].shared_output_dir);
    }
}

TEST_CASE("facts/build: ids at both ends of int64 join through the hashed index",
          "[facts][build][issue22]") {
    // Their range does not fit the direct index (its span wraps); every join must still hold.
    const std::int64_t lowest = std::numeric_limits<std::int64_t>::min();
    const std::int64_t highest = std::numeric_limits<std::int64_t>::max();
    auto s = world({job_builder{lowest, job_status::queued}, job_builder{0, job_status::queued},
                    job_builder{highest, job_status::running}});
    hold_lock(s, highest);
    s.running_set.push_back(warden::job_id{lowest});
    hold_lock(s, highest - 1); // no such job
    const auto t = warden::build_facts(s, {});
    CHECK(t.jobs[2].lock_held);
    CHECK(t.jobs[0].in_running_set);
    CHECK_FALSE(t.jobs[0].lock_held);
    CHECK_FALSE(t.jobs[1].lock_held);
    REQUIRE(t.errors.size() == 1);
    CHECK(t.errors[0].field == "locks[1].job_id");
}
