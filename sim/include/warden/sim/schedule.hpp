#pragma once
// Issue #21 in the simulator: campaigns that mix classes (annual crawls and monthly ones with a
// retry backoff and a deadline) under a per-source limit of one, and the bug catalogue's B30, a
// concurrency rail that cannot see the plan in progress.
#include <warden/core/class_spec.hpp>
#include <warden/core/concurrency_limit.hpp>
#include <warden/core/config.hpp>
#include <warden/facts/concurrency.hpp>
#include <warden/facts/context.hpp>
#include <warden/rails/concurrency_limits.hpp>
#include <warden/rails/verdict.hpp>
#include <warden/sim/options.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace warden::sim {

// The classes of a mixed campaign: annual crawls as warden's default (never capped, retried at
// once), monthly ones (`*-monthly`) retried after 2, 4, 8 ... at most 10 minutes, jittered, and
// failed after 90 minutes of running.
[[nodiscard]] inline std::vector<class_spec> mixed_classes() {
    class_spec annual;
    annual.name = "annual";
    annual.campaign = campaign_kind::annual;
    class_spec monthly;
    monthly.name = "monthly";
    monthly.name_pattern = "*-monthly";
    monthly.backoff = backoff_policy{120, 2.0, 600, 0.25};
    monthly.max_runtime_minutes = 90;
    // Annual-style minimums (issue #21 item 1): started and recovered with at least warden's
    // annual thresholds. Without them a monthly crawl created with ad-hoc options (B4's
    // thresholds of 0) fails at its first timeout on every attempt and is retried until the
    // daily start cap holds it, never finishing (the mixed campaigns' liveness finding).
    monthly.minimums = config{}.annual_minimums;
    return {annual, monthly};
}

// A waiting row one of the config's concurrency limits holds: a group it is in already runs
// max_running jobs. The limit holds it by design, so the liveness phase does not count it
// under-filled or unfinished while those jobs run. (A limit of 0 holds its group for good.)
[[nodiscard]] inline bool held_by_limit(const config& c, std::span<const job> rows,
                                        const job& row) {
    for (const concurrency_limit& l : c.concurrency_limits) {
        const std::string_view v = limit_value_of(c, row, l.by);
        if (!limit_applies(l, v)) continue;
        std::int64_t running = 0;
        for (const job& r : rows)
            if (r.id != row.id && r.status == job_status::running &&
                limit_value_of(c, r, l.by) == v)
                ++running;
        if (running >= l.max_running) return true;
    }
    return false;
}

// ---- the liveness bound under issue #21's config (world::liveness_bound_ticks) ----

// The waves of starts a campaign of `rows` needs at a target of `target` running jobs under the
// config's concurrency limits: at least ceil(jobs / target); a limit of N over a group of n jobs
// runs them in ceil(n / N) waves whatever the target; and a limit over every value of its key
// caps the concurrency at the sum over the groups of min(N, n) when it covers every job. Without
// limits: ceil(jobs / target), the bound as it was.
[[nodiscard]] inline std::int64_t start_waves(const config& c, std::span<const job> rows,
                                              std::int64_t target) {
    const auto jobs = static_cast<std::int64_t>(rows.size());
    std::int64_t concurrency = std::max<std::int64_t>(1, target);
    std::int64_t waves = 0;
    for (const concurrency_limit& l : c.concurrency_limits) {
        if (l.max_running <= 0) continue; // holds its group for good: held by design, not slow
        std::map<std::string, std::int64_t, std::less<>> groups;
        bool covers_all = !l.value;
        for (const job& r : rows) {
            const std::string_view v = limit_value_of(c, r, l.by);
            if (limit_applies(l, v))
                ++groups[std::string{v}];
            else
                covers_all = false;
        }
        std::int64_t capacity = 0;
        for (const auto& g : groups) {
            waves = std::max(waves, (g.second + l.max_running - 1) / l.max_running);
            capacity += std::min<std::int64_t>(g.second, l.max_running);
        }
        if (covers_all) concurrency = std::min(concurrency, std::max<std::int64_t>(1, capacity));
    }
    return std::max(waves, (jobs + concurrency - 1) / concurrency);
}

