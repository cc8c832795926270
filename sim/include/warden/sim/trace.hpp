#pragma once
#include <warden/core/job_status.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace warden::sim {

enum class event_kind : std::uint8_t {
    fault,            // a: fault_kind, b: victim pid or arg
    worker_pick,      // the worker started a queued job itself; a: pid
    unit_spawned,     // a detached unit's process appeared; a: pid
    attempt_failed,   // a: 1 config error, 0 timeouts
    stage_written,    // the crawler wrote last_stage = final stage; a: rows affected
    process_exit,     // a: pid
    completion,       // worker's completion; a: 1 committed, 0 conflict, 2 acknowledged on 0 rows
    watchdog_applied, // a: action index in kind order, b: rule
    watchdog_conflict,
    watchdog_blocked,
    stop, // the watchdog stopped the job's runner; a: processes ended
    violation,
    phase, // a: 1 liveness phase begins
    // Added last so the numbers of the others (hashed into traces) stay as they were.
    watchdog_not_reached, // an earlier action on the job in this plan conflicted (issue #15)
    host_write,           // a host write in the decide -> apply window; a: fault_kind
};

[[nodiscard]] constexpr std::string_view to_string(event_kind k) noexcept {
    switch (k) {
    case event_kind::fault: return "fault";
    case event_kind::worker_pick: return "worker_pick";
    case event_kind::unit_spawned: return "unit_spawned";
    case event_kind::attempt_failed: return "attempt_failed";
    case event_kind::stage_written: return "stage_written";
    case event_kind::process_exit: return "process_exit";
    case event_kind::completion: return "completion";
    case event_kind::watchdog_applied: return "watchdog_applied";
    case event_kind::watchdog_conflict: return "watchdog_conflict";
    case event_kind::watchdog_blocked: return "watchdog_blocked";
    case event_kind::stop: return "stop";
    case event_kind::violation: return "violation";
    case event_kind::phase: return "phase";
    case event_kind::watchdog_not_reached: return "watchdog_not_reached";
    case event_kind::host_write: return "host_write";
    }
    return "unknown";
}

// One line of the tick table: tick, job, event, the DB row after it, and a note.
struct event {
    std::int64_t tick = 0;
    std::int64_t job = 0; // 0: no job
    event_kind kind{};
    std::int64_t a = 0;
    std::int64_t b = 0;
    job_status status{}; // the job's DB status after the event
    std::int64_t version = 0;
    std::string note;
};

[[nodiscard]] inline std::string format_event(const event& e) {
    return fmt::format("t={:<6} job={:<3} {:<18} db={}/v{} {}", e.tick, e.job, to_string(e.kind),
                       to_string(e.status), e.version, e.note);
}

// FNV-1a over every event's fields: two runs of one seed must give the same hash, on every
// platform (determinism check).
class trace_hash {
  public:
    void add(std::uint64_t v) noexcept {
        for (int i = 0; i < 8; ++i) {
            h_ ^= (v >> (8 * i)) & 0xffu;
            h_ *= 0x100000001B3ull;
        }
    }
    void add(const event& e) noexcept {
        add(static_cast<std::uint64_t>(e.tick));
        add(static_cast<std::uint64_t>(e.job));
        add(static_cast<std::uint64_t>(e.kind));
        add(static_cast<std::uint64_t>(e.a));
        add(static_cast<std::uint64_t>(e.b));
        add(static_cast<std::uint64_t>(e.status));
        add(static_cast<std::uint64_t>(e.version));
    }
    [[nodiscard]] std::uint64_t value() const noexcept { return h_; }

  private:
    std::uint64_t h_ = 0xCBF29CE484222325ull;
};

