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
#include <string_view>

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
    if (!(a.observations == b.observations))
        return fmt::format("observations: {} vs {}", a.observations.size(), b.observations.size());
    if (!(a.skipped == b.skipped)) return "skipped";
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

// Issue #22: issue #17's stale-pipeline repair, progress circuit and degraded-rate observation,
// and issue #21's classes, concurrency limits, pauses, retry backoff and deadlines, each switched
// off through the config or the host facts that turn it on. Both engines are compared with each
// one off, and each must change some plan, as the guards above.
struct feature_off {
    const char* name;
    void (*apply)(warden_bench::generated&);
};
inline constexpr feature_off host_features[] = {
    {"stale_pipeline_after 100 years",
     [](warden_bench::generated& g) {
         g.config.stale_pipeline_after = std::chrono::hours{24 * 365 * 100};
     }},
    {"progress_circuit_window 0",
     [](warden_bench::generated& g) { g.config.progress_circuit_window = 0; }},
    {"degraded_rate_ticks 0", [](warden_bench::generated& g) { g.config.degraded_rate_ticks = 0; }},
    {"no classes", [](warden_bench::generated& g) { g.config.classes.clear(); }},
    {"no class floors",
     [](warden_bench::generated& g) {
         for (auto& k : g.config.classes)
             k.ensure_min_running_jobs.reset();
     }},
    {"no class priorities",
     [](warden_bench::generated& g) {
         for (auto& k : g.config.classes)
             k.priority = 0;
     }},
    {"no class recovery options",
     [](warden_bench::generated& g) {
         for (auto& k : g.config.classes) {
             k.minimums.reset();
             k.recovery_min_restarts.reset();
             k.stall_timeout_minutes.reset();
         }
     }},
    {"no campaign closure",
     [](warden_bench::generated& g) {
         for (auto& k : g.config.classes) {
             k.campaign_open_until = warden::campaign_end::calendar_year;
             k.closed_campaign_years.clear();
         }
     }},
    {"every class queue filled",
     [](warden_bench::generated& g) {
         for (auto& k : g.config.classes)
             k.queue_fill = true;
     }},
    {"no retry backoff",
     [](warden_bench::generated& g) {
         for (auto& k : g.config.classes)
             k.backoff.reset();
     }},
    {"no deadlines",
     [](warden_bench::generated& g) {
         for (auto& k : g.config.classes)
             k.max_runtime_minutes.reset();
     }},
    {"no concurrency limits",
     [](warden_bench::generated& g) { g.config.concurrency_limits.clear(); }},
    {"no pauses",
     [](warden_bench::generated& g) {
         g.snapshot.host.paused_sources.clear();
         g.snapshot.host.paused_classes.clear();
     }},
    {"no unprobeable locks",
     [](warden_bench::generated& g) { g.snapshot.unprobeable_locks.clear(); }},
    {"no explicit job classes",
     [](warden_bench::generated& g) {
         for (auto& j : g.snapshot.jobs)
             j.job_class.clear();
     }},
};
inline constexpr std::size_t host_feature_count = std::size(host_features);

struct coverage {
    std::array<std::int64_t, warden::rule_count> rules{};
    // Per later guard: the snapshots whose plan changes when it is switched off.
    std::array<std::int64_t, later_guard_count> changed_by{};
    // Per host feature (issue #22), likewise.
    std::array<std::int64_t, host_feature_count> changed_by_feature{};
    // Plans with a denial by each of the rails issue #17 and #21 added, and with a deadline.
    std::int64_t pause_denials = 0, backoff_denials = 0, limit_denials = 0, circuit_denials = 0,
                 observations = 0;
    std::int64_t blocked = 0, anomalies = 0, errors = 0, plans = 0;
    void add(const warden::plan& p) {
        for (std::size_t i = 0; i < rules.size(); ++i)
            rules[i] += p.summary.actions_by_rule[i];
        blocked += static_cast<std::int64_t>(p.blocked.size());
        anomalies += static_cast<std::int64_t>(p.anomalies.size());
        errors += static_cast<std::int64_t>(p.errors.size());
        observations += static_cast<std::int64_t>(p.observations.size());
        for (const auto& b : p.blocked) {
            pause_denials += b.rail == "pause";
            backoff_denials += b.rail == "retry_backoff";
            limit_denials += b.rail == "concurrency_limits";
            circuit_denials += b.rail == "progress_circuit";
        }
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
    for (std::size_t k = 0; k < host_feature_count; ++k) {
        warden_bench::generated off = g;
        host_features[k].apply(off);
        const warden::plan ours_off = warden::decide(off.snapshot, off.config);
        const warden::plan theirs_off = hand.decide(off.snapshot, off.config);
        INFO(label << ", " << host_features[k].name
                   << ": first difference: " << first_difference(ours_off, theirs_off));
        REQUIRE(ours_off == theirs_off);
        if (!(ours_off == ours)) ++cov.changed_by_feature[k];
    }
}

} // namespace

