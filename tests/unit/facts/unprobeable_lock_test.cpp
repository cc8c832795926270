// Issue #19: a per-job lock whose probe failed is taken as held, never as "not held". Each test
// here pairs the unprobeable case with the same snapshot without any lock, so it fails if
// build_facts ignored snapshot.unprobeable_locks.
#include <warden/apply.hpp>
#include <warden/facts/build.hpp>

#include <catch2/catch.hpp>

#include <cerrno>

#include "../../support/builders.hpp"

using namespace wt;
using warden::runner_class;

namespace {
void unprobeable(warden::snapshot& s, std::int64_t id, std::int32_t error_number = EACCES) {
    s.unprobeable_locks.push_back({warden::job_id{id}, error_number});
}

std::optional<warden::stop_job> stop_of(const warden::plan& p) {
    const auto stops = actions_of<warden::stop_job>(p);
    if (stops.empty()) return std::nullopt;
    return stops.front();
}
} // namespace

TEST_CASE("unprobeable lock: build_facts marks the job's lock held and says why",
          "[facts][build][unprobeable_lock]") {
    auto s = world({job_builder{1, job_status::running}, job_builder{2, job_status::running}});
    unprobeable(s, 2);
    const auto t = warden::build_facts(s, {});
    CHECK_FALSE(t.jobs[0].lock_held);
    CHECK_FALSE(t.jobs[0].lock_unprobeable);
    CHECK(t.jobs[1].lock_held);
    CHECK(t.jobs[1].lock_unprobeable);
    CHECK(t.errors.empty());
}

TEST_CASE("unprobeable lock: a dangling job id is reported under unprobeable_locks",
          "[facts][build][unprobeable_lock]") {
    auto s = world({job_builder{1, job_status::running}});
    unprobeable(s, 1);
    unprobeable(s, 99, EPERM);
    const auto t = warden::build_facts(s, {});
    REQUIRE(t.errors.size() == 1);
    CHECK(t.errors[0].field == "unprobeable_locks[1].job_id");
    CHECK(t.errors[0].message == "no job with this id");
}

TEST_CASE("unprobeable lock: reconcile brings a retryable job back to running, as for a held lock",
          "[rules][reconcile][unprobeable_lock]") {
    auto s = world({job_builder{7, job_status::retryable}.started(2h).progress(2min)});
    SECTION("without it, nothing is reconciled") {
        CHECK(actions_of<warden::set_status>(warden::decide(s, {})).empty());
    }
    SECTION("unprobeable: reconciled, and the reason says the probe failed") {
        unprobeable(s, 7);
        const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
        REQUIRE(writes.size() == 1);
        CHECK(writes[0].status == job_status::running);
        CHECK(writes[0].evidence.kind == warden::evidence_kind::lock);
        CHECK(writes[0].reason == "per-job lock unprobeable, taken as held");
    }
}

TEST_CASE("unprobeable lock: runner detection never says none (the 2026-02-06 incident)",
          "[facts][runner_class][unprobeable_lock]") {
    // A stalled running job with no attributable process: with no lock its runner is none and a
    // soft recovery would run against a live runner; an unprobeable lock makes it the worker's.
    auto s = world({job_builder{5, job_status::running}.started(5h).progress(2h)});
    SECTION("no lock: none, so the row only (issue 16 item 10: no runner action)") {
        const auto p = warden::decide(s, {});
        CHECK_FALSE(stop_of(p));
        REQUIRE(actions_of<warden::set_status>(p).size() == 1);
        CHECK(actions_of<warden::set_status>(p)[0].status == job_status::retryable);
    }
    SECTION("unprobeable, worker alive: the worker's") {
        unprobeable(s, 5);
        const auto stop = stop_of(warden::decide(s, {}));
        REQUIRE(stop);
        CHECK(stop->runner == runner_class::worker);
    }
    SECTION("unprobeable, worker down: unknown, nothing written") {
        unprobeable(s, 5);
        s.host.worker_alive = false;
        const auto p = warden::decide(s, {});
        CHECK(p.actions.empty());
        CHECK(std::any_of(p.anomalies.begin(), p.anomalies.end(), [](const warden::anomaly& a) {
            return a.kind == warden::anomaly_kind::stalled_runner_unknown;
        }));
    }
}

TEST_CASE("unprobeable lock: the orphan sweep spares the job",
          "[rules][orphan_sweep][unprobeable_lock]") {
    // No progress report: recent progress would make the job alive (issue 16 item 2) whatever
    // its lock says, and this test is about the lock.
    auto s = world({job_builder{1, job_status::running}.started(20min)});
    SECTION("no evidence: swept") {
        CHECK(actions_of<warden::set_status>(warden::decide(s, {})).size() == 1);
    }
    SECTION("unprobeable: spared") {
        unprobeable(s, 1, ENOTDIR);
        CHECK(actions_of<warden::set_status>(warden::decide(s, {})).empty());
    }
}

TEST_CASE("unprobeable lock: a stop in the reference applier releases it",
          "[core][apply][unprobeable_lock]") {
    auto s = world({job_builder{5, job_status::running}.started(5h).progress(2h)});
    unprobeable(s, 5);
    const auto p = warden::decide(s, {});
    REQUIRE(stop_of(p));
    (void)warden::apply_to_snapshot(s, p);
    CHECK(s.unprobeable_locks.empty());
}
