#pragma once
#include <warden/core/actions.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <variant>

namespace warden {
inline namespace v0 {

// What a tick came to, in one word (issue #8): the production watchdog logged one result per
// run, and its dashboards and alerts key on that closed set of reasons. Derived from the plan,
// never stored in it: the plan stays the single source of truth.
enum class tick_result : std::uint8_t {
    acted,    // writes or runtime actions to apply
    dry_run,  // would act, but the sentinel is absent
    held,     // something needed doing and a rail or limit refused it
    idle,     // nothing to do
    rejected, // the snapshot was refused as a whole
};

enum class tick_reason : std::uint8_t {
    invalid_input,
    deploy_lock,
    full_recovered,
    soft_recovered,
    dry_run_full_recover,
    dry_run_soft_recover,
    max_recoveries_full,
    max_recoveries_soft,
    guard_window_healthy_job,
    runner_unknown,
    started_job,
    dry_run_start,
    start_disk_high,
    max_starts,
    state_repaired,
    disabled,
    no_start_candidates,
    no_stalled_jobs,
    progress_circuit_open, // issue #17: the progress circuit breaker refused a recovery
    degraded_observe,      // issue #17: nothing else happened, and a job is degraded
};

inline constexpr int tick_reason_count = 20;

[[nodiscard]] constexpr std::string_view to_string(tick_reason r) noexcept {
    switch (r) {
    case tick_reason::invalid_input: return "invalid_input";
    case tick_reason::deploy_lock: return "deploy_lock";
    case tick_reason::full_recovered: return "full_recovered";
    case tick_reason::soft_recovered: return "soft_recovered";
    case tick_reason::dry_run_full_recover: return "dry_run_full_recover";
    case tick_reason::dry_run_soft_recover: return "dry_run_soft_recover";
    case tick_reason::max_recoveries_full: return "max_recoveries_full";
    case tick_reason::max_recoveries_soft: return "max_recoveries_soft";
    case tick_reason::guard_window_healthy_job: return "guard_window_healthy_job";
    case tick_reason::runner_unknown: return "runner_unknown";
    case tick_reason::started_job: return "started_job";
    case tick_reason::dry_run_start: return "dry_run_start";
    case tick_reason::start_disk_high: return "start_disk_high";
    case tick_reason::max_starts: return "max_starts";
    case tick_reason::state_repaired: return "state_repaired";
    case tick_reason::disabled: return "disabled";
    case tick_reason::no_start_candidates: return "no_start_candidates";
    case tick_reason::no_stalled_jobs: return "no_stalled_jobs";
    case tick_reason::progress_circuit_open: return "progress_circuit_open";
    case tick_reason::degraded_observe: return "degraded_observe";
    }
    return "unknown";
}

static_assert(to_string(static_cast<tick_reason>(tick_reason_count - 1)) != "unknown" &&
                  to_string(static_cast<tick_reason>(tick_reason_count)) == "unknown",
              "tick_reason_count must equal the number of tick reasons");

// Each reason has exactly one result, so a dashboard can group by either label.
[[nodiscard]] constexpr tick_result result_of(tick_reason r) noexcept {
    switch (r) {
    case tick_reason::invalid_input: return tick_result::rejected;
    case tick_reason::full_recovered:
    case tick_reason::soft_recovered:
    case tick_reason::started_job:
    case tick_reason::state_repaired: return tick_result::acted;
    case tick_reason::dry_run_full_recover:
    case tick_reason::dry_run_soft_recover:
    case tick_reason::dry_run_start: return tick_result::dry_run;
    case tick_reason::deploy_lock:
    case tick_reason::max_recoveries_full:
    case tick_reason::max_recoveries_soft:
    case tick_reason::guard_window_healthy_job:
    case tick_reason::runner_unknown:
    case tick_reason::start_disk_high:
    case tick_reason::max_starts:
    case tick_reason::progress_circuit_open: return tick_result::held;
    case tick_reason::disabled:
    case tick_reason::no_start_candidates:
    case tick_reason::no_stalled_jobs:
    case tick_reason::degraded_observe: return tick_result::idle;
    }
    return tick_result::idle;
}

[[nodiscard]] constexpr std::string_view to_string(tick_result r) noexcept {
    switch (r) {
    case tick_result::acted: return "acted";
    case tick_result::dry_run: return "dry_run";
    case tick_result::held: return "held";
    case tick_result::idle: return "idle";
    case tick_result::rejected: return "rejected";
    }
    return "unknown";
}

namespace detail {

// `view(element)` gives the action an element of `items` holds (an action, or a blocked one's).
template <class Items, class View>
[[nodiscard]] bool stops_for_recovery(const Items& items, job_id job, View view) {
    return std::any_of(items.begin(), items.end(), [&](const auto& item) {
        const auto* stop = std::get_if<stop_job>(&view(item));
        return stop && stop->job == job && stop->rule == rule_id::stall_recovery;
    });
}

[[nodiscard]] inline const set_status* recovery_write(const action& a) {
    const auto* st = std::get_if<set_status>(&a);
    return st && st->rule == rule_id::stall_recovery ? st : nullptr;
}

} // namespace detail

// The tick's one reason, in the production watchdog's order: the host-wide stops, then stall
// recovery (it runs before queue fill), then queue fill, then whatever else was written.
[[nodiscard]] inline tick_reason outcome_of(const plan& p, const snapshot& s) {
    if (p.rejected()) return tick_reason::invalid_input;
    if (p.summary.deploy_lock) return tick_reason::deploy_lock;

    const auto itself = [](const action& a) -> const action& { return a; };
    const auto proposed = [](const blocked_action& b) -> const action& { return b.proposed; };
    for (const action& a : p.actions)
        if (const auto* st = detail::recovery_write(a))
            return detail::stops_for_recovery(p.actions, st->job, itself)
                       ? tick_reason::full_recovered
                       : tick_reason::soft_recovered;
    for (const blocked_action& b : p.blocked) {
        const auto* st = detail::recovery_write(b.proposed);
        if (!st) continue;
        const bool full = detail::stops_for_recovery(p.blocked, st->job, proposed);
        if (b.rail == "sentinel_gate")
            return full ? tick_reason::dry_run_full_recover : tick_reason::dry_run_soft_recover;
        if (b.rail == "progress_circuit") return tick_reason::progress_circuit_open;
        if (b.rail == "daily_recovery_cap")
            return full ? tick_reason::max_recoveries_full : tick_reason::max_recoveries_soft;
        if (b.rail == "guard_window") return tick_reason::guard_window_healthy_job;
    }
    if (std::any_of(p.anomalies.begin(), p.anomalies.end(), [](const anomaly& a) {
            return a.kind == anomaly_kind::stalled_runner_unknown;
        }))
        return tick_reason::runner_unknown;

    for (const action& a : p.actions)
        if (std::holds_alternative<start_job>(a)) return tick_reason::started_job;
    for (const blocked_action& b : p.blocked) {
        if (!std::holds_alternative<start_job>(b.proposed)) continue;
        if (b.rail == "sentinel_gate") return tick_reason::dry_run_start;
        if (b.rail == "disk_threshold") return tick_reason::start_disk_high;
        if (b.rail == "daily_start_cap") return tick_reason::max_starts;
    }
    if (!p.actions.empty()) return tick_reason::state_repaired;
    if (!s.host.sentinel_present) return tick_reason::disabled;
    if (p.summary.target > 0 && p.summary.running < p.summary.target && p.summary.stalled == 0)
        return tick_reason::no_start_candidates;
    // Production reports degraded_observe only where it would report no_stalled_jobs.
    if (p.summary.degraded > 0) return tick_reason::degraded_observe;
    return tick_reason::no_stalled_jobs;
}

} // namespace v0
} // namespace warden
