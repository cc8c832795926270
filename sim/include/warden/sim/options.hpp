#pragma once
#include <warden/core/config.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace warden::sim {

class database;

// Faults the world injects. Each has a rate (probability per tick) in rate mode, or appears as
// an explicit command in a schedule (what the property tests generate and shrink).
enum class fault_kind : std::uint8_t {
    stall,                // a live crawl stops progressing but stays alive
    crash,                // a live crawl dies; its lock is released
    worker_restart,       // the worker restarts: running set, its own crawl and pending
                          // completions are lost; detached units survive
    crash_between_writes, // armed: the next finishing crawl dies after its stage write (B7)
    stale_lock,           // a live crawl dies and leaves its per-job lock held
    delayed_completion,   // armed: the next completion commits 1..10 ticks late (B8)
    operator_retryable,   // an operator marks a running job retryable by hand (B1)
    operator_requeue,     // an operator puts a running job back to queued by hand (B1, B7)
    deploy,               // the deploy lock is held for a while; the worker restarts
    disk_spike,           // disk usage jumps by 20..49 points
    sentinel_off,         // the automation sentinel is removed for a while (dry run)
    // Host writes in the watchdog's decide -> apply window (issue #15), armed when drawn and
    // carried out at the first watchdog tick whose plan they can race with, after the plan is
    // decided and before it is applied. Added last so the numbers of the others (hashed into
    // traces) stay as they were.
    window_edit,     // an operator edits a row the plan writes: a waiting row's tool options, a
                     // running row to retryable or back to queued
    window_retry,    // an operator re-queues a failed row (failed -> queued) as a plan starts one
    window_progress, // a stalled crawl the plan stops resumes: its progress lands in the window
    second_watchdog, // a second watchdog runs against the same database for 1..50 watchdog ticks
    // The world as production has it (issue #18, item 3), drawn from their own stream so runs
    // without them fire the kinds above exactly as before.
    lock_probe_fails,         // a held per-job lock cannot be probed for 5..60 ticks (EACCES: the
                              // 2026-02-06 incident); the host lists it as unprobeable
    process_list_unreadable,  // the host cannot list processes for 5..60 ticks
    foreign_process,          // a process warden does not own (origin other: an operator's rsync)
                              // sits on a live crawl's output dir while that crawl lives
    lock_lost,                // a live crawl's per-job lock file vanishes (a tmp cleanup)
    crash_after_completed_at, // armed: the next finishing crawl's completion writes completed_at
                              // first and dies before its status write (the other write order)
    operator_retryable_finished, // an operator marks a running job retryable and stamps
                                 // finished_at, as production's failed-attempt path does
    stale_pipeline, // a crawl dies mid-pipeline (last_stage crawl, updated_at stamped) and its
                    // runner puts the row back to queued (recap's pending)
    // Issue #18 item 4 (B20): the host's `ps` scan reads fine but does not match a progressing
    // crawl's processes to its job (a command line truncated without `ps -ww`, a crawl in another
    // PID namespace, a renamed process) until it stalls or for 5..60 ticks, whichever is shorter;
    // the miss always ends before the crawl's last progress is stall_after old, so its progress
    // still shows it alive (docs/simulator.md, world). Drawn from a stream of its own.
    process_unmatched,
};

inline constexpr int fault_kind_count = 23;
// The kinds up to issue #18 item 3's: the generated schedules of B19 and B21 to B26 draw from
// these only, so their figures stay as they were; B20's schedules draw from every kind.
inline constexpr int issue18_fault_kind_count = 22;
// The kinds before issue #18's: the generated schedules of the catalogue entries B1..B18 draw
// from these only, so their figures stay as they were.
inline constexpr int classic_fault_kind_count = 15;