// The longest retry backoff of any class (its max_delay_seconds, jitter only shortens it): each
// retry of a job may wait this long before queue fill may start it again. 0: no backoff.
[[nodiscard]] inline std::int64_t longest_backoff_seconds(const config& c) noexcept {
    std::int64_t longest = 0;
    for (const class_spec& k : c.classes)
        if (k.backoff && k.backoff->initial_delay_seconds > 0)
            longest = std::max(longest, k.backoff->max_delay_seconds);
    return longest;
}

// The world's side of a mixed campaign, on the engine config `o` already has: half the jobs
// monthly (named `<source>-<i>-monthly`), only the watchdog starts jobs (the worker's own picks
// would ignore the limits, as any host process outside warden would), liveness judged.
inline void mixed_shape(world_options& o) {
    o.monthly_share = 0.5;
    o.worker_picks_queued = false;
    // Liveness is judged: the bound derives from the limits and the backoff (start_waves,
    // longest_backoff_seconds), and the monthly class's minimums let its crawls finish
    // (docs/simulator.md: the mixed campaigns' liveness finding).
    // Held by design: a row a concurrency limit holds, and a config-error row put back in the
    // queue (B6: the engine never starts it; with the worker's picks off, nothing does).
    const config c = o.engine.value_or(config{});
    bool fills = c.ensure_min_running_jobs > 0;
    for (const class_spec& k : c.classes)
        fills = fills || (k.ensure_min_running_jobs && *k.ensure_min_running_jobs > 0);
    // With queue fill off and no class floor nothing in this world starts a waiting row, so
    // every such row would be "held by design" and a liveness verdict would be vacuous: such a
    // campaign is drilled for safety only, and says so rather than claiming liveness.
    o.check_liveness = fills;
    o.held_by_design = [c](std::span<const job> rows, const job& row) {
        return row.failure == failure_class::infra_error_config || held_by_limit(c, rows, row);
    };
}

// Makes `o` a mixed campaign: the classes above, at most one running job per source, starts
// unpaced (so a tick may start several), and mixed_shape's world.
inline void mixed_campaign(world_options& o) {
    config c;
    c.ensure_min_running_jobs = o.target_running;
    c.campaign_year = 2026;
    c.max_starts_per_tick = 0;
    c.classes = mixed_classes();
    c.concurrency_limits = {concurrency_limit{limit_key::source, std::nullopt, 1}};
    o.engine = c;
    mixed_shape(o);
}

// warden-sim --mixed: a mixed campaign on the host's config (--config, the config flags or
// --swarm-config's draw) when it has classes; one without classes gets the classes above and,
// without limits of its own, one crawl per source. No config at all: mixed_campaign.
inline void mixed_world(world_options& o) {
    if (!o.engine) return mixed_campaign(o);
    if (o.engine->classes.empty()) {
        o.engine->classes = mixed_classes();
        if (o.engine->concurrency_limits.empty())
            o.engine->concurrency_limits = {concurrency_limit{limit_key::source, std::nullopt, 1}};
    }
    mixed_shape(o);
}

// B30: concurrency_limits as a rail that sees only the snapshot, not the starts this plan has
// already accepted (the bug before issue #21 item 2): with three queued jobs of one source and
// nothing running, all three start in one tick.
struct plan_blind_concurrency_limits {
    static constexpr std::string_view name = "concurrency_limits";

    [[nodiscard]] verdict check(const decision_context& ctx, const subject& s,
                                const start_job& a) const {
        decision_context blind{ctx};
        blind.in_progress = nullptr;
        return concurrency_limits{}.check(blind, s, a);
    }
};

} // namespace warden::sim
