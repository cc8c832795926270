#pragma once
#include <warden/core/class_spec.hpp>
#include <warden/core/concurrency_limit.hpp>
#include <warden/core/source_profile.hpp>
#include <warden/core/time.hpp>
#include <warden/core/tool_options.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden {
inline namespace v0 {

// Switches for the guards that fixed the incidents. Production hosts leave them all on; the
// simulator's bug catalogue switches one off at a time to prove the simulator finds that bug.
struct guard_switches {
    bool reconcile = true;              // B1
    bool legacy_detection = true;       // B3
    bool raise_annual_minimums = true;  // B4
    bool stable_queue_order = true;     // B5
    bool classify_config_errors = true; // B6
    bool consistency_repair = true;     // B7
    bool bounded_retries = true;        // B14
    // Issue #16, item 1: reconcile to running clears finished_at, or the next tick reads the
    // revived row as running_with_finished_at and never recovers it.
    bool reconcile_clears_finished_at = true;
    // Issue #16, item 2: progress younger than stall_after is a sign of life (facts/liveness.hpp).
    bool progress_is_alive = true;
    // Issue #16, item 3: a running row with completed_at set has finished (repair, never rerun).
    bool completed_at_is_completion = true;
    // Issue #16, item 9: processes on one job's dir that form one ppid tree are one attempt.
    bool process_tree_is_one_attempt = true;
    // Issue #16, item 10: a stalled job nothing runs (runner none) gets its row write only, never
    // a stop and restart of the worker.
    bool runner_none_status_only = true;
    // Issue #18, finding 1: while the host cannot list processes, an empty process list is no
    // evidence that nothing runs a job: the orphan sweep and the start of a row that has run
    // before are held (facts/process_list.hpp).
    bool unreadable_process_list_holds = true;
    // Issue #18, finding 2: live processes on a waiting row's dir are its live attempt even when
    // the row carries finished_at (rules/reconcile.hpp): it is reconciled, or stopped when stale.
    bool finished_row_processes_are_live = true;
    // Issue #18, finding 3: a waiting row with completed_at and no live evidence has finished: it
    // is repaired to completed, never started again (rules/consistency_repair.hpp).
    bool waiting_completed_at_is_completion = true;
    friend constexpr bool operator==(const guard_switches&, const guard_switches&) = default;
};

// Every threshold the rules use, each defaulted to the value that fixed its incident.
// docs/rules/ and docs/rails/ explain each one with the incident behind it.
struct config {
    // B2: keep at least this many jobs running; 0 switches queue fill off.
    std::int32_t ensure_min_running_jobs = 0;
    // Queue fill starts only jobs of this campaign year (issue #8); empty: the UTC year of
    // `now`, so a campaign rolls over on January 1st without a config change.
    std::optional<std::int32_t> campaign_year;
    // B13: no start when the disk is at or above this share used.
    double disk_threshold_percent = 85.0;
    // B12: starts of one job per rolling 24 h, counted from persisted start history.
    std::int32_t daily_start_cap = 3;
    // Stall recoveries per tick, lowest job id first (issue #8: the production watchdog recovers
    // one job per run, so a burst of stalls is worked off gradually instead of restarting half a
    // campaign at once). The others wait, listed in plan.blocked. 0: no limit.
    std::int32_t recoveries_per_tick = 1;
    // Issue #16 item 11: starts per tick. Production starts at most one job per run, so each
    // start's disk use and load show in the next run's checks before another job starts. The
    // candidates past it wait, listed in plan.blocked under starts_per_tick. 0: no limit (the
    // deficit alone bounds the starts).
    std::int32_t max_starts_per_tick = 1;
    // Stall recoveries of one job per rolling 24 h, counted from persisted recovery history
    // (issue #8: a job that stalls again and again needs a human, not a fourth restart).
    std::int32_t daily_recovery_cap = 3;
    // Issue #17, item 5: when a stalled job is recovered, up to this many other stalled running
    // jobs of the same source whose runner is none are marked retryable too (their row only,
    // each through the rails). 0 switches the same-source sweep off.
    std::int32_t same_source_recoveries_limit = 5;
    // Issue #8: a deploy lock whose holder cannot be probed counts as held for this long after
    // its creation, then as stale.
    duration deploy_lock_stale_after = std::chrono::hours{2};
    // A running job whose newest progress is at least this old is stalled.
    duration stall_after = std::chrono::minutes{60};
    // Issue #8: while another running job progressed less than this long ago, a full recovery
    // (which restarts the worker, and every crawl under it) would kill a healthy crawl, so a
    // stalled job nobody runs gets a soft recovery instead: its row only.
    duration guard_window = std::chrono::minutes{10};
    // False: inside the guard window a stalled job nobody runs is left alone until the window
    // closes (reason guard_window_healthy_job).
    bool soft_recovery = true;
    // No stall or orphan verdict until a job has been started for longer than this.
    duration start_grace = std::chrono::minutes{15};
    // B8: no orphan verdict until a job has been started for longer than this.
    duration orphan_grace = std::chrono::minutes{10};
    // B4: the tool options annual crawls are started and recovered with, at least.
    tool_options annual_minimums{20, 50, 50, 2, std::nullopt};
    // Issue #8 (production watchdog parity, rules/recovery_options.hpp): a stall recovery raises
    // max_container_restarts of a job that is not annual to at least this (annual jobs: to
    // annual_minimums.max_container_restarts).
    std::int32_t recovery_min_restarts_non_annual = 6;
    // Issue #8: a stall recovery of an annual job sets stall_timeout_minutes to this when the
    // row has none; an explicit value, even a lower one, is kept.
    std::int32_t annual_stall_timeout_minutes = 60;
    // Issue #17 item 2: per-source tool options for annual jobs (core/source_profile.hpp). At a
    // recovery or a start, an option missing or still at the shared baseline (annual_minimums,
    // annual_stall_timeout_minutes) takes the profile's value; the profile is also the source's
    // minimums for the annual_minimums rail. Empty: every source uses the shared values.
    warden::source_profiles source_profiles;
    // B5: ties in queued_at are broken by this source order, then by id.
    std::vector<std::string> source_order{"hc", "phac", "cihr"};
    // B14: retries of a job whose attempts fail with an infra error (a container runtime that
    // refuses it, a mount that is missing). Past this many the job is failed: such an error
    // clears within a few retries or not at all, and each retry holds a slot. Counted by
    // retry_count, which every start from retryable bumps. 0: an infra error fails at once.
    std::int32_t max_retries = 5;
    // B7: a queued job whose last_stage is this one has in fact finished.
    std::string final_stage = "persist";
    // Issue #17 (recap's third repair): a queued (pending) job whose last_stage is set but is
    // not final_stage, and whose updated_at is older than this, died mid-pipeline: it is failed.
    duration stale_pipeline_after = std::chrono::minutes{60};
    // Issue #17 (progress circuit breaker): when each of a job's last progress_circuit_window
    // recoveries gained fewer than progress_circuit_min_pages pages, its next recovery is
    // refused (rails/progress_circuit.hpp). Either one 0: the circuit is off.
    std::int32_t progress_circuit_window = 3;
    std::int64_t progress_circuit_min_pages = 10;
    // Issue #17 (degraded-rate observation): a running job whose progress rate stayed under this
    // many pages per minute for degraded_rate_ticks consecutive observations is reported as
    // degraded (an observation: nothing is written). degraded_rate_ticks 0: never reported.
    double degraded_rate_pages_per_minute = 2.0;
    std::int32_t degraded_rate_ticks = 6;
    // B6: last_error text (case-insensitive substring) that means the job's own arguments are
    // wrong, so retrying can never succeed.
    std::vector<std::string> config_error_patterns{
        "unrecognized arguments", "unrecognised arguments", "invalid argument",
        "invalid choice",         "no such option",         "unknown option",
        "invalid config",         "invalid configuration",
    };
    // Issue #16 item 4: last_error text (case-insensitive substring) that names a storage or
    // permission failure of the host. Checked before config_error_patterns, as production's
    // worker does: storage may recover, so a row that names one stays retryable (the retry
    // budget bounds it) even when the same text also names invalid arguments.
    std::vector<std::string> infra_error_patterns{
        "permission denied", "transport endpoint is not connected",
        "[errno 107]",       "stale file handle",
        "no space left",     "input/output error",
    };
    guard_switches guards;
    // Issue #21 item 2: per-source, per-class and per-group caps on running jobs, checked on
    // every start by the concurrency_limits rail. Empty: no cap beyond the others.
    std::vector<concurrency_limit> concurrency_limits;
    // Issue #21 item 1: the classes of work (core/class_spec.hpp), in recognition order. Empty:
    // the one class `annual` (campaign kind annual, queue fill on), warden's behaviour before.
    std::vector<class_spec> classes;

    // The minimums an annual job of `source` is held to: its profile's, else the shared ones.
    [[nodiscard]] tool_options annual_minimums_for(std::string_view source) const {
        const auto it = source_profiles.find(source);
        return it == source_profiles.end() ? annual_minimums
                                           : minimums_with(annual_minimums, it->second);
    }
    // The stall timeout an annual job of `source` gets when it has none.
    [[nodiscard]] std::int32_t annual_stall_timeout_for(std::string_view source) const {
        const auto it = source_profiles.find(source);
        return it == source_profiles.end() || !it->second.stall_timeout_minutes
                   ? annual_stall_timeout_minutes
                   : *it->second.stall_timeout_minutes;
    }
};

} // namespace v0
} // namespace warden
