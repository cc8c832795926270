#include <warden/facts/grace.hpp>

#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;
using warden::grace_for;
using warden::inside_grace;
using warden::rule_id;

TEST_CASE("facts/grace: each rule's window", "[facts][grace]") {
    warden::config c;
    c.start_grace = 15min;
    c.orphan_grace = 10min;
    CHECK(grace_for(c, rule_id::stall_recovery) == 15min);
    CHECK(grace_for(c, rule_id::orphan_sweep) == 15min); // the longer of the two
    c.orphan_grace = 40min;
    CHECK(grace_for(c, rule_id::orphan_sweep) == 40min);
    CHECK(grace_for(c, rule_id::stall_recovery) == 15min);
    CHECK(grace_for(c, rule_id::reconcile) == duration{});
    CHECK(grace_for(c, rule_id::queue_fill) == duration{});
}

TEST_CASE("facts/grace: the window is closed at start + grace", "[facts][grace]") {
    const warden::config c;
    const auto started = [&](duration ago, rule_id r) {
        return inside_grace(c, job_builder{1, job_status::running}.started(ago), now, r);
    };
    CHECK(started(c.start_grace - 1s, rule_id::stall_recovery));
    CHECK(started(c.start_grace, rule_id::stall_recovery)); // still protected
    CHECK_FALSE(started(c.start_grace + 1s, rule_id::stall_recovery));
    const auto orphan = std::max(c.start_grace, c.orphan_grace);
    CHECK(started(orphan, rule_id::orphan_sweep));
    CHECK_FALSE(started(orphan + 1s, rule_id::orphan_sweep));
}

TEST_CASE("facts/grace: a job that never started is never inside", "[facts][grace]") {
    const warden::config c;
    CHECK_FALSE(inside_grace(c, job_builder{1, job_status::running}, now, rule_id::stall_recovery));
}
