#pragma once
#include <warden/core/enum_names.hpp>
#include <warden/core/failure_class.hpp>
#include <warden/core/ids.hpp>
#include <warden/core/job.hpp>
#include <warden/core/job_status.hpp>
#include <warden/core/rule_id.hpp>
#include <warden/core/tool_options.hpp>

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace warden {
inline namespace v0 {

// What made a rule act. Reasons are static text (no allocation per action); the figure that
// backs them travels here and renderers format it.
enum class evidence_kind : std::uint8_t {
    none,
    lock,          // a held per-job lock
    process,       // a live process attributable to the job's output_dir (value: pid)
    final_stage,   // last_stage equals the final stage
    error_pattern, // last_error matched a config-error pattern
    progress_age,  // seconds since the newest progress (value)
    no_liveness,   // no lock, no process, not in the running set (value: seconds since start)
    campaign_name, // -YYYY0101 in the name or output dir (value: year)
    start_request, // a start requested by queue fill
    retry_count,   // retries already made (value)
    stale_update,  // seconds since the row's updated_at (issue #17, recap's third repair)
    run_time,      // seconds since started_at (issue #21 item 4, deadlines)
};

inline constexpr int evidence_kind_count = 12;
inline constexpr std::string_view evidence_kind_names[] = {
    "none",        "lock",          "process",       "final_stage", "error_pattern", "progress_age",
    "no_liveness", "campaign_name", "start_request", "retry_count", "stale_update",  "run_time",
};
static_assert(std::size(evidence_kind_names) == evidence_kind_count &&
                  static_cast<int>(evidence_kind::run_time) + 1 == evidence_kind_count,
              "evidence_kind_names must name every kind, in order");

[[nodiscard]] constexpr std::string_view to_string(evidence_kind e) noexcept {
    return detail::name_in(evidence_kind_names, e);
}

struct evidence {
    evidence_kind kind = evidence_kind::none;
    std::int64_t value = 0;
    friend constexpr bool operator==(const evidence&, const evidence&) = default;
};

// Every write names the status and version it expects: the host applies it only if the row still
// matches, and a 0-row update is a conflict, never a success (incident B7). When one plan holds
// several writes for one job they chain: the second expects version + 1, and so on.
struct set_status {
    job_id job{};
    job_status expected_status{};
    std::int64_t expected_version = 0;
    job_status status{};
    std::optional<failure_class> failure; // set alongside the status when present
    rule_id rule{};
    std::string_view reason;
    struct evidence evidence;
    // Issue #16, item 1: the write also sets finished_at to null. Reconcile to running says so:
    // a revived row that kept its last attempt's finished_at could never be recovered.
    bool clears_finished_at = false;
    // A stall recovery's: the job's crawled_pages when it was decided, which the applier stores
    // in the recovery record it appends (issue #17, the progress circuit breaker). The database
    // does not hold the count (the host measures it), so the plan carries it.
    std::optional<std::int64_t> crawled_pages = std::nullopt;
    friend bool operator==(const set_status&, const set_status&) = default;
};

struct start_job {
    job_id job{};
    job_status expected_status{};
    std::int64_t expected_version = 0;
    tool_options options; // written with the start: the options the attempt runs with
    rule_id rule{};
    friend bool operator==(const start_job&, const start_job&) = default;
};

struct backfill_campaign {
    job_id job{};
    job_status expected_status{};
    std::int64_t expected_version = 0;
    campaign_kind kind = campaign_kind::annual;
    std::int32_t year = 0;
    rule_id rule{};

    // The campaign date a host writes with the backfill (issue #8): January 1st of the year,
    // 00:00 UTC. A function of the year, so the plan cannot carry a date that disagrees with it.
    [[nodiscard]] constexpr timestamp campaign_date() const noexcept { return utc(year, 1, 1); }
    friend bool operator==(const backfill_campaign&, const backfill_campaign&) = default;
};

struct set_tool_options {
    job_id job{};
    job_status expected_status{};
    std::int64_t expected_version = 0;
    tool_options before;
    tool_options after;
    rule_id rule{};
    friend bool operator==(const set_tool_options&, const set_tool_options&) = default;
};

// What runs a job, as far as the snapshot shows (issue #8). It decides what a recovery may stop:
// stopping a runner warden cannot name could kill something it does not own.
enum class runner_class : std::uint8_t {
    none,         // no lock, no process, not in the running set
    worker,       // the worker service: a crawl process under it, or its lock or running set
    systemd_unit, // a systemd unit running this job
    unknown,      // another process, a lock while the worker is down, or no process list
};

inline constexpr int runner_class_count = 4;

inline constexpr std::string_view runner_class_names[] = {"none", "worker", "systemd_unit",
                                                          "unknown"};
static_assert(std::size(runner_class_names) == runner_class_count &&
                  static_cast<int>(runner_class::unknown) + 1 == runner_class_count,
              "runner_class_names must name every runner class, in order");

[[nodiscard]] constexpr std::string_view to_string(runner_class r) noexcept {
    return detail::name_in(runner_class_names, r);
}

// A runtime action, not a row write: the host terminates the job's runner so its lock is released.
// Without it the next tick's reconcile would see the lock and flip the job back to running.
// `restart` asks for the same runner to be started again afterwards (a stall's full recovery,
// issue #8): the unit named by `unit`, or the worker service (for runner none as well: a row
// says running that nothing runs, so the worker itself is suspect).
struct stop_job {
    job_id job{};
    std::vector<std::int64_t> pids; // empty: stop whatever runner holds the job's lock
    rule_id rule{};
    std::string_view reason;
    runner_class runner = runner_class::worker;
    std::string unit; // the systemd unit, when runner is systemd_unit
    bool restart = false;
    friend bool operator==(const stop_job&, const stop_job&) = default;
};

using action = std::variant<set_status, start_job, backfill_campaign, set_tool_options, stop_job>;

[[nodiscard]] inline job_id action_job(const action& a) noexcept {
    return std::visit([](const auto& x) { return x.job; }, a);
}

[[nodiscard]] inline rule_id action_rule(const action& a) noexcept {
    return std::visit([](const auto& x) { return x.rule; }, a);
}

[[nodiscard]] constexpr std::string_view kind_name(const set_status&) noexcept {
    return "set_status";
}
[[nodiscard]] constexpr std::string_view kind_name(const start_job&) noexcept {
    return "start_job";
}
[[nodiscard]] constexpr std::string_view kind_name(const backfill_campaign&) noexcept {
    return "backfill_campaign";
}
[[nodiscard]] constexpr std::string_view kind_name(const set_tool_options&) noexcept {
    return "set_tool_options";
}
[[nodiscard]] constexpr std::string_view kind_name(const stop_job&) noexcept {
    return "stop_job";
}
[[nodiscard]] inline std::string_view kind_name(const action& a) noexcept {
    return std::visit([](const auto& x) { return kind_name(x); }, a);
}

// Row writes carry a compare-and-set expectation; stop_job acts on the runtime only.
[[nodiscard]] inline bool is_row_write(const action& a) noexcept {
    return !std::holds_alternative<stop_job>(a);
}

} // namespace v0
} // namespace warden
