// The hand-written engine in bench/ is only a fair baseline if it decides exactly what warden
// decides: identical plans (actions, blocked actions with reasons, anomalies, errors, summary) on
// generated snapshots of every profile, under host conditions and guard switches that make every
// rule fire and every rail deny.
#include <warden/testing/generators.hpp>
#include <warden/warden.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <iterator>
#include <string>

#include "generator.hpp"
#include "handwritten.hpp"

namespace {

std::string first_difference(const warden::plan& a, const warden::plan& b) {
    if (a.actions.size() != b.actions.size())
        return fmt::format("actions: {} vs {}", a.actions.size(), b.actions.size());
    for (std::size_t i = 0; i < a.actions.size(); ++i)
        if (!(a.actions[i] == b.actions[i]))
            return fmt::format("actions[{}]: job {} {}", i, to_int(action_job(a.actions[i])),
                               kind_name(a.actions[i]));
    if (a.blocked.size() != b.blocked.size())
        return fmt::format("blocked: {} vs {}", a.blocked.size(), b.blocked.size());
    for (std::size_t i = 0; i < a.blocked.size(); ++i)
        if (!(a.blocked[i] == b.blocked[i]))
            return fmt::format("blocked[{}]: {} '{}' vs {} '{}'", i, a.blocked[i].rail,
                               a.blocked[i].reason, b.blocked[i].rail, b.blocked[i].reason);
    if (!(a.anomalies == b.anomalies)) return "anomalies";
    if (a.errors.size() != b.errors.size())
        return fmt::format("errors: {} vs {}", a.errors.size(), b.errors.size());
    for (std::size_t i = 0; i < a.errors.size(); ++i)
        if (!(a.errors[i] == b.errors[i]))
            return fmt::format("errors[{}]: {} '{}' vs {} '{}'", i, a.errors[i].field,
                               a.errors[i].message, b.errors[i].field, b.errors[i].message);
    if (!(a.summary == b.summary)) return "summary";
    return "none";
}

// The guards and limits added after the hand-written engine was first written (issue #16's
// liveness items, issue #17's same-source sweep, issue #18's findings 1 to 3). Both engines are
// compared with each one switched off too, and the suite must show each one changing some plan:
// otherwise the hand-written engine's copy of it would be compared on nothing.
struct switch_off {
    const char* name;
    void (*apply)(warden::config&);
};
inline constexpr switch_off later_guards[] = {
    {"reconcile_clears_finished_at",
     [](warden::config& c) { c.guards.reconcile_clears_finished_at = false; }},
    {"progress_is_alive", [](warden::config& c) { c.guards.progress_is_alive = false; }},
    {"completed_at_is_completion",
     [](warden::config& c) { c.guards.completed_at_is_completion = false; }},
    {"process_tree_is_one_attempt",
     [](warden::config& c) { c.guards.process_tree_is_one_attempt = false; }},
    {"runner_none_status_only",
     [](warden::config& c) { c.guards.runner_none_status_only = false; }},
    {"unreadable_process_list_holds",
     [](warden::config& c) { c.guards.unreadable_process_list_holds = false; }},
    {"finished_row_processes_are_live",
     [](warden::config& c) { c.guards.finished_row_processes_are_live = false; }},
    {"waiting_completed_at_is_completion",
     [](warden::config& c) { c.guards.waiting_completed_at_is_completion = false; }},
    {"same_source_recoveries_limit 0",
     [](warden::config& c) { c.same_source_recoveries_limit = 0; }},
};
inline constexpr std::size_t later_guard_count = std::size(later_guards);

struct coverage {
    std::array<std::int64_t, warden::rule_count> rules{};
    // Per later guard: the snapshots whose plan changes when it is switched off.
    std::array<std::int64_t, later_guard_count> changed_by{};
    std::int64_t blocked = 0, anomalies = 0, errors = 0, plans = 0;
    void add(const warden::plan& p) {
        for (std::size_t i = 0; i < rules.size(); ++i)
            rules[i] += p.summary.actions_by_rule[i];
        blocked += static_cast<std::int64_t>(p.blocked.size());
        anomalies += static_cast<std::int64_t>(p.anomalies.size());
        errors += static_cast<std::int64_t>(p.errors.size());
        ++plans;
    }
};

void check_same(const warden_bench::generated& g, coverage& cov, const std::string& label) {
    const handwritten::engine hand;
    const warden::plan ours = warden::decide(g.snapshot, g.config);
    const warden::plan theirs = hand.decide(g.snapshot, g.config);
    {
        INFO(label << ": first difference: " << first_difference(ours, theirs));
        REQUIRE(ours == theirs);
    }
    cov.add(ours);
    for (std::size_t k = 0; k < later_guard_count; ++k) {
        warden::config off = g.config;
        later_guards[k].apply(off);
        const warden::plan ours_off = warden::decide(g.snapshot, off);
        const warden::plan theirs_off = hand.decide(g.snapshot, off);
        INFO(label << ", " << later_guards[k].name
                   << " off: first difference: " << first_difference(ours_off, theirs_off));
        REQUIRE(ours_off == theirs_off);
        if (!(ours_off == ours)) ++cov.changed_by[k];
    }
}

} // namespace