[[nodiscard]] constexpr std::string_view to_string(fault_kind k) noexcept {
    switch (k) {
    case fault_kind::stall: return "stall";
    case fault_kind::crash: return "crash";
    case fault_kind::worker_restart: return "worker_restart";
    case fault_kind::crash_between_writes: return "crash_between_writes";
    case fault_kind::stale_lock: return "stale_lock";
    case fault_kind::delayed_completion: return "delayed_completion";
    case fault_kind::operator_retryable: return "operator_retryable";
    case fault_kind::operator_requeue: return "operator_requeue";
    case fault_kind::deploy: return "deploy";
    case fault_kind::disk_spike: return "disk_spike";
    case fault_kind::sentinel_off: return "sentinel_off";
    case fault_kind::window_edit: return "window_edit";
    case fault_kind::window_retry: return "window_retry";
    case fault_kind::window_progress: return "window_progress";
    case fault_kind::second_watchdog: return "second_watchdog";
    case fault_kind::lock_probe_fails: return "lock_probe_fails";
    case fault_kind::process_list_unreadable: return "process_list_unreadable";
    case fault_kind::foreign_process: return "foreign_process";
    case fault_kind::lock_lost: return "lock_lost";
    case fault_kind::crash_after_completed_at: return "crash_after_completed_at";
    case fault_kind::operator_retryable_finished: return "operator_retryable_finished";
    case fault_kind::stale_pipeline: return "stale_pipeline";
    case fault_kind::process_unmatched: return "process_unmatched";
    }
    return "unknown";
}

[[nodiscard]] inline std::optional<fault_kind> parse_fault_kind(std::string_view s) noexcept {
    for (int i = 0; i < fault_kind_count; ++i)
        if (to_string(static_cast<fault_kind>(i)) == s) return static_cast<fault_kind>(i);
    return std::nullopt;
}

// Probability per tick of each fault.
struct fault_rates {
    std::array<double, fault_kind_count> per_tick{};
    [[nodiscard]] double& operator[](fault_kind k) noexcept {
        return per_tick[static_cast<std::size_t>(k)];
    }
    [[nodiscard]] double operator[](fault_kind k) const noexcept {
        return per_tick[static_cast<std::size_t>(k)];
    }
};

// Named profiles: `none`, `default` (a rough month of a real host squeezed into days) and
// `heavy` (ten times default, for soaks).
[[nodiscard]] inline std::optional<fault_rates> fault_profile(std::string_view name) {
    fault_rates r;
    if (name == "none") return r;
    if (name != "default" && name != "heavy") return std::nullopt;
    r[fault_kind::stall] = 0.002;
    r[fault_kind::crash] = 0.002;
    r[fault_kind::worker_restart] = 0.0005;
    r[fault_kind::crash_between_writes] = 0.002;
    r[fault_kind::stale_lock] = 0.001;
    r[fault_kind::delayed_completion] = 0.004;
    r[fault_kind::operator_retryable] = 0.002;
    r[fault_kind::operator_requeue] = 0.001;
    r[fault_kind::deploy] = 0.001;
    r[fault_kind::disk_spike] = 0.0005;
    r[fault_kind::sentinel_off] = 0.0005;
    r[fault_kind::window_edit] = 0.002;
    r[fault_kind::window_retry] = 0.001;
    r[fault_kind::window_progress] = 0.001;
    r[fault_kind::second_watchdog] = 0.001;
    r[fault_kind::lock_probe_fails] = 0.001;
    r[fault_kind::process_list_unreadable] = 0.0005;
    r[fault_kind::foreign_process] = 0.0005;
    r[fault_kind::lock_lost] = 0.001;
    r[fault_kind::crash_after_completed_at] = 0.002;
    r[fault_kind::operator_retryable_finished] = 0.001;
    r[fault_kind::stale_pipeline] = 0.001;
    r[fault_kind::process_unmatched] = 0.001;
    if (name == "heavy")
        for (auto& p : r.per_tick)
            p *= 10;
    return r;
}

// One fault as a command: at `tick`, fire `kind`; `pick` chooses the victim among the eligible
// ones (modulo their count), `arg` sizes it (deploy length, completion delay, disk jump).
struct fault_cmd {
    std::int64_t tick = 0;
    fault_kind kind = fault_kind::stall;
    std::uint32_t pick = 0;
    std::uint32_t arg = 0;
    friend bool operator==(const fault_cmd&, const fault_cmd&) = default;
};