TEST_CASE("hand-written engine decides exactly what warden decides", "[bench][identity]") {
    using warden_bench::profile;
    coverage cov;
    for (const profile p :
         {profile::realistic, profile::filling, profile::campaign, profile::configured}) {
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
    // A long stall_after: chaos's progress (up to three days old) is then mostly fresh, so slow
    // crawls are observed degraded (issue #17) and deadlines meet crawls that are not stalled.
    for (std::uint64_t seed = 1; seed <= 100; ++seed) {
        auto g = warden_bench::make_snapshot(1 + seed % 40, seed + 5000, profile::chaos);
        g.config.stall_after = std::chrono::hours{80};
        g.config.guard_window = std::chrono::hours{1};
        check_same(g, cov, fmt::format("chaos, long stall, seed {}", seed));
    }
    // Retry backoff where queue fill reaches it (issue #21 item 3): every class backs off, the
    // deficit is the whole snapshot, no per-tick or daily cap stops the candidates first, and
    // retryable rows have recent recovery records (after their finished_at, or without one), so
    // the base time is sometimes the recovery's.
    for (std::uint64_t seed = 1; seed <= 150; ++seed) {
        auto g = warden_bench::make_snapshot(1 + seed % 40, seed + 9000, profile::chaos);
        auto& c = g.config;
        if (c.classes.empty()) {
            warden_bench::rng r{seed};
            c.classes.push_back(warden_bench::detail::chaos_class(r, "annual", true));
        }
        for (auto& k : c.classes) {
            k.queue_fill = true;
            k.backoff = warden::backoff_policy{900, 2.0, 12 * 3600, (seed % 3) * 0.4};
        }
        c.max_starts_per_tick = 0;
        c.daily_start_cap = 1000;
        c.ensure_min_running_jobs = static_cast<std::int32_t>(g.snapshot.jobs.size());
        g.snapshot.host.paused_sources.clear();
        g.snapshot.host.paused_classes.clear();
        std::int64_t k = 0;
        for (const auto& j : g.snapshot.jobs)
            if (j.status == warden::job_status::retryable && ++k % 2 == 0)
                g.snapshot.recoveries.push_back(
                    {j.id, g.snapshot.now - std::chrono::minutes{(k * 37) % 240}, std::nullopt});
        check_same(g, cov, fmt::format("chaos, backoff reached, seed {}", seed));
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
    for (std::size_t k = 0; k < host_feature_count; ++k) {
        INFO("switching " << host_features[k].name << " off changed " << cov.changed_by_feature[k]
                          << " plans");
        CHECK(cov.changed_by_feature[k] > 0);
    }
    CHECK(cov.rules[static_cast<std::size_t>(warden::rule_id::deadline)] > 0);
    CHECK(cov.pause_denials > 0);
    CHECK(cov.backoff_denials > 0);
    CHECK(cov.limit_denials > 0);
    CHECK(cov.circuit_denials > 0);
    CHECK(cov.observations > 0);
    CHECK(cov.blocked > 0);
    CHECK(cov.anomalies > 0);
    CHECK(cov.errors > 0);
    // The counts docs/benchmarks.md reports.
    for (std::size_t k = 0; k < later_guard_count; ++k)
        WARN(later_guards[k].name << " off changed " << cov.changed_by[k] << " plans");
    for (std::size_t k = 0; k < host_feature_count; ++k)
        WARN(host_features[k].name << " changed " << cov.changed_by_feature[k] << " plans");
    WARN("denials: pause " << cov.pause_denials << ", retry_backoff " << cov.backoff_denials
                           << ", concurrency_limits " << cov.limit_denials << ", progress_circuit "
                           << cov.circuit_denials << "; observations " << cov.observations
                           << "; deadline actions "
                           << cov.rules[static_cast<std::size_t>(warden::rule_id::deadline)]
                           << "; plans " << cov.plans);
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

// This program links warden::compiled (tests/bench/CMakeLists.txt): every decide(s, c) above and
// below is the library's (src/decide.cpp), so the identity test checks the compiled mode too.
#ifndef WARDEN_COMPILED
#error "warden_bench_identity_test must link warden::compiled, which defines WARDEN_COMPILED"
#endif

namespace {

// A rail that refuses nothing: the default rails with it are a rail set of another type, so
// decide's template is generated here, from the headers, as a header-only host generates it.
struct allows_every_start {
    static constexpr std::string_view name = "allows_every_start";
    warden::verdict check(const warden::decision_context&, const warden::subject&,
                          const warden::start_job&) const {
        return warden::verdict::allow();
    }
};

} // namespace

TEST_CASE("the compiled decide decides what the header-only template decides",
          "[bench][compiled]") {
    using warden_bench::profile;
    const auto from_headers = warden::with_rail(warden::default_rails(), allows_every_start{});
    std::size_t actions = 0, blocked = 0, errors = 0;
    const auto check = [&](const warden_bench::generated& g, const std::string& label) {
        const warden::plan compiled = warden::decide(g.snapshot, g.config);
        const warden::plan header_only = warden::decide(g.snapshot, g.config, from_headers);
        INFO(label << ": first difference: " << first_difference(compiled, header_only));
        REQUIRE(compiled == header_only);
        actions += compiled.actions.size();
        blocked += compiled.blocked.size();
        errors += compiled.errors.size();
    };
    for (const profile p : {profile::realistic, profile::filling, profile::campaign,
                            profile::configured, profile::chaos})
        for (const std::size_t n : {1u, 40u, 500u})
            for (std::uint64_t seed = 1; seed <= 4; ++seed) {
                auto g = warden_bench::make_snapshot(n, seed * 104729 + n, p);
                if (seed == 2) g.snapshot.host.sentinel_present = false;
                if (seed == 3) g.snapshot.host.disk_used_percent = 91.0;
                check(g, fmt::format("profile {} n {} seed {}", static_cast<int>(p), n, seed));
            }
    // Not a comparison of empty plans: the snapshots start, recover and refuse, and some rows are
    // invalid.
    CHECK(actions > 0);
    CHECK(blocked > 0);
    CHECK(errors > 0);
}