TEST_CASE("hand-written engine decides exactly what warden decides", "[bench][identity]") {
    using warden_bench::profile;
    coverage cov;
    for (const profile p : {profile::realistic, profile::filling, profile::campaign}) {
        for (const std::size_t n : {1u, 7u, 50u, 300u, 2000u}) {
            for (std::uint64_t seed = 1; seed <= 6; ++seed) {
                auto g = warden_bench::make_snapshot(n, seed * 7919 + n, p);
                // Host conditions that make each rail deny, one at a time.
                switch (seed % 6) {
                case 1: g.snapshot.host.sentinel_present = false; break;
                case 2: g.snapshot.host.deploy_lock_present = true; break;
                case 3: g.snapshot.host.disk_used_percent = 91.0; break;
                case 4: g.config.guards.raise_annual_minimums = false; break;
                case 5: g.config.guards.legacy_detection = false; break;
                default: break;
                }
                check_same(g, cov,
                           fmt::format("profile {} n {} seed {}", static_cast<int>(p), n, seed));
            }
        }
    }
    for (std::uint64_t seed = 1; seed <= 300; ++seed)
        check_same(warden_bench::make_snapshot(1 + seed % 40, seed, profile::chaos), cov,
                   fmt::format("chaos seed {}", seed));
    // A stall inside a long start grace, and a target year that passes jobs over.
    for (std::uint64_t seed = 1; seed <= 100; ++seed) {
        auto g = warden_bench::make_snapshot(1 + seed % 40, seed, profile::chaos);
        g.config.stall_after = std::chrono::minutes{5};
        g.config.start_grace = std::chrono::minutes{15};
        if (seed % 2 == 0) g.config.campaign_year = 2025;
        check_same(g, cov, fmt::format("chaos, short stall, seed {}", seed));
    }
    // The property tests' worlds, general and queue-fill-heavy, at fixed seeds.
    for (int k = 0; k < 600; ++k) {
        const bool fills = k % 2 == 1;
        warden_bench::generated g;
        g.snapshot = warden::testing::snapshot_gen(warden::testing::snapshot_shape{
            24, false, fills})(rc::Random(77 + k), k % 100)
                         .value();
        g.config = warden::testing::config_gen(fills)(rc::Random(9177 + k), k % 100).value();
        check_same(g, cov, fmt::format("generated world {}", k));
    }
    // Issue #8's settings away from their defaults, which the generators leave alone:
    // infra-error retries around the budget (B14), the recovery minimums, created_at ties.
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        auto g =
            warden_bench::make_snapshot(40, seed, seed % 2 ? profile::chaos : profile::campaign);
        auto& c = g.config;
        c.max_retries = static_cast<std::int32_t>(seed % 4);
        c.guards.bounded_retries = seed % 5 != 0;
        c.recovery_min_restarts_non_annual = static_cast<std::int32_t>(seed % 9);
        c.annual_stall_timeout_minutes = static_cast<std::int32_t>(30 + seed % 61);
        c.ensure_min_running_jobs = static_cast<std::int32_t>(seed % 12);
        std::int32_t k = 0;
        for (auto& j : g.snapshot.jobs) {
            if (j.status == warden::job_status::retryable) {
                j.failure = warden::failure_class::infra_error;
                j.retry_count = c.max_retries - 1 + (k % 3);
            }
            // A few instants, so created_at ties and misses both happen.
            if (k % 3 != 0) j.created_at = j.queued_at - std::chrono::hours{k % 2};
            ++k;
        }
        check_same(g, cov, fmt::format("issue #8 settings, seed {}", seed));
    }
    // Invalid config and host facts: both engines refuse the whole tick the same way.
    auto bad = warden_bench::make_snapshot(20, 3);
    bad.config.daily_start_cap = -1;
    bad.config.config_error_patterns.push_back("");
    bad.snapshot.host.disk_used_percent = 120.0;
    check_same(bad, cov, "invalid config");

    // Equality of two empty plans would prove nothing: the suite must exercise every rule
    // decide() runs, rail denials, anomalies and validation errors.
    for (std::size_t r = 0; r < static_cast<std::size_t>(warden::rule_id::completion); ++r) {
        INFO("rule " << warden::to_string(static_cast<warden::rule_id>(r)));
        CHECK(cov.rules[r] > 0);
    }
    for (std::size_t k = 0; k < later_guard_count; ++k) {
        INFO("switching " << later_guards[k].name << " off changed " << cov.changed_by[k]
                          << " plans");
        CHECK(cov.changed_by[k] > 0);
    }
    CHECK(cov.blocked > 0);
    CHECK(cov.anomalies > 0);
    CHECK(cov.errors > 0);
}

TEST_CASE("the generator is deterministic", "[bench][generator]") {
    const auto a = warden_bench::make_snapshot(500, 42);
    const auto b = warden_bench::make_snapshot(500, 42);
    const auto c = warden_bench::make_snapshot(500, 43);
    REQUIRE(a.snapshot.jobs.size() == 500);
    CHECK(a.snapshot.jobs.front().name == b.snapshot.jobs.front().name);
    REQUIRE(warden::decide(a.snapshot, a.config) == warden::decide(b.snapshot, b.config));
    CHECK_FALSE(warden::decide(a.snapshot, a.config) == warden::decide(c.snapshot, c.config));
}