// The bug catalogue: bit n set means incident Bn is back (its guard is switched off), in the
// engine (config.guards, ensure_min_running_jobs, the rail set) and in the world (non-atomic
// writes, 0-row updates taken as success, running-set removal before the completion commits,
// the host's progress tracker reading the first log path it found, a chained write tried after
// its predecessor conflicted, a stop carried out after its job's status write conflicted, a second
// watchdog that reads before the first one writes).
struct legacy_bugs {
    std::uint32_t mask = 0;
    [[nodiscard]] constexpr bool has(int n) const noexcept { return (mask >> n) & 1u; }
    constexpr legacy_bugs& add(int n) noexcept {
        mask |= 1u << n;
        return *this;
    }
    [[nodiscard]] static constexpr legacy_bugs only(int n) noexcept { return legacy_bugs{}.add(n); }
    // The entries of the catalogue (docs/simulator.md): B1..B8 are our incidents; B9..B13 are
    // reserved in DESIGN.md for peers' bugs not modelled yet; B14 and B15 are issue #8's, B16 to
    // B18 issue #15's, B19 to B23 issue #16's items 1, 2, 3, 9 and 10 (issue #18, item 4), B24 to
    // B26 issue #18's findings 1 to 3 (docs/simulator.md). B30 is issue #21's: a rail that cannot
    // see the plan in progress.
    static constexpr std::array<int, 22> numbers{1,  2,  3,  4,  5,  6,  7,  8,  14, 15, 16,
                                                 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 30};
    [[nodiscard]] static constexpr bool known(int n) noexcept {
        return std::find(numbers.begin(), numbers.end(), n) != numbers.end();
    }
    [[nodiscard]] static constexpr legacy_bugs all() noexcept {
        legacy_bugs l;
        for (const int n : numbers)
            l.add(n);
        return l;
    }
    [[nodiscard]] std::string describe() const {
        std::string out;
        for (const int n : numbers)
            if (has(n)) out += (out.empty() ? "B" : ",B") + std::to_string(n);
        return out.empty() ? "none" : out;
    }
    friend constexpr bool operator==(const legacy_bugs&, const legacy_bugs&) = default;
};

// "B8", "B1,B7", "B15", "all", "none".
[[nodiscard]] inline std::optional<legacy_bugs> parse_legacy(std::string_view s) {
    legacy_bugs l;
    if (s == "none" || s.empty()) return l;
    if (s == "all") return legacy_bugs::all();
    while (!s.empty()) {
        const auto comma = s.find(',');
        const std::string_view item = s.substr(0, comma);
        if (item.size() < 2 || item.size() > 3 || (item[0] != 'B' && item[0] != 'b'))
            return std::nullopt;
        int n = 0;
        for (const char c : item.substr(1)) {
            if (c < '0' || c > '9') return std::nullopt;
            n = n * 10 + (c - '0');
        }
        if (!legacy_bugs::known(n)) return std::nullopt;
        l.add(n);
        if (comma == std::string_view::npos) break;
        s.remove_prefix(comma + 1);
    }
    return l;
}

// A seed as the command line spells it: decimal digits only, the full u64 range (0 to
// 18446744073709551615). Anything else (a sign, a space, a value past 2^64 - 1) is no seed: the
// caller reports a usage error instead of running another seed than the one asked for.
[[nodiscard]] inline std::optional<std::uint64_t> parse_seed(std::string_view text) noexcept {
    if (text.empty() || text.size() > 20) return std::nullopt;
    std::uint64_t v = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
        v = v * 10 + digit;
    }
    return v;
}

// A host rail that holds a start on purpose (one crawl per source, a maintenance window) tells
// the liveness phase so: true for a waiting row the host's rails keep waiting by design, given the
// database's rows as they stand. `underfilled` and `unfinished` then check everything else.
using held_by_design_fn = std::function<bool(std::span<const job> rows, const job& row)>;

