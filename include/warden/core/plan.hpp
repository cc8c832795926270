#pragma once
#include <warden/core/actions.hpp>
#include <warden/core/enum_names.hpp>
#include <warden/core/ids.hpp>
#include <warden/core/rule_id.hpp>

#include <array>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden {
inline namespace v0 {

struct blocked_action {
    action proposed;
    std::string_view rail; // the rail's name: ours or a host rail's
    std::string reason;
    friend bool operator==(const blocked_action&, const blocked_action&) = default;
};

enum class anomaly_kind : std::uint8_t {
    running_with_finished_at,
    completed_without_finished_at,
    running_without_started_at,
    terminal_with_live_evidence, // completed/failed, yet a lock or process says it runs
    process_claimed_by_many,     // one output_dir, several jobs, a live process
    several_processes,           // more than one live process for one job (reported only)
    lock_without_started_at,     // queued/retryable, lock held, never started: not reconciled
    stalled_runner_unknown,      // stalled, but what runs it cannot be named: operator needed
};

inline constexpr int anomaly_kind_count = 8;

inline constexpr std::string_view anomaly_kind_names[] = {
    "running_with_finished_at",    "completed_without_finished_at", "running_without_started_at",
    "terminal_with_live_evidence", "process_claimed_by_many",       "several_processes",
    "lock_without_started_at",     "stalled_runner_unknown",
};
// Renderers loop to anomaly_kind_count: a kind added without raising it would vanish from them.
static_assert(std::size(anomaly_kind_names) == anomaly_kind_count &&
                  static_cast<int>(anomaly_kind::stalled_runner_unknown) + 1 == anomaly_kind_count,
              "anomaly_kind_count must equal the number of anomaly kinds");

[[nodiscard]] constexpr std::string_view to_string(anomaly_kind k) noexcept {
    return detail::name_in(anomaly_kind_names, k);
}

// Impossible or ambiguous state that warden reports and does not write: a human looks first.
struct anomaly {
    job_id job{};
    anomaly_kind kind{};
    std::string_view detail;
    friend bool operator==(const anomaly&, const anomaly&) = default;
};

// Something warden reports and does nothing about (issue #17): a fact for a dashboard, not a
// fault. The production watchdog tracked these only to report them ("observe").
enum class observation_kind : std::uint8_t {
    degraded_rate, // progress under degraded_rate_pages_per_minute for degraded_rate_ticks
};

inline constexpr int observation_kind_count = 1;
inline constexpr std::string_view observation_kind_names[] = {"degraded_rate"};
static_assert(std::size(observation_kind_names) == observation_kind_count &&
                  static_cast<int>(observation_kind::degraded_rate) + 1 == observation_kind_count,
              "observation_kind_names must name every kind, in order");

[[nodiscard]] constexpr std::string_view to_string(observation_kind k) noexcept {
    return detail::name_in(observation_kind_names, k);
}

struct observation {
    job_id job{};
    observation_kind kind{};
    std::int64_t value = 0; // degraded_rate: the job's degraded_streak
    friend bool operator==(const observation&, const observation&) = default;
};

// Why queue fill passed over a waiting job it could otherwise have started (issue #8).
enum class skip_reason : std::uint8_t {
    non_annual,             // no campaign metadata and no legacy -YYYY0101 name
    year_mismatch,          // annual, but of another campaign year than the target
    class_not_queue_filled, // issue #21: of a class whose queue_fill is false
    campaign_closed,        // issue #21: of a campaign year its class lists as closed
};

inline constexpr int skip_reason_count = 4;
inline constexpr std::string_view skip_reason_names[] = {
    "non_annual", "year_mismatch", "class_not_queue_filled", "campaign_closed"};
static_assert(std::size(skip_reason_names) == skip_reason_count &&
                  static_cast<int>(skip_reason::campaign_closed) + 1 == skip_reason_count,
              "skip_reason_names must name every reason, in order");

[[nodiscard]] constexpr std::string_view to_string(skip_reason r) noexcept {
    return detail::name_in(skip_reason_names, r);
}

// A waiting job queue fill looked at and did not start. Reported only in a tick where queue fill
// looked for candidates (a deficit, nothing stalled), so a quiet tick stays quiet.
struct skipped_start {
    job_id job{};
    skip_reason reason{};
    std::optional<std::int32_t> campaign_year; // the job's, when it has one
    std::int32_t target_year = 0;
    friend bool operator==(const skipped_start&, const skipped_start&) = default;
};

// Invalid input. `field` is a path such as "jobs[3].started_at" (the JSON path for documents).
struct validation_error {
    std::optional<job_id> job; // empty: a host-wide or config error, nothing is decided
    std::string field;
    std::string message;
    friend bool operator==(const validation_error&, const validation_error&) = default;
};

struct plan_summary {
    std::int64_t jobs = 0;
    std::int64_t running = 0; // after this plan's writes
    std::int64_t target = 0;  // ensure_min_running_jobs
    std::int64_t stalled = 0;
    std::int64_t degraded = 0; // running jobs observed degraded (issue #17)
    std::int64_t starts_last_24h = 0;
    std::int64_t recoveries_last_24h = 0; // in the persisted history, every job
    bool deploy_lock = false;             // held, or unprobeable and not yet stale
    std::array<std::int64_t, job_status_count> by_status{}; // as read, before the plan
    std::array<std::int64_t, rule_count> actions_by_rule{};
    friend bool operator==(const plan_summary&, const plan_summary&) = default;
};

struct plan {
    std::vector<action> actions; // in the order the host must apply them
    std::vector<blocked_action> blocked;
    std::vector<anomaly> anomalies;
    std::vector<skipped_start> skipped; // queue fill's passed-over jobs, in snapshot order
    std::vector<validation_error> errors;
    std::vector<observation> observations; // reported only, no action (issue #17)
    plan_summary summary;

    // True when the input was rejected as a whole: nothing was decided.
    [[nodiscard]] bool rejected() const noexcept {
        for (const auto& e : errors)
            if (!e.job) return true;
        return false;
    }
    friend bool operator==(const plan&, const plan&) = default;
};

} // namespace v0
} // namespace warden
