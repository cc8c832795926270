#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;
using warden::rule_id;

namespace {
warden::set_status verdict_of(const warden::job& j, rule_id r) {
    return warden::set_status{j.id,         j.status, j.version, job_status::retryable,
                              std::nullopt, r,        "",        {}};
}
} // namespace

TEST_CASE("grace_window: stall verdicts wait out start_grace (closed window)",
          "[rails][grace_window]") {
    const warden::grace_window rail;
    const warden::config c;
    auto judge = [&](duration since_start) {
        rail_bench b{job_builder{1, job_status::running}.started(since_start)};
        return b.check(rail, verdict_of(b.snap.jobs[0], rule_id::stall_recovery));
    };
    CHECK_FALSE(judge(c.start_grace - 1s).allowed);
    CHECK_FALSE(judge(c.start_grace).allowed);
    CHECK(judge(c.start_grace + 1s).allowed);
    // The reason is a contract (issue #22 moved it from fmt to detail::reason).
    CHECK(judge(c.start_grace - 1s).reason == "started 899 s ago, inside the 900 s grace window");
}

TEST_CASE("grace_window: orphan verdicts wait out the longer of both windows",
          "[rails][grace_window]") {
    const warden::grace_window rail;
    auto judge = [&](duration since_start, duration start_grace, duration orphan_grace) {
        rail_bench b{job_builder{1, job_status::running}.started(since_start)};
        b.cfg.start_grace = start_grace;
        b.cfg.orphan_grace = orphan_grace;
        return b.check(rail, verdict_of(b.snap.jobs[0], rule_id::orphan_sweep)).allowed;
    };
    CHECK_FALSE(judge(10min, 0s, 10min));
    CHECK(judge(10min + 1s, 0s, 10min));
    CHECK_FALSE(judge(15min, 15min, 10min));
    CHECK(judge(15min + 1s, 15min, 10min));
}

TEST_CASE("grace_window: other rules and unknown start times pass", "[rails][grace_window]") {
    const warden::grace_window rail;
    rail_bench fresh{job_builder{1, job_status::retryable}.started(1s)};
    CHECK(fresh.check(rail, verdict_of(fresh.snap.jobs[0], rule_id::reconcile)).allowed);
    rail_bench unknown{job_builder{1, job_status::running}};
    CHECK(unknown.check(rail, verdict_of(unknown.snap.jobs[0], rule_id::stall_recovery)).allowed);
}