enum class invariant : std::uint8_t {
    completed_changed,      // a completed job never becomes anything else
    double_start,           // no start while another live attempt owns the job
    start_under_deploy,     // no start while the deploy lock is held
    start_over_disk,        // no start at or above the disk threshold
    start_over_cap,         // no start over the daily start cap (persisted history)
    write_without_sentinel, // no watchdog write while the sentinel is absent
    drift,                  // DB status agrees with the runtime within period + grace
    impossible_state,       // queued with last_stage == final stage, for more than one period
    finished_restarted,     // the watchdog never starts a queued row that already finished (B7)
    cas_overwrite,          // a compare-and-set that conflicted changed nothing
    false_orphan,           // the sweep never fails/retries a job that is alive or completing
    false_stall,            // stall recovery never hits a job that is progressing
    ack_not_durable,        // a completion the worker acknowledged is in the DB
    config_error_restarted, // a job whose last attempt failed on its arguments is not restarted
    order_dependent,        // the plan does not depend on the order rows are listed in
    unfinished,             // liveness: every campaign job completes or fails as config error
    underfilled,            // liveness: running reaches the target while enough work waits
    // Safety, added last so the numbers of the others (hashed into traces) stay as they were.
    recovery_over_cap, // no stall recovery of a job at its daily recovery cap
    retries_unbounded, // no attempt after max_retries + 1 infra-error failures (B14)
    missed_stall,      // a stalled crawl is stopped within the stall bound (B15)
    // Issue #15: host writes in the decide -> apply window.
    stale_write,        // no action lands on a row that moved since the snapshot it was decided on
    stopped_live_crawl, // no stop of a crawl whose job's status write in the plan conflicted
    over_target,        // two watchdogs' starts never take running past ensure_min_running_jobs
    // Issue #17: no stall recovery lands while the job's progress circuit is open.
    recovery_while_circuit_open,
    // Issue #18, item 3 and issue #17: runner actions only where a runner exists.
    restart_without_runner, // no stop restarts the worker for a job nothing runs (#16 item 10)
    sweep_runner_action,    // a same-source sweep writes the status only: no runner action
    repaired_live_job,      // consistency repair never fails a job whose attempt is alive
    // Issue #21: group limits, retry backoff and deadlines.
    over_group_limit,          // no start takes a group of concurrency_limits above its limit
    started_before_not_before, // no retryable row started before its backoff's not_before
    running_past_deadline,     // no stoppable job runs past its deadline (+ three periods)
};

inline constexpr int invariant_count = 30;

[[nodiscard]] constexpr std::string_view to_string(invariant v) noexcept {
    switch (v) {
    case invariant::completed_changed: return "completed_changed";
    case invariant::double_start: return "double_start";
    case invariant::start_under_deploy: return "start_under_deploy";
    case invariant::start_over_disk: return "start_over_disk";
    case invariant::start_over_cap: return "start_over_cap";
    case invariant::write_without_sentinel: return "write_without_sentinel";
    case invariant::drift: return "drift";
    case invariant::impossible_state: return "impossible_state";
    case invariant::finished_restarted: return "finished_restarted";
    case invariant::cas_overwrite: return "cas_overwrite";
    case invariant::false_orphan: return "false_orphan";
    case invariant::false_stall: return "false_stall";
    case invariant::ack_not_durable: return "ack_not_durable";
    case invariant::config_error_restarted: return "config_error_restarted";
    case invariant::order_dependent: return "order_dependent";
    case invariant::unfinished: return "unfinished";
    case invariant::underfilled: return "underfilled";
    case invariant::recovery_over_cap: return "recovery_over_cap";
    case invariant::retries_unbounded: return "retries_unbounded";
    case invariant::missed_stall: return "missed_stall";
    case invariant::stale_write: return "stale_write";
    case invariant::stopped_live_crawl: return "stopped_live_crawl";
    case invariant::over_target: return "over_target";
    case invariant::recovery_while_circuit_open: return "recovery_while_circuit_open";
    case invariant::restart_without_runner: return "restart_without_runner";
    case invariant::sweep_runner_action: return "sweep_runner_action";
    case invariant::repaired_live_job: return "repaired_live_job";
    case invariant::over_group_limit: return "over_group_limit";
    case invariant::started_before_not_before: return "started_before_not_before";
    case invariant::running_past_deadline: return "running_past_deadline";
    }
    return "unknown";
}

[[nodiscard]] constexpr bool is_liveness(invariant v) noexcept {
    return v == invariant::unfinished || v == invariant::underfilled;
}

struct violation {
    invariant what{};
    std::int64_t tick = 0;
    std::int64_t job = 0;
    std::string message;
};

} // namespace warden::sim