struct world_options {
    std::uint64_t seed = 1;
    // The engine config the host decides with (the same one it gives `warden decide`): the
    // decider receives it, and every invariant and bound derives from it (daily_start_cap,
    // disk_threshold_percent, stall_after, the graces, ensure_min_running_jobs as the target).
    // Empty: warden's defaults with target_running as ensure_min_running_jobs. When set, its
    // ensure_min_running_jobs replaces target_running. Legacy bugs switch guards off on top.
    std::optional<config> engine;
    // See held_by_design_fn. Empty: no start is held by design (besides a retryable row when
    // queue fill is off, which nothing in the engine restarts: the host's, see docs).
    held_by_design_fn held_by_design;
    std::int32_t jobs = 12;
    std::int64_t ticks = 2880; // the safety phase, with faults; the liveness phase follows
    std::int64_t tick_seconds = 60;
    std::int32_t watchdog_period_ticks = 5;
    std::int32_t target_running = 4; // config.ensure_min_running_jobs
    bool use_schedule = false;       // faults from `schedule` instead of `rates`
    fault_rates rates = *fault_profile("default");
    std::vector<fault_cmd> schedule;
    legacy_bugs legacy;
    // The campaign.
    double legacy_job_share = 0.25;  // created before campaign metadata existed (B3)
    double config_error_share = 0.1; // invalid arguments: every attempt fails at once (B6)
    // A runtime that refuses the job (an image that cannot be pulled): every attempt fails after
    // a tick or two with an infra error (B14). Off by default, so the figures of runs without it
    // stay as they were; drawn from its own stream.
    double infra_error_share = 0.0;
    double low_options_share = 0.5; // created with ad-hoc tool options below the minimums (B4)
    double long_crawl_share = 0.3;  // 300..max_work_ticks of work instead of 30..120
    std::int32_t max_work_ticks = 600;
    double timeout_per_tick = 0.03;         // chance a progressing crawl hits a timeout (B4)
    std::int32_t progress_report_ticks = 5; // mean ticks between heartbeat writes
    std::int32_t spawn_lag_max_ticks = 3;   // a detached unit's process appears this late
    std::int32_t running_set_removal_delay_ticks = 1;
    bool worker_picks_queued = true;      // false: only the watchdog's queue fill starts jobs
    bool check_order_independence = true; // decide on a shuffled snapshot too (B5)
    // Apply every plan to a copy of the rows with warden::apply_to_snapshot as well and require
    // the same rows and the same conflicts: the world's database keeps the reference semantics.
    bool verify_reference_apply = false;
    // The world's database: empty is the in-memory model (model_db); sqlite_db::store() (from
    // <warden/sim/sqlite_db.hpp>) is an in-memory SQLite database per run.
    std::function<std::unique_ptr<database>()> store;
    bool trace = false;
    std::int64_t liveness_ticks = -1; // -1: the stated bound (see liveness_bound_ticks)
    // Each attempt writes its own crawl log (<output_dir>/logs/attempt-<n>.log; the previous
    // attempt's is rotated away when a new one starts), and the watchdog's snapshot takes each
    // job's progress from a warden::progress_tracker fed with those logs instead of the DB's
    // heartbeat column (issue #8, B15). Off: the heartbeat column, as before.
    bool progress_logs = false;
    // Runner classes and process trees as production has them (issue #18, item 3). Watchdog
    // starts run as systemd units (origin systemd_unit, unit `warden-crawl-<id>.service`, parent
    // pid 1) instead of reporting the worker as their parent; every attempt is two processes, the
    // runner and its container child (`docker run ... zimit`, ppid the runner's pid).
    bool systemd_units = false;
    bool container_children = false;
    // Issue #18 item 4 (B20): the host's scan may miss a crawl (fault process_unmatched) whose
    // row is waiting too (an operator put it back while it ran). Off: the miss holds only while
    // the row is running, since queue fill starts a waiting row whose crawl nothing shows but its
    // progress (double_start with every guard on: an open finding, docs/simulator.md).
    bool unmatched_waiting_rows = false;
    // ---- issue #21 (job classes in the campaign) ----
    // The share of campaign jobs that are monthly crawls (named `<source>-<i>-monthly`, no
    // campaign metadata) instead of annual ones, drawn from their own stream so runs without
    // them draw as before. A host config with classes (sim/schedule.hpp) recognises them.
    double monthly_share = 0.0;
    // False: the liveness phase runs (faults off, healed) but `underfilled` and `unfinished` are
    // not judged: mixed campaigns are drilled for safety only (docs/simulator.md: open finding).
    bool check_liveness = true;
};

} // namespace warden::sim
