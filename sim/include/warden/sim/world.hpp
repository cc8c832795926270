#pragma once
// The simulated world: a database of job rows with versions and compare-and-set writes, a
// runtime (one worker, detached units, crawl processes, per-job locks, the worker's in-memory
// running set), an operator, deploys, a disk, and the watchdog that runs warden::decide every
// K ticks. One u64 seed drives every choice; no clock, no threads, no I/O.
#include <warden/apply.hpp>
#include <warden/core/actions.hpp>
#include <warden/core/config.hpp>
#include <warden/core/fields.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/facts/backoff.hpp>
#include <warden/facts/campaign.hpp>
#include <warden/progress.hpp>
#include <warden/rules/completion.hpp>
#include <warden/rules/deadline.hpp>
#include <warden/rules/failure_classification.hpp>
#include <warden/sim/database.hpp>
#include <warden/sim/decide.hpp>
#include <warden/sim/options.hpp>
#include <warden/sim/rng.hpp>
#include <warden/sim/schedule.hpp>
#include <warden/sim/state_checker.hpp>
#include <warden/sim/trace.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace warden::sim {

// What a run reports: the campaign summary, the violations, the trace hash.
struct summary {
    std::uint64_t seed = 0;
    legacy_bugs legacy;
    std::int32_t jobs = 0;
    std::int64_t ticks_run = 0;
    std::int64_t job_ticks = 0;
    std::int64_t completed = 0;
    std::int64_t failed_config = 0;
    std::int64_t failed_infra = 0; // retries spent on infra errors (B14)
    std::int64_t not_finished = 0;
    std::int64_t held_by_design = 0; // waiting at the end, held by the host's design (liveness)
    std::int64_t starts = 0;
    std::int64_t worker_picks = 0;
    std::int64_t restarts = 0; // starts beyond each job's first
    std::array<std::int64_t, rule_count> applied_by_rule{};
    std::int64_t watchdog_conflicts = 0;
    std::int64_t worker_conflicts = 0;
    std::int64_t not_reached = 0;   // probe: actions after a conflict on their job (#15)
    std::int64_t window_writes = 0; // probe: host writes that landed in the decide -> apply window
    std::int64_t second_watchdogs = 0; // probe: ticks a second watchdog applied a plan
    std::int64_t blocked = 0;
    std::vector<std::pair<std::string_view, std::int64_t>> blocked_by_rail;
    std::array<std::int64_t, fault_kind_count> faults{};
    std::int64_t crash_points_hit = 0;            // probe: crashes between the two final writes
    std::int64_t delayed_commits = 0;             // probe: completions that committed late
    std::int64_t finished_crawls_redone = 0;      // probe: a crawl with outputs started again
    std::int64_t retryable_after_final_stage = 0; // probe: see docs/simulator.md, findings
    // Probe (issue #17): degraded_rate observations in the watchdog's plans (progress_logs).
    std::int64_t degraded_observations = 0;
    // Probes (issue #18, item 3): the world as production has it.
    std::int64_t unprobeable_lock_reads = 0;   // snapshots listing an unprobeable lock
    std::int64_t unreadable_process_lists = 0; // snapshots without a process list
    std::int64_t foreign_process_reads = 0;    // snapshots with a process warden does not own
    // Issue #18 item 4 (B20): snapshots whose readable process list missed a live crawl, and
    // those in which such a crawl's row was running with no lock and no running-set entry: only
    // its progress showed it alive.
    std::int64_t unmatched_process_reads = 0;
    std::int64_t progress_only_alive_reads = 0;
    std::int64_t unit_process_reads = 0;         // snapshots with a crawl run by a systemd unit
    std::int64_t process_tree_reads = 0;         // snapshots with a two-process attempt
    std::int64_t locks_lost = 0;                 // live crawls whose lock file vanished
    std::int64_t completed_at_first_crashes = 0; // completed_at written, status write lost
    std::int64_t retryable_with_finished_at = 0; // rows marked retryable with finished_at
    std::int64_t stale_pipeline_rows = 0;        // rows put back to queued mid-pipeline
    std::int64_t stale_pipeline_repairs = 0;     // recap's repair applied (issue #17)
    std::int64_t same_source_sweeps = 0;         // same-source sweep writes applied (issue #17)
    // Issue #21: jobs the deadline rule failed (their end), and the deadline writes applied.
    std::int64_t failed_deadline = 0;
    std::int64_t deadline_failures = 0;
    std::int64_t time_to_complete_ticks = -1; // all campaign jobs terminal; -1: never
    std::int64_t liveness_bound_ticks = 0;
    std::uint64_t trace_hash = 0;
    std::vector<violation> violations;
};

// Adds one run's counters to `total` (a suite's "sometimes" probes): the rules applied, the
// rails' denials by name, conflicts, outcomes, crash points, late commits, faults fired and the
// window's probes. Seed, hash, ticks and violations are not counters and are left as they are.
inline void accumulate(summary& total, const summary& s) {
    for (std::size_t r = 0; r < total.applied_by_rule.size(); ++r)
        total.applied_by_rule[r] += s.applied_by_rule[r];
    for (const auto& denied : s.blocked_by_rail) {
        auto it = std::find_if(total.blocked_by_rail.begin(), total.blocked_by_rail.end(),
                               [&](const auto& e) { return e.first == denied.first; });
        if (it == total.blocked_by_rail.end())
            total.blocked_by_rail.push_back(denied);
        else
            it->second += denied.second;
    }
    for (std::int64_t summary::*counter : {&summary::blocked,
                                           &summary::starts,
                                           &summary::worker_picks,
                                           &summary::restarts,
                                           &summary::watchdog_conflicts,
                                           &summary::worker_conflicts,
                                           &summary::not_reached,
                                           &summary::window_writes,
                                           &summary::second_watchdogs,
                                           &summary::completed,
                                           &summary::failed_config,
                                           &summary::failed_infra,
                                           &summary::not_finished,
                                           &summary::held_by_design,
                                           &summary::finished_crawls_redone,
                                           &summary::crash_points_hit,
                                           &summary::delayed_commits,
                                           &summary::retryable_after_final_stage,
                                           &summary::degraded_observations,
                                           &summary::unprobeable_lock_reads,
                                           &summary::unreadable_process_lists,
                                           &summary::foreign_process_reads,
                                           &summary::unmatched_process_reads,
                                           &summary::progress_only_alive_reads,
                                           &summary::unit_process_reads,
                                           &summary::process_tree_reads,
                                           &summary::locks_lost,
                                           &summary::completed_at_first_crashes,
                                           &summary::retryable_with_finished_at,
                                           &summary::stale_pipeline_rows,
                                           &summary::stale_pipeline_repairs,
                                           &summary::same_source_sweeps,
                                           &summary::failed_deadline,
                                           &summary::deadline_failures})
        total.*counter += s.*counter;
    for (std::size_t k = 0; k < total.faults.size(); ++k)
        total.faults[k] += s.faults[k];
}

class world final : private world_view {
  public:
    static constexpr std::string_view config_error_text =
        "zimit: error: unrecognized arguments: --pageLimit=abc";
    static constexpr std::string_view infra_error_text =
        "docker: Error response from daemon: pull access denied for zimit-broken";

    explicit world(world_options o, decider d = {})
        : o_(std::move(o))
        , cfg_(engine_config(o_))
        , decide_(std::move(d))
        , faults_rng_(stream(o_.seed, 1))
        , production_faults_rng_(stream(o_.seed, 7))
        , unmatched_faults_rng_(stream(o_.seed, 20))
        , shuffle_rng_(stream(o_.seed, 2))
        , db_(o_.store ? o_.store() : std::make_unique<model_db>())
        , checker_(o_, cfg_, [this](invariant what, std::int64_t j, std::string message) {
            violate(what, j, std::move(message));
        }) {
        // The host's config names the target: every bound and the over_target check read it.
        if (o_.engine) o_.target_running = o_.engine->ensure_min_running_jobs;
        if (!decide_) {
            const legacy_bugs l = o_.legacy;
            decide_ = [l](const snapshot& s, const config& c) {
                return legacy_aware_decide(s, c, l);
            };
        }
        std::stable_sort(o_.schedule.begin(), o_.schedule.end(),
                         [](const fault_cmd& a, const fault_cmd& b) { return a.tick < b.tick; });
        db_->chain_after_conflict(o_.legacy.has(16));
        build_campaign();
        sum_.seed = o_.seed;
        sum_.legacy = o_.legacy;
        sum_.jobs = o_.jobs;
        sum_.liveness_bound_ticks = liveness_bound_ticks();
    }

    // The stated liveness bound: a full daily-cap window, one stall plus grace, and every job
    // run twice (a low-option attempt by the worker, then a raised one) at the target's
    // concurrency, with watchdog and spawn latency.
    [[nodiscard]] std::int64_t liveness_bound_ticks() const {
        if (o_.liveness_ticks >= 0) return o_.liveness_ticks;
        const std::int64_t ts = o_.tick_seconds;
        const std::int64_t waits =
            (one_day + cfg_.stall_after + std::max(cfg_.start_grace, cfg_.orphan_grace)).count();
        const std::int64_t target = std::max(1, o_.target_running);
        // Issue #21 (sim/schedule.hpp): concurrency limits run a group's jobs in waves of their
        // own; without limits this is ceil(jobs / target).
        const std::int64_t waves = start_waves(cfg_, db_->rows(), target);
        // Queue fill's pace (issue #16 item 11): a wave of `target` starts takes
        // ceil(target / max_starts_per_tick) watchdog ticks to go out.
        const std::int64_t per_tick = cfg_.max_starts_per_tick;
        const std::int64_t fill_ticks = per_tick > 0 ? (target + per_tick - 1) / per_tick : 1;
        // Issue #21: each retry may wait out its class's longest backoff first (0 without one).
        const std::int64_t backoff_ticks = (longest_backoff_seconds(cfg_) + ts - 1) / ts;
        const std::int64_t per_attempt = o_.max_work_ticks + o_.spawn_lag_max_ticks +
                                         (fill_ticks + 2) * o_.watchdog_period_ticks + 10 +
                                         backoff_ticks;
        return (waits + ts - 1) / ts + 2 * waves * per_attempt + 10 * o_.watchdog_period_ticks;
    }

    // Ticks a job may legitimately disagree with the runtime (state_checker::drift_bound_ticks).
    [[nodiscard]] std::int64_t drift_bound_ticks() const { return checker_.drift_bound_ticks(); }

    // Runs the safety phase (faults on), then the liveness phase (faults off, healed) until
    // every campaign job is finished or the bound passes; stops at the first violation.
    summary run() {
        const std::int64_t end = o_.ticks + liveness_bound_ticks();
        while (tick_ < end && sum_.violations.empty()) {
            if (tick_ == o_.ticks) heal();
            step();
            if (all_finished()) {
                sum_.time_to_complete_ticks = tick_;
                break;
            }
        }
        if (sum_.violations.empty() && sum_.time_to_complete_ticks < 0 && o_.check_liveness)
            checker_.at_end(*this, liveness_bound_ticks());
        finish_summary();
        return sum_;
    }

    [[nodiscard]] const std::vector<event>& events() const noexcept { return events_; }
    [[nodiscard]] const std::vector<job>& rows() const noexcept { return db_->rows(); }
    [[nodiscard]] database& store() noexcept { return *db_; }
    [[nodiscard]] const config& engine() const noexcept { return cfg_; }
    [[nodiscard]] std::int64_t tick() const noexcept override { return tick_; }

  private:
    // completing: the crawl is done and its runner waits for the completion to commit, still
    // holding the job's lock (the B8 guard: the DB commit comes before the runtime lets go).
    enum class proc_state : std::uint8_t { spawning, running, stalled, completing };

    // The worker service's pid, the parent of every attempt's process (issue #16, item 9).
    static constexpr std::int64_t worker_pid = 2;

    struct process {
        std::int64_t pid = 0;
        std::uint32_t job = 0;
        proc_state state = proc_state::spawning;
        std::int64_t spawn_at = 0;
        std::int64_t next_heartbeat = 0;
        std::int32_t work_done = 0;
        std::int32_t timeouts = 0;
        std::int32_t timeout_threshold = 0;
        std::int64_t commit_at = 0; // completing: when the completion write lands
        bool in_worker = false;
        std::int32_t attempt = 0;     // the job's attempt number: its crawl log's
        std::int64_t stalled_at = -1; // the tick it stalled; -1: not stalled
    };

    // A crawl log on the host's disk (progress_logs): the attempt that writes it (0: no log at
    // the job's log path), its path, its last write and the crawled-pages counter in it.
    struct crawl_log {
        std::int32_t attempt = 0;
        std::string path;
        timestamp modified_at{};
        std::int64_t pages = 0;
    };

    struct truth {
        std::int32_t work_total = 0;
        bool config_error = false;
        std::int32_t config_failures = 0;
        bool infra_broken = false; // B14: every attempt fails with an infra error
        // Infra-error failures since the last time an operator re-queued the job by hand: the
        // retry budget bounds the automatic retries that follow them.
        std::int32_t infra_failures = 0;
        // The attempt that was running when an operator last re-queued the job by hand: its
        // own failure, which may still come, belongs to the budget before the re-queue.
        std::int32_t requeued_at_attempt = 0;
        rng r;
        std::int64_t lock_pid = 0;        // 0: free; may name a dead process (stale lock)
        std::int64_t running_set_pid = 0; // 0: not in the worker's running set
        std::int32_t procs = 0;
        std::int32_t pending = 0;
        std::int64_t last_write_seq = 0;
        std::int32_t attempts = 0;
        crawl_log log; // progress_logs: the current attempt's log, if it has one
        bool has_started = false;
        std::int64_t window_write_tick = -1; // the last tick a host write landed in the window
        // Issue #18, item 3: the lock probe fails until this tick (while the lock is held); a
        // process warden does not own sits on the output dir while `foreign_owner` lives, until
        // `foreign_until`.
        std::int64_t lock_unprobeable_until = -1;
        std::int64_t foreign_owner = 0;
        std::int64_t foreign_until = -1;
        std::int64_t foreign_pid = 0;
        // Issue #18 item 4 (B20): the host's process scan does not match process
        // `unmatched_pid` (and its container child) to this job until `unmatched_until`.
        std::int64_t unmatched_pid = 0;
        std::int64_t unmatched_until = -1;
        bool deadline_failed = false; // issue #21: failed by the deadline rule, a settled end
        // Issue #21: the last tick the deadline rule could not fail this job and stop its runner
        // alone (the row not running, no live process, or one the host cannot name), or its
        // write lost to a world write in the window: running_past_deadline's clock restarts here.
        std::int64_t unstoppable_tick = -1;
    };

    struct pending_completion {
        std::uint32_t job = 0;
        std::int64_t due = 0;
        std::int64_t pages = 0;
    };

    struct pending_removal {
        std::uint32_t job = 0;
        std::int64_t pid = 0;
        std::int64_t due = 0;
    };

    // ---- setup -------------------------------------------------------------------------

    void build_campaign() {
        rng setup = stream(o_.seed, 4);
        rng infra = stream(o_.seed, 5); // its own stream: without B14 jobs, setup draws as before
        rng monthly = stream(o_.seed, 11); // issue #21: likewise, without monthly jobs
        static constexpr std::array<const char*, 3> sources{"hc", "phac", "cihr"};
        const tool_options minimums = cfg_.annual_minimums;
        const tool_options ad_hoc{5, 10, 10, 1, std::nullopt};
        std::vector<job> rows(static_cast<std::size_t>(o_.jobs));
        truth_.resize(rows.size());
        checker_.resize(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            job& j = rows[i];
            truth& t = truth_[i];
            const char* source = sources[i % sources.size()];
            const bool legacy = setup.chance(o_.legacy_job_share);
            j.id = job_id{static_cast<std::int64_t>(i) + 1};
            j.source = source;
            j.name = legacy ? fmt::format("{}-{}-20260101", source, i)
                            : fmt::format("{}-{}-annual", source, i);
            j.output_dir = "/srv/crawls/" + j.name;
            j.status = job_status::queued;
            if (!legacy) {
                j.kind = campaign_kind::annual;
                j.campaign_year = 2026;
            }
            j.queued_at = start_time(); // every campaign job queued at once: ties (B5)
            if (legacy)
                j.options = {};
            else
                j.options = setup.chance(o_.low_options_share) ? ad_hoc : minimums;
            t.config_error = setup.chance(o_.config_error_share);
            t.infra_broken = infra.chance(o_.infra_error_share) && !t.config_error;
            t.work_total = static_cast<std::int32_t>(setup.chance(o_.long_crawl_share)
                                                         ? setup.between(300, o_.max_work_ticks)
                                                         : setup.between(30, 120));
            t.r = stream(o_.seed, 100 + i);
            t.last_write_seq = static_cast<std::int64_t>(i);
            // Issue #21: a monthly crawl, of no annual campaign (sim/schedule.hpp's classes).
            if (monthly.chance(o_.monthly_share)) {
                j.name = fmt::format("{}-{}-monthly", source, i);
                j.output_dir = "/srv/crawls/" + j.name;
                j.kind = campaign_kind::none;
                j.campaign_year.reset();
            }
        }
        write_seq_ = o_.jobs;
        db_->create(rows);
    }

    [[nodiscard]] static constexpr timestamp start_time() noexcept { return utc(2026, 1, 1); }
    [[nodiscard]] timestamp now() const noexcept override {
        return start_time() + duration{tick_ * o_.tick_seconds};
    }
    [[nodiscard]] bool deploy_held() const noexcept { return tick_ < deploy_until_; }
    [[nodiscard]] bool sentinel_present() const noexcept { return tick_ >= sentinel_off_until_; }
    [[nodiscard]] bool tracing() const noexcept { return o_.trace; }

    // ---- trace and violations ------------------------------------------------------------

    void ev(event_kind k, std::int64_t j, std::int64_t a = 0, std::int64_t b = 0,
            std::string note = {}) {
        event e{tick_, j + 1, k, a, b, {}, 0, {}};
        if (j >= 0) {
            e.status = row(static_cast<std::uint32_t>(j)).status;
            e.version = row(static_cast<std::uint32_t>(j)).version;
        } else {
            e.job = 0;
        }
        hash_.add(e);
        if (tracing()) {
            e.note = std::move(note);
            events_.push_back(std::move(e));
        }
    }

    void violate(invariant what, std::int64_t j, std::string message) {
        if (!sum_.violations.empty()) return; // the first violation ends the run
        sum_.violations.push_back(violation{what, tick_, j + 1, message});
        ev(event_kind::violation, j, static_cast<std::int64_t>(what), 0,
           fmt::format("{}: {}", to_string(what), message));
    }

    // ---- the database ----------------------------------------------------------------------

    [[nodiscard]] const job& row(std::uint32_t j) const noexcept override { return db_->row(j); }
    [[nodiscard]] std::uint32_t job_count() const noexcept override {
        return static_cast<std::uint32_t>(truth_.size());
    }

    // After every write that landed, whoever wrote it: the row is now the most recently written
    // (the snapshot's physical order), and a completed row never gets another status.
    void wrote(std::uint32_t j, job_status before) {
        truth_[j].last_write_seq = ++write_seq_;
        if (before == job_status::completed && row(j).status != job_status::completed)
            violate(invariant::completed_changed, j,
                    fmt::format("completed -> {}", to_string(row(j).status)));
    }

    [[nodiscard]] std::int32_t starts_last_day(std::uint32_t j) const override {
        const timestamp from = now() - one_day;
        std::int32_t n = 0;
        for (const auto& r : db_->starts())
            if (r.job == row(j).id && r.at > from) ++n;
        return n;
    }

    // ---- the checker's read-only view (world_view) ------------------------------------------

    [[nodiscard]] bool paused() const noexcept override {
        return deploy_held() || !sentinel_present();
    }
    [[nodiscard]] bool has_attempt(std::uint32_t j) const noexcept override {
        return truth_[j].procs > 0 || truth_[j].pending > 0;
    }
    [[nodiscard]] bool config_error(std::uint32_t j) const noexcept override {
        return truth_[j].config_error;
    }
    // A waiting row with nothing running it that the host keeps waiting on purpose: a retryable
    // row while the host's queue fill is off (ensure_min_running_jobs 0: nothing in the engine
    // restarts it, the worker picks only queued rows, so the retry is a human's), or a row the
    // host's own rail holds (world_options::held_by_design).
    [[nodiscard]] bool held_by_design(std::uint32_t j) const override {
        const job& r = row(j);
        if (!is_waiting(r.status) || has_attempt(j)) return false;
        if (r.status == job_status::retryable && o_.target_running == 0) return true;
        return o_.held_by_design && o_.held_by_design(std::span<const job>(db_->rows()), r);
    }
    void stalled_crawls(std::vector<std::pair<std::uint32_t, std::int64_t>>& out) const override {
        for (const auto& p : procs_)
            if (p.state == proc_state::stalled) out.emplace_back(p.job, p.stalled_at);
    }
    [[nodiscard]] const snapshot& last_snapshot() const noexcept override { return snap_; }

    // ---- the runtime -----------------------------------------------------------------------

    void launch(std::uint32_t j, bool in_worker) {
        // Whoever starts it, the watchdog or the worker: the budget bounds every path.
        if (truth_[j].infra_failures > cfg_.max_retries)
            violate(invariant::retries_unbounded, j,
                    fmt::format("attempt after {} infra-error failures (max_retries {})",
                                truth_[j].infra_failures, cfg_.max_retries));
        process p;
        p.pid = next_pid_++;
        p.job = j;
        p.in_worker = in_worker;
        p.spawn_at = in_worker ? tick_ : tick_ + truth_[j].r.between(0, o_.spawn_lag_max_ticks);
        p.timeout_threshold = row(j).options.error_threshold_timeout;
        p.attempt = ++truth_[j].attempts;
        truth_[j].log.attempt = 0; // the previous attempt's log is rotated away
        if (truth_[j].has_started && row(j).has_outputs) ++sum_.finished_crawls_redone;
        truth_[j].has_started = true;
        ++truth_[j].procs;
        truth_[j].running_set_pid = p.pid; // the worker launches every attempt and tracks it
        procs_.push_back(p);
        if (in_worker) spawn(procs_.back());
    }

    void spawn(process& p) {
        truth& t = truth_[p.job];
        p.state = proc_state::running;
        p.next_heartbeat = tick_ + t.r.between(1, 2 * o_.progress_report_ticks - 1);
        const bool lock_free = t.lock_pid == 0 || !pid_alive(t.lock_pid);
        if (lock_free) t.lock_pid = p.pid; // a stale lock is broken by the new attempt
        if (o_.progress_logs && p.attempt == t.attempts) // the newest attempt opens its log
            t.log = crawl_log{
                p.attempt, fmt::format("{}/logs/attempt-{}.log", row(p.job).output_dir, p.attempt),
                now(), 0};
        ev(event_kind::unit_spawned, p.job, p.pid);
    }

    // A live (spawned) crawl of job j runs without the job's lock (fault lock_lost).
    [[nodiscard]] bool lock_lost(std::uint32_t j) const noexcept {
        if (truth_[j].lock_pid != 0) return false;
        for (const auto& p : procs_)
            if (p.job == j && p.state != proc_state::spawning) return true;
        return false;
    }

    [[nodiscard]] bool pid_alive(std::int64_t pid) const noexcept {
        for (const auto& p : procs_)
            if (p.pid == pid) return true;
        return false;
    }

    void schedule_removal(std::uint32_t j, std::int64_t pid) {
        removals_.push_back({j, pid, tick_ + o_.running_set_removal_delay_ticks});
    }

    // Ends process `k`. `release_lock` false leaves a stale lock behind.
    void end_process(std::size_t k, bool release_lock) {
        const process p = procs_[k];
        procs_.erase(procs_.begin() + static_cast<std::ptrdiff_t>(k));
        truth& t = truth_[p.job];
        --t.procs;
        if (release_lock && t.lock_pid == p.pid) t.lock_pid = 0;
        ev(event_kind::process_exit, p.job, p.pid);
    }

    [[nodiscard]] std::optional<std::size_t> find_proc(std::int64_t pid) const {
        for (std::size_t k = 0; k < procs_.size(); ++k)
            if (procs_[k].pid == pid) return k;
        return std::nullopt;
    }

    void worker_restart() {
        for (std::size_t k = procs_.size(); k-- > 0;)
            if (procs_[k].in_worker) end_process(k, true);
        for (auto& t : truth_)
            t.running_set_pid = 0;
        for (const auto& c : completions_)
            --truth_[c.job].pending;
        completions_.clear();
        removals_.clear();
    }

    // ---- faults ----------------------------------------------------------------------------

    template <class Pred>
    [[nodiscard]] std::optional<std::size_t> pick_proc(std::uint32_t pick, Pred pred) const {
        std::uint32_t n = 0;
        for (const auto& p : procs_)
            if (pred(p)) ++n;
        if (n == 0) return std::nullopt;
        std::uint32_t want = pick % n;
        for (std::size_t k = 0; k < procs_.size(); ++k)
            if (pred(procs_[k]) && want-- == 0) return k;
        return std::nullopt;
    }

    void fire(fault_kind kind, std::uint32_t pick, std::uint32_t arg) {
        ++sum_.faults[static_cast<std::size_t>(kind)];
        const auto spawned = [](const process& p) { return p.state != proc_state::spawning; };
        std::int64_t victim = -1;
        std::int64_t job = -1;
        switch (kind) {
        case fault_kind::stall:
            if (auto k = pick_proc(
                    pick, [](const process& p) { return p.state == proc_state::running; })) {
                procs_[*k].state = proc_state::stalled;
                procs_[*k].stalled_at = tick_;
                victim = procs_[*k].pid;
                job = procs_[*k].job;
            }
            break;
        case fault_kind::crash:
        case fault_kind::stale_lock:
            if (auto k = pick_proc(pick, spawned)) {
                victim = procs_[*k].pid;
                job = procs_[*k].job;
                end_process(*k, kind == fault_kind::crash);
                schedule_removal(static_cast<std::uint32_t>(job), victim);
            }
            break;
        case fault_kind::worker_restart: worker_restart(); break;
        case fault_kind::crash_between_writes: armed_crash_between_ = true; break;
        case fault_kind::delayed_completion: armed_delay_ = 1 + static_cast<int>(arg % 10); break;
        case fault_kind::operator_retryable:
        case fault_kind::operator_requeue:
            if (auto k = pick_proc(pick, [&](const process& p) {
                    // Also a row with completed_at (issue #18's crash_after_completed_at): the
                    // engine repairs the waiting row to completed (finding 3, B26).
                    return spawned(p) && row(p.job).status == job_status::running;
                })) {
                victim = procs_[*k].pid;
                const std::uint32_t j = procs_[*k].job;
                job = j;
                // A manual UPDATE of a row the operator was shown running, compare-and-set on
                // what it was shown.
                if (db_->edit_status(j, job_status::running, row(j).version,
                                     kind == fault_kind::operator_retryable ? job_status::retryable
                                                                            : job_status::queued,
                                     now())) {
                    wrote(j, job_status::running);
                    // A human's explicit request for another run: a fresh budget.
                    if (kind == fault_kind::operator_requeue) requeued_by_hand(j);
                }
            }
            break;
        case fault_kind::deploy:
            deploy_until_ = std::max(deploy_until_, tick_ + 5 + static_cast<int>(arg % 26));
            worker_restart();
            break;
        case fault_kind::disk_spike:
            disk_percent_ = std::min(100.0, disk_percent_ + 20.0 + static_cast<int>(arg % 30));
            break;
        case fault_kind::sentinel_off:
            sentinel_off_until_ =
                std::max(sentinel_off_until_, tick_ + 5 + static_cast<int>(arg % 56));
            break;
        case fault_kind::window_edit:
        case fault_kind::window_retry:
        case fault_kind::window_progress: window_cmds_.push_back({tick_, kind, pick, arg}); break;
        case fault_kind::second_watchdog:
            second_watchdog_ticks_ = std::max(second_watchdog_ticks_, 1 + std::int64_t{arg % 50});
            break;
        case fault_kind::lock_probe_fails:
            if (auto k = pick_proc(pick, [&](const process& p) {
                    return spawned(p) && truth_[p.job].lock_pid != 0;
                })) {
                victim = procs_[*k].pid;
                job = procs_[*k].job;
                truth_[procs_[*k].job].lock_unprobeable_until = tick_ + 5 + arg % 56;
            }
            break;
        case fault_kind::process_list_unreadable:
            // Also while a live crawl has lost its lock: with no lock and no process list only the
            // running set shows such a crawl, and the engine holds the orphan sweep and the start
            // of a row that ran before until the list is readable (issue #18 finding 1, B24).
            process_list_unreadable_until_ =
                std::max(process_list_unreadable_until_, tick_ + 5 + std::int64_t{arg % 56});
            break;
        case fault_kind::foreign_process:
            if (auto k = pick_proc(pick, spawned)) {
                victim = procs_[*k].pid;
                job = procs_[*k].job;
                truth& t = truth_[procs_[*k].job];
                t.foreign_owner = victim;
                t.foreign_until = tick_ + 5 + arg % 56;
                t.foreign_pid = next_pid_++;
            }
            break;
        case fault_kind::lock_lost:
            // Also on a row with finished_at: its live processes are its attempt (issue #18
            // finding 2, B25).
            if (auto k = pick_proc(pick, [&](const process& p) {
                    return spawned(p) && truth_[p.job].lock_pid == p.pid;
                })) {
                victim = procs_[*k].pid;
                job = procs_[*k].job;
                truth_[procs_[*k].job].lock_pid = 0;
                ++sum_.locks_lost;
            }
            break;
        case fault_kind::process_unmatched:
            // A progressing crawl (not stalled, not completing) with a progress report: the miss
            // ends one tick before that report is stall_after old, so while the host misses the
            // crawl its progress is a sign of life (guards.progress_is_alive). A host whose scan
            // misses a crawl for longer cannot tell its stall from an orphan: no engine can.
            if (auto k = pick_proc(pick, [&](const process& p) {
                    return p.state == proc_state::running && row(p.job).progress_known &&
                           row(p.job).last_progress_at.has_value();
                })) {
                victim = procs_[*k].pid;
                const std::uint32_t j = procs_[*k].job;
                job = j;
                const std::int64_t age_s = (now() - *row(j).last_progress_at).count();
                const std::int64_t left_ticks =
                    (cfg_.stall_after.count() - age_s - 1) / o_.tick_seconds;
                const std::int64_t ticks = std::min(std::int64_t{5} + arg % 56, left_ticks);
                if (ticks > 0) {
                    truth& t = truth_[j];
                    t.unmatched_pid = victim;
                    t.unmatched_until = tick_ + ticks;
                }
            }
            break;
        case fault_kind::crash_after_completed_at: armed_completed_at_crash_ = true; break;
        case fault_kind::operator_retryable_finished:
            // Also a crawl that lost its lock (finding 2, B25) and a row with completed_at
            // (finding 3, B26): the operator marks the row the attempt runs under.
            if (auto k = pick_proc(pick, [&](const process& p) {
                    return spawned(p) && row(p.job).status == job_status::running &&
                           (truth_[p.job].lock_pid == p.pid || lock_lost(p.job));
                })) {
                victim = procs_[*k].pid;
                const std::uint32_t j = procs_[*k].job;
                job = j;
                if (db_->edit_status(j, job_status::running, row(j).version, job_status::retryable,
                                     now())) {
                    wrote(j, job_status::running);
                    db_->stamp_finished_at(j, now());
                    wrote(j, job_status::retryable);
                    ++sum_.retryable_with_finished_at;
                }
            }
            break;
        case fault_kind::stale_pipeline:
            if (auto k = pick_proc(pick, [&](const process& p) {
                    return p.state == proc_state::running &&
                           row(p.job).status == job_status::running;
                })) {
                victim = procs_[*k].pid;
                const std::uint32_t j = procs_[*k].job;
                job = j;
                // The pipeline's stage marker, then the crawl dies; its runner puts the row back
                // in the queue (recap's pending) on the version it read.
                db_->write_pipeline_stage(j, "crawl", now());
                wrote(j, job_status::running);
                end_process(*k, true);
                schedule_removal(j, victim);
                if (db_->edit_status(j, job_status::running, row(j).version, job_status::queued,
                                     now())) {
                    wrote(j, job_status::running);
                    ++sum_.stale_pipeline_rows;
                } else {
                    ++sum_.worker_conflicts;
                }
            }
            break;
        }
        ev(event_kind::fault, job, static_cast<std::int64_t>(kind), victim,
           tracing() ? fmt::format("{} pick={} arg={}", to_string(kind), pick, arg)
                     : std::string{});
    }

    void fire_faults() {
        if (tick_ >= o_.ticks) return;
        if (o_.use_schedule) {
            while (next_cmd_ < o_.schedule.size() && o_.schedule[next_cmd_].tick <= tick_) {
                const fault_cmd& c = o_.schedule[next_cmd_++];
                if (c.tick == tick_) fire(c.kind, c.pick, c.arg);
            }
            return;
        }
        for (int k = 0; k < fault_kind_count; ++k) {
            const auto kind = static_cast<fault_kind>(k);
            rng& r = k < classic_fault_kind_count   ? faults_rng_
                     : k < issue18_fault_kind_count ? production_faults_rng_
                                                    : unmatched_faults_rng_;
            if (r.chance(o_.rates[kind])) {
                const auto pick = static_cast<std::uint32_t>(r.next());
                const auto arg = static_cast<std::uint32_t>(r.next());
                fire(kind, pick, arg);
            }
        }
    }

    // Faults stop; the host heals: deploy over, sentinel back, disk archived.
    void heal() {
        deploy_until_ = tick_;
        sentinel_off_until_ = tick_;
        disk_percent_ = disk_base_percent;
        armed_crash_between_ = false;
        armed_completed_at_crash_ = false;
        armed_delay_ = 0;
        process_list_unreadable_until_ = tick_;
        for (auto& t : truth_) {
            t.lock_unprobeable_until = -1;
            t.foreign_until = -1;
            t.unmatched_until = -1;
        }
        window_cmds_.clear();
        second_watchdog_ticks_ = 0;
        ev(event_kind::phase, -1, 1, 0, "liveness phase: faults off");
    }

    // ---- the worker and the crawls ----------------------------------------------------------

    void run_runtime() {
        process_removals();
        for (std::size_t k = 0; k < procs_.size();) {
            process& p = procs_[k];
            if (p.state == proc_state::spawning) {
                if (p.spawn_at <= tick_) spawn(p);
                ++k;
                continue;
            }
            if (p.state == proc_state::stalled) {
                ++k;
                continue;
            }
            if (p.state == proc_state::completing) {
                if (p.commit_at > tick_) {
                    ++k;
                    continue;
                }
                const process done = p;
                commit(done.job, done.work_done);
                end_process(k, true); // DB first, then the lock, then the running set
                schedule_removal(done.job, done.pid);
                continue;
            }
            if (progress(k)) ++k; // false: the process ended and was erased
        }
        process_completions();
        disk_percent_ = std::max(disk_base_percent, disk_percent_ - 0.05);
        worker_pick();
    }

    // One tick of work for a live crawl; false when it ended.
    bool progress(std::size_t k) {
        process& p = procs_[k];
        truth& t = truth_[p.job];
        ++p.work_done;
        disk_percent_ = std::min(100.0, disk_percent_ + 0.004);
        if (t.config_error) { // the arguments are refused before any page is fetched
            if (p.work_done >= 2) return fail(k, attempt_failure::config_error);
            return true;
        }
        if (t.infra_broken) { // the runtime refuses the job before any page is fetched
            if (p.work_done >= 1) return fail(k, attempt_failure::infra_error);
            return true;
        }
        if (t.r.chance(o_.timeout_per_tick) && ++p.timeouts > p.timeout_threshold)
            return fail(k, attempt_failure::timeouts);
        if (tick_ >= p.next_heartbeat) {
            db_->heartbeat(p.job, now()); // a blind write of the progress column
            wrote(p.job, row(p.job).status);
            if (t.log.attempt == p.attempt && p.attempt != 0) { // and a line in its crawl log
                t.log.pages = p.work_done;
                t.log.modified_at = now();
            }
            p.next_heartbeat = tick_ + t.r.between(1, 2 * o_.progress_report_ticks - 1);
        }
        if (p.work_done >= t.work_total) return finish(k);
        return true;
    }

    enum class attempt_failure : std::uint8_t { timeouts, config_error, infra_error };

    // The runner reports a failed attempt: the error columns (a plain write: the error is true
    // whatever the status), then running -> retryable with compare-and-set, where the next
    // start counts the retry. The legacy runner of B14 puts an infra-error attempt straight
    // back in the queue for the worker instead: no start from retryable, so nothing counts it.
    bool fail(std::size_t k, attempt_failure why) {
        const process p = procs_[k];
        const bool config_error = why == attempt_failure::config_error;
        const bool infra_error = why == attempt_failure::infra_error;
        if (config_error) ++truth_[p.job].config_failures;
        // An attempt that was already running when an operator re-queued the job counts against
        // the budget the re-queue replaced, not the fresh one.
        if (infra_error && p.attempt > truth_[p.job].requeued_at_attempt)
            ++truth_[p.job].infra_failures;
        // The legacy runner calls everything transient, except the runtime's own refusals.
        db_->record_error(
            p.job, infra_error ? failure_class::infra_error : failure_class::transient,
            config_error  ? std::string{config_error_text}
            : infra_error ? std::string{infra_error_text}
                          : fmt::format("error threshold exceeded: {} timeouts", p.timeouts));
        wrote(p.job, row(p.job).status);
        const job_status next =
            infra_error && o_.legacy.has(14) ? job_status::queued : job_status::retryable;
        if (db_->edit_status(p.job, job_status::running, row(p.job).version, next, now())) {
            wrote(p.job, job_status::running);
        } else {
            ++sum_.worker_conflicts;
        }
        ev(event_kind::attempt_failed, p.job, static_cast<std::int64_t>(why));
        end_process(k, true);
        schedule_removal(p.job, p.pid);
        return false;
    }

    // The crawl finished its work: the crawler writes its stage, then the worker commits the
    // completion. Two writes, and a crash can split them (B7).
    bool finish(std::size_t k) {
        const process p = procs_[k];
        const bool blind_stage_write = o_.legacy.has(7);
        const job_status status = row(p.job).status;
        const bool stage_ok = db_->write_stage(
            p.job, cfg_.final_stage, now(),
            blind_stage_write ? std::nullopt : std::optional<std::int64_t>{row(p.job).version});
        if (stage_ok) {
            wrote(p.job, status);
        } else {
            ++sum_.worker_conflicts;
        }
        ev(event_kind::stage_written, p.job, stage_ok ? 1 : 0);
        if (!stage_ok) {
            end_process(k, true);
            schedule_removal(p.job, p.pid);
            return false;
        }
        if (armed_completed_at_crash_) {
            // Completion's other write order (issue #16 item 3): the completion time lands first,
            // and the crawl dies before the status write.
            armed_completed_at_crash_ = false;
            ++sum_.completed_at_first_crashes;
            db_->write_completed_at(p.job, now());
            wrote(p.job, status);
            ev(event_kind::fault, p.job,
               static_cast<std::int64_t>(fault_kind::crash_after_completed_at), p.pid,
               "crashed between the completed_at write and the status write");
            end_process(k, true);
            schedule_removal(p.job, p.pid);
            return false;
        }
        if (armed_crash_between_) {
            armed_crash_between_ = false;
            ++sum_.crash_points_hit;
            ev(event_kind::fault, p.job,
               static_cast<std::int64_t>(fault_kind::crash_between_writes), p.pid,
               "crashed between the stage write and the status write");
            end_process(k, true);
            schedule_removal(p.job, p.pid);
            return false;
        }
        const std::int64_t delay = armed_delay_;
        armed_delay_ = 0;
        if (delay > 0) ++sum_.delayed_commits;
        if (delay > 0)
            ev(event_kind::fault, p.job, static_cast<std::int64_t>(fault_kind::delayed_completion),
               delay, tracing() ? fmt::format("completion commits in {} ticks", delay) : "");
        if (!o_.legacy.has(8)) {
            if (delay == 0) {
                commit(p.job, p.work_done);
                end_process(k, true);
                schedule_removal(p.job, p.pid);
                return false;
            }
            procs_[k].state = proc_state::completing;
            procs_[k].commit_at = tick_ + delay;
            return true;
        }
        // B8: the runner exits and the runtime forgets the job before the DB hears of it.
        end_process(k, true);
        if (truth_[p.job].running_set_pid == p.pid) truth_[p.job].running_set_pid = 0;
        ++truth_[p.job].pending;
        completions_.push_back({p.job, tick_ + delay, p.work_done});
        if (delay == 0) process_completions();
        return false;
    }

    void process_completions() {
        for (std::size_t c = 0; c < completions_.size();) {
            if (completions_[c].due > tick_) {
                ++c;
                continue;
            }
            const pending_completion pc = completions_[c];
            completions_.erase(completions_.begin() + static_cast<std::ptrdiff_t>(c));
            --truth_[pc.job].pending;
            commit(pc.job, pc.pages);
        }
    }

    // The worker's completion: warden::complete's one compare-and-set, running -> completed, on
    // the version it read; the store's answer (0 rows: not_running) is what the worker acts on.
    void commit(std::uint32_t j, std::int64_t /*pages*/) {
        const job_status before = row(j).status;
        const completion_outcome outcome_seen = db_->complete(j, row(j).version, now());
        bool acknowledged = false;
        std::int64_t outcome = 0;
        switch (outcome_seen) {
        case completion_outcome::complete:
            wrote(j, before);
            acknowledged = true;
            outcome = 1;
            break;
        case completion_outcome::already_completed:
            acknowledged = true;
            outcome = 3;
            break;
        case completion_outcome::not_running:
            ++sum_.worker_conflicts;
            if (o_.legacy.has(7)) { // B7: the UPDATE hit 0 rows and the worker called it done
                acknowledged = true;
                outcome = 2;
            }
            break;
        }
        ev(event_kind::completion, j, outcome, 0,
           outcome == 1   ? "running -> completed"
           : outcome == 2 ? "0 rows updated, acknowledged anyway"
           : outcome == 3 ? "already completed"
                          : "conflict: row is not running, nothing written");
        if (acknowledged && row(j).status != job_status::completed)
            violate(
                invariant::ack_not_durable, j,
                fmt::format("worker acknowledged completion, row is {}", to_string(row(j).status)));
    }

    void process_removals() {
        for (std::size_t r = 0; r < removals_.size();) {
            if (removals_[r].due > tick_) {
                ++r;
                continue;
            }
            truth& t = truth_[removals_[r].job];
            if (t.running_set_pid == removals_[r].pid) t.running_set_pid = 0;
            removals_.erase(removals_.begin() + static_cast<std::ptrdiff_t>(r));
        }
    }

    // The worker runs one job at a time itself: the oldest queued row whose lock is free. It
    // picks queued rows only, never retryable ones (that is queue fill's job, B2).
    void worker_pick() {
        if (deploy_held() || !o_.worker_picks_queued) return;
        for (const auto& p : procs_)
            if (p.in_worker) return;
        for (std::uint32_t j = 0; j < job_count(); ++j) {
            const truth& t = truth_[j];
            if (row(j).status != job_status::queued || (t.lock_pid != 0 && pid_alive(t.lock_pid)))
                continue;
            // A queued row with completed_at is a finished crawl an operator put back (issue #18
            // finding 3): the engine repairs it to completed, and a host's worker claims only rows
            // without completed_at (docs/host.md). Claimed, its new attempt would run under a
            // completed_at that stall recovery and the sweep skip, so a stale lock of it would
            // never be stopped (config swarm seed 5062, drift).
            if (row(j).completed_at) continue;
            // A crawl whose lock file vanished (lock_lost) still runs: the worker sees its process
            // on the job's dir and leaves the row alone (a second attempt is not the engine's).
            if (lock_lost(j)) continue;
            if (!db_->worker_start(j, row(j).version, now())) {
                ++sum_.worker_conflicts;
                return;
            }
            wrote(j, job_status::queued);
            ++sum_.starts;
            ++sum_.worker_picks;
            launch(j, true);
            ev(event_kind::worker_pick, j, procs_.back().pid);
            return;
        }
    }

    // ---- the watchdog ------------------------------------------------------------------------

    // The watchdog's read into `into`, and the version of every row it saw (by row index): what
    // the plan decided on it may assume of the row (stale_write).
    void take_snapshot(snapshot& into, std::vector<std::int64_t>& seen) {
        const std::vector<job>& rows = db_->read(now(), into.starts, into.recoveries);
        seen.resize(rows.size());
        for (std::size_t j = 0; j < rows.size(); ++j)
            seen[j] = rows[j].version;
        order_.resize(rows.size());
        for (std::uint32_t j = 0; j < order_.size(); ++j)
            order_[j] = j;
        // Rows in "physical" order: the most recently written last, as a heap table returns them.
        std::sort(order_.begin(), order_.end(), [&](std::uint32_t a, std::uint32_t b) {
            return truth_[a].last_write_seq < truth_[b].last_write_seq;
        });
        into.now = now();
        into.jobs.resize(rows.size());
        for (std::size_t i = 0; i < order_.size(); ++i)
            into.jobs[i] = rows[order_[i]];
        if (o_.progress_logs) read_progress_logs(into);
        into.locks.clear();
        into.unprobeable_locks.clear();
        into.running_set.clear();
        for (std::uint32_t j = 0; j < rows.size(); ++j) {
            // A held lock whose probe fails (EACCES, the 2026-02-06 incident) is listed as
            // unprobeable, which the engine takes as held, as production does since its fix.
            if (truth_[j].lock_pid != 0 && tick_ < truth_[j].lock_unprobeable_until)
                into.unprobeable_locks.push_back(unprobeable_lock{rows[j].id, 13});
            else if (truth_[j].lock_pid != 0)
                into.locks.push_back(rows[j].id);
            if (truth_[j].running_set_pid != 0) into.running_set.push_back(rows[j].id);
        }
        if (!into.unprobeable_locks.empty()) ++sum_.unprobeable_lock_reads;
        into.processes.clear();
        into.host = host_facts{sentinel_present(), deploy_held(), disk_percent_};
        if (process_list_unreadable()) { // ps failed: no process list, not an empty one
            into.host.process_list_readable = false;
            ++sum_.unreadable_process_lists;
            return;
        }
        bool unit = false;
        bool tree = false;
        bool foreign = false;
        bool unmatched = false;
        for (const auto& p : procs_)
            if (p.state != proc_state::spawning) {
                const truth& t = truth_[p.job];
                if (unmatched_now(p)) { // the scan read it but matched it to no job: left out
                    unmatched = true;
                    // B20's state: only the crawl's progress shows it alive.
                    if (row(p.job).status == job_status::running && t.lock_pid == 0 &&
                        t.running_set_pid == 0)
                        ++sum_.progress_only_alive_reads;
                } else {
                    // Named fields: process_fact grows, and its new members keep their defaults.
                    process_fact f;
                    f.pid = p.pid;
                    f.output_dir = row(p.job).output_dir;
                    f.cmdline = "archive-tool --output-dir " + f.output_dir;
                    // Every attempt is one process the worker launched: its parent (the worker,
                    // not on the dir) is known, as a host reading `ps -o pid,ppid` knows it. With
                    // systemd_units, a watchdog start is a unit's: its parent is systemd (pid 1).
                    f.ppid = worker_pid;
                    if (o_.systemd_units && !p.in_worker) {
                        f.origin = process_origin::systemd_unit;
                        f.unit = fmt::format("warden-crawl-{}.service", to_int(row(p.job).id));
                        f.ppid = 1;
                        unit = true;
                    }
                    if (o_.container_children) { // the runner's `docker run ... zimit` child
                        process_fact child = f;
                        child.pid = p.pid + container_child_pid_offset;
                        child.ppid = p.pid;
                        child.cmdline = "docker run zimit --output " + f.output_dir;
                        into.processes.push_back(std::move(f));
                        into.processes.push_back(std::move(child));
                        tree = true;
                    } else {
                        into.processes.push_back(std::move(f));
                    }
                }
                if (t.foreign_owner == p.pid && tick_ < t.foreign_until) {
                    process_fact other;
                    other.pid = t.foreign_pid;
                    other.output_dir = row(p.job).output_dir;
                    other.cmdline = "rsync -a " + other.output_dir + " /backup/";
                    other.origin = process_origin::other;
                    other.ppid = 1;
                    into.processes.push_back(std::move(other));
                    foreign = true;
                }
            }
        sum_.unit_process_reads += unit ? 1 : 0;
        sum_.process_tree_reads += tree ? 1 : 0;
        sum_.foreign_process_reads += foreign ? 1 : 0;
        sum_.unmatched_process_reads += unmatched ? 1 : 0;
    }

    // Fault process_unmatched: the host's scan misses live process p (its child too). Only
    // while its row is running, unless world_options::unmatched_waiting_rows: a waiting row whose
    // crawl the host misses is started again (open finding, docs/simulator.md).
    [[nodiscard]] bool unmatched_now(const process& p) const noexcept {
        return unmatched_now(p.job) && truth_[p.job].unmatched_pid == p.pid;
    }
    [[nodiscard]] bool unmatched_now(std::uint32_t j) const noexcept {
        const truth& t = truth_[j];
        return t.unmatched_pid != 0 && tick_ < t.unmatched_until && pid_alive(t.unmatched_pid) &&
               (o_.unmatched_waiting_rows || row(j).status == job_status::running);
    }

    // The child of an attempt's runner (container_children) has the runner's pid plus this.
    static constexpr std::int64_t container_child_pid_offset = 2'000'000; // below pid_max (4194304)

    [[nodiscard]] bool process_list_unreadable() const noexcept {
        return tick_ < process_list_unreadable_until_;
    }

    // What runs job j cannot be named by the host now (issue #18, item 3): no process list, or a
    // process warden does not own on its output dir. The engine then stops nothing of it (an
    // operator's case), so the checker's stop clocks pause.
    [[nodiscard]] bool runner_unknowable(std::uint32_t j) const noexcept override {
        if (process_list_unreadable()) return true;
        const truth& t = truth_[j];
        if (unmatched_now(j)) return true;
        return t.foreign_owner != 0 && tick_ < t.foreign_until && pid_alive(t.foreign_owner);
    }

    // The host's progress evidence (progress_logs): each job's readable crawl logs go through
    // the host's progress_tracker, which replaces the heartbeat column in the snapshot. A
    // finished job is forgotten, so the tracker holds the unfinished jobs only.
    void read_progress_logs(snapshot& snap) {
        for (std::size_t i = 0; i < order_.size(); ++i) {
            job& j = snap.jobs[i];
            const crawl_log& log = truth_[order_[i]].log;
            if (is_terminal(j.status)) {
                tracker_.forget(j.id);
                progress_observation{}.apply_to(j);
                continue;
            }
            readings_.clear();
            if (log.attempt != 0)
                readings_.push_back(progress_reading{log.path, log.modified_at, log.pages});
            (void)tracker_.observe(j, now(), readings_);
        }
    }

    using action_key = std::tuple<std::int64_t, std::size_t, int, int>;
    [[nodiscard]] static std::vector<action_key> keys(const plan& p) {
        std::vector<action_key> out;
        out.reserve(p.actions.size());
        for (const action& a : p.actions) {
            int status = -1;
            if (const auto* s = std::get_if<set_status>(&a)) status = static_cast<int>(s->status);
            out.emplace_back(to_int(action_job(a)), a.index(), static_cast<int>(action_rule(a)),
                             status);
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    // B5 and purity: the same rows listed in another order must give the same plan.
    void check_order_independence(const plan& p) {
        bool starts = false;
        for (const action& a : p.actions)
            starts = starts || std::holds_alternative<start_job>(a);
        if (!starts) return;
        snapshot shuffled = snap_;
        for (std::size_t i = shuffled.jobs.size(); i > 1; --i)
            std::swap(shuffled.jobs[i - 1], shuffled.jobs[shuffle_rng_.below(i)]);
        if (keys(decide_(shuffled, cfg_)) != keys(p))
            violate(invariant::order_dependent, -1,
                    "the same rows in another order give another plan");
    }

    void count_blocked(const plan& p) {
        circuit_refused_.assign(job_count(), false);
        for (const auto& b : p.blocked) {
            ++sum_.blocked;
            if (b.rail == "progress_circuit") { // issue #17: the job waits for an operator
                const auto at = to_int(action_job(b.proposed)) - 1;
                if (at >= 0 && at < static_cast<std::int64_t>(job_count()))
                    circuit_refused_[static_cast<std::size_t>(at)] = true;
            }
            auto it = std::find_if(sum_.blocked_by_rail.begin(), sum_.blocked_by_rail.end(),
                                   [&](const auto& e) { return e.first == b.rail; });
            if (it == sum_.blocked_by_rail.end())
                sum_.blocked_by_rail.emplace_back(b.rail, 1);
            else
                ++it->second;
            ev(event_kind::watchdog_blocked, to_int(action_job(b.proposed)) - 1,
               static_cast<std::int64_t>(b.proposed.index()),
               static_cast<std::int64_t>(action_rule(b.proposed)),
               !tracing()
                   ? std::string{}
                   : fmt::format("{} {} blocked by {}: {}", to_string(action_rule(b.proposed)),
                                 kind_name(b.proposed), b.rail, b.reason));
        }
    }

    // The watchdog decides on the snapshot it read at the start of the tick; the runtime's writes
    // and the armed host writes land in the window; then the plan is applied with compare-and-set.
    // A second watchdog (fault second_watchdog) reads, decides and writes in one atomic step after
    // the first, as `warden apply` reading inside its write transaction does; with B18 back it
    // reads before the first one writes (after the window's host writes), as an applier that reads
    // its snapshot before BEGIN IMMEDIATE does.
    // Issue #17: a same-source sweep writes the status of a job nothing runs, and nothing else:
    // no stop, no restart, no start, no options write from the sweep's job in the same plan.
    void check_sweep(const plan& p) {
        for (const action& a : p.actions) {
            const auto* w = std::get_if<set_status>(&a);
            if (!w || w->reason != detail::same_source_sweep_reason) continue;
            for (const action& other : p.actions)
                if (action_job(other) == w->job && &other != &a &&
                    (std::holds_alternative<stop_job>(other) ||
                     action_rule(other) == rule_id::stall_recovery))
                    violate(invariant::sweep_runner_action, to_int(w->job) - 1,
                            fmt::format("the same-source sweep's job also gets {} {}",
                                        to_string(action_rule(other)), kind_name(other)));
        }
    }

    void watchdog() {
        const plan p = decide_(snap_, cfg_);
        check_sweep(p);
        sum_.degraded_observations += static_cast<std::int64_t>(p.observations.size());
        if (o_.check_order_independence) check_order_independence(p);
        count_blocked(p);
        fire_window(p);
        const bool second = second_watchdog_ticks_ > 0;
        if (second) --second_watchdog_ticks_;
        std::optional<plan> early;
        if (second && o_.legacy.has(18)) {
            take_snapshot(snap2_, seen2_);
            early = decide_(snap2_, cfg_);
        }
        std::optional<snapshot> reference;
        const bool verify = o_.verify_reference_apply && !o_.legacy.has(16);
        if (verify) {
            reference.emplace();
            reference->now = now();
            reference->jobs = db_->rows();
            reference->starts = db_->starts();
            reference->recoveries = db_->recoveries();
        }
        const std::int64_t conflicts_before = sum_.watchdog_conflicts;
        const std::int64_t not_reached_before = sum_.not_reached;
        first_watchdog_starts_ = 0;
        apply_plan(p, seen_, 1);
        if (verify)
            verify_reference(*reference, p, sum_.watchdog_conflicts - conflicts_before,
                             sum_.not_reached - not_reached_before);
        if (!second || !sum_.violations.empty()) return;
        if (!early) {
            take_snapshot(snap2_, seen2_);
            early = decide_(snap2_, cfg_);
        }
        count_blocked(*early);
        ++sum_.second_watchdogs;
        apply_plan(*early, seen2_, 2);
    }

    // The host writes armed for a window. Each waits, armed, for a plan it can race with (as
    // crash_between_writes waits for a finishing crawl): an edit for a plan that writes a row
    // (it aims at a row the plan writes twice, else once), progress for a plan that stops a
    // stalled crawl (it resumes that crawl), a retry of a failed row for a plan that starts a
    // job. Then it lands, in the order the armed writes fired.
    void fire_window(const plan& p) {
        if (window_cmds_.empty()) return;
        planned_.clear();
        stopped_.clear();
        chained_.clear();
        bool starts = false;
        for (const action& a : p.actions) {
            const std::int64_t j = to_int(action_job(a)) - 1;
            if (j < 0 || j >= static_cast<std::int64_t>(job_count())) continue;
            starts = starts || std::holds_alternative<start_job>(a);
            auto& into = std::holds_alternative<stop_job>(a) ? stopped_ : planned_;
            if (std::find(into.begin(), into.end(), j) == into.end())
                into.push_back(static_cast<std::uint32_t>(j));
            else if (&into == &planned_)
                chained_.push_back(static_cast<std::uint32_t>(j));
        }
        bool stalled_stop = false;
        for (const auto& proc : procs_)
            stalled_stop = stalled_stop || (proc.state == proc_state::stalled &&
                                            std::find(stopped_.begin(), stopped_.end(), proc.job) !=
                                                stopped_.end());
        bool failed_row = false;
        for (std::uint32_t j = 0; j < job_count() && !failed_row; ++j)
            failed_row = row(j).status == job_status::failed;
        std::size_t kept = 0;
        for (const fault_cmd& c : window_cmds_) {
            const bool ready = c.kind == fault_kind::window_edit       ? !planned_.empty()
                               : c.kind == fault_kind::window_progress ? stalled_stop
                                                                       : starts && failed_row;
            if (ready)
                host_write_in_window(c.kind, c.pick, c.arg);
            else
                window_cmds_[kept++] = c;
        }
        window_cmds_.resize(kept);
    }

    // The row a window write aims at: the pick among `preferred`, else among all rows that pass
    // `eligible`; -1: none.
    template <class Pred>
    [[nodiscard]] std::int64_t aim(std::uint32_t pick, const std::vector<std::uint32_t>& preferred,
                                   Pred eligible) const {
        std::uint32_t n = 0;
        for (const std::uint32_t j : preferred)
            n += eligible(j) ? 1 : 0;
        if (n > 0) {
            std::uint32_t want = pick % n;
            for (const std::uint32_t j : preferred)
                if (eligible(j) && want-- == 0) return j;
        }
        n = 0;
        for (std::uint32_t j = 0; j < job_count(); ++j)
            n += eligible(j) ? 1 : 0;
        if (n == 0) return -1;
        std::uint32_t want = pick % n;
        for (std::uint32_t j = 0; j < job_count(); ++j)
            if (eligible(j) && want-- == 0) return j;
        return -1;
    }

    void host_write_in_window(fault_kind kind, std::uint32_t pick, std::uint32_t arg) {
        std::int64_t target_job = -1;
        bool landed = false;
        if (kind == fault_kind::window_progress) {
            // A stalled crawl resumes: its progress lands (the heartbeat column, and its log).
            const auto stalled_of = [&](std::uint32_t j) {
                for (const auto& p : procs_)
                    if (p.job == j && p.state == proc_state::stalled) return true;
                return false;
            };
            const std::int64_t aimed = aim(pick, stopped_, stalled_of);
            if (auto k = aimed < 0 ? std::nullopt : pick_proc(0, [&](const process& p) {
                    return p.job == aimed && p.state == proc_state::stalled;
                })) {
                process& p = procs_[*k];
                p.state = proc_state::running;
                p.stalled_at = -1;
                ++p.work_done; // a page crawled: progress a counter-watching tracker sees
                target_job = p.job;
                truth& t = truth_[p.job];
                db_->heartbeat(p.job, now());
                wrote(p.job, row(p.job).status);
                if (t.log.attempt == p.attempt && p.attempt != 0) {
                    t.log.pages = p.work_done;
                    t.log.modified_at = now();
                }
                p.next_heartbeat = tick_ + t.r.between(1, 2 * o_.progress_report_ticks - 1);
                landed = true;
            }
        } else if (const std::int64_t aimed =
                       kind == fault_kind::window_retry
                           ? aim(pick, {},
                                 [&](std::uint32_t j) {
                                     return row(j).status == job_status::failed;
                                 })
                           : aim(pick, chained_.empty() ? planned_ : chained_,
                                 [&](std::uint32_t j) {
                                     // Also a row with completed_at (a finished crawl whose status
                                     // write was lost): the engine repairs the waiting row to
                                     // completed (issue #18 finding 3, B26).
                                     return row(j).status == job_status::running ||
                                            is_waiting(row(j).status);
                                 });
                   aimed >= 0) {
            const auto j = static_cast<std::uint32_t>(aimed);
            target_job = j;
            const job& r = row(j);
            const job_status before = r.status;
            if (kind == fault_kind::window_retry) {
                // The operator retries a failed row: a human's request, a fresh budget.
                if (r.status == job_status::failed &&
                    db_->edit_status(j, job_status::failed, r.version, job_status::queued, now())) {
                    requeued_by_hand(j);
                    landed = true;
                }
            } else if (r.status == job_status::running) {
                // Marked retryable (arg even) or put back in the queue by hand.
                const job_status to = arg % 2 == 0 ? job_status::retryable : job_status::queued;
                if (db_->edit_status(j, job_status::running, r.version, to, now())) {
                    if (to == job_status::queued) requeued_by_hand(j);
                    landed = true;
                }
            } else if (is_waiting(r.status)) {
                // New tool options for a waiting row, at or above the annual minimums.
                tool_options o = cfg_.annual_minimums;
                o.error_threshold_timeout += static_cast<std::int32_t>(arg % 3);
                landed = db_->edit_options(j, r.status, r.version, o);
            }
            if (landed) {
                wrote(j, before);
                truth_[j].window_write_tick = tick_;
            }
        }
        if (landed) ++sum_.window_writes;
        ev(event_kind::host_write, target_job, static_cast<std::int64_t>(kind), landed ? 1 : 0,
           tracing() ? fmt::format("{} in the decide -> apply window{}", to_string(kind),
                                   landed ? "" : ": nothing to write")
                     : std::string{});
    }

    // An operator put job j back in the queue by hand: a fresh retry budget, from the attempt
    // after the one running now.
    void requeued_by_hand(std::uint32_t j) {
        truth_[j].infra_failures = 0;
        truth_[j].requeued_at_attempt = truth_[j].attempts;
    }

    // The world's database and warden::apply_to_snapshot agree on every row, every conflict and
    // the start and recovery history.
    void verify_reference(snapshot& ref, const plan& p, std::int64_t conflicts,
                          std::int64_t not_reached) {
        const apply_report r = apply_to_snapshot(ref, p);
        const std::vector<job>& rows = db_->rows();
        bool same = r.conflicts == conflicts && r.not_reached == not_reached &&
                    ref.starts.size() == db_->starts().size() &&
                    ref.recoveries.size() == db_->recoveries().size();
        for (std::size_t j = 0; same && j < rows.size(); ++j) {
            const job& a = rows[j];
            const job& b = ref.jobs[j];
            same = same_row(a, b) && a.retry_count == b.retry_count &&
                   a.finished_at == b.finished_at && a.completed_at == b.completed_at;
        }
        if (!same)
            violate(invariant::cas_overwrite, -1,
                    fmt::format("the world's apply differs from warden::apply_to_snapshot "
                                "({} conflicts here, {} there)",
                                conflicts, r.conflicts));
    }

    // The plan goes to the store in one transaction; the world checks each action around its
    // write: what must hold of the row before (the invariants of a start or a sweep), that a
    // write lands only on the row its plan saw (or the row its own earlier writes left), and that
    // a conflict left the row exactly as it was. `seen` holds the versions the plan was decided
    // on; `which` is 1 for the watchdog, 2 for a second one.
    void apply_plan(const plan& p, const std::vector<std::int64_t>& seen, int which) {
        std::optional<job> before;
        std::int32_t starts_before = 0;
        conflicted_.clear();
        expected_.assign(seen.begin(), seen.end());
        applying_ = which;
        db_->apply(
            p, now(),
            [&](std::size_t i) {
                const action& a = p.actions[i];
                const std::int64_t j = to_int(action_job(a)) - 1;
                if (!sentinel_present())
                    violate(invariant::write_without_sentinel, j,
                            fmt::format("{} {} applied without the sentinel",
                                        to_string(action_rule(a)), kind_name(a)));
                before.reset();
                if (j >= 0 && j < static_cast<std::int64_t>(job_count())) {
                    before = row(static_cast<std::uint32_t>(j));
                    starts_before = starts_last_day(static_cast<std::uint32_t>(j));
                }
            },
            [&](std::size_t i, apply_outcome outcome) {
                const action& a = p.actions[i];
                const std::int64_t j = to_int(action_job(a)) - 1;
                const bool ok = outcome == apply_outcome::applied;
                const bool is_stop = std::holds_alternative<stop_job>(a);
                // Legacy B17: the host carries out every stop the plan lists, whatever happened
                // to its job's status write.
                if (const auto* stop = std::get_if<stop_job>(&a);
                    stop && before && (ok || o_.legacy.has(17)))
                    apply_stop(*stop, static_cast<std::uint32_t>(j));
                if (!is_stop && before) {
                    const auto jj = static_cast<std::uint32_t>(j);
                    if (ok) {
                        if (before->version != expected_[jj])
                            violate(invariant::stale_write, j,
                                    fmt::format("{} {} landed on v{}, its plan saw v{}",
                                                to_string(action_rule(a)), kind_name(a),
                                                before->version, expected_[jj]));
                        expected_[jj] = row(jj).version;
                        std::visit([&](const auto& w) { written(w, jj, *before, starts_before); },
                                   a);
                    } else if (!same_row(*before, row(jj))) {
                        violate(invariant::cas_overwrite, j, "a conflicting write changed the row");
                    }
                }
                if (outcome == apply_outcome::conflict && before) {
                    conflicted_.push_back(static_cast<std::uint32_t>(j));
                    // A host write in this tick's window beat the watchdog's: the period is
                    // the host's, not the engine's, and the checker's clocks give it back.
                    if (truth_[static_cast<std::uint32_t>(j)].window_write_tick == tick_)
                        checker_.host_won_window(static_cast<std::uint32_t>(j));
                    // Issue #21: a deadline write lost to a write of the world in the window (a
                    // live crawl's heartbeat bumps the version): that period was the world's, so
                    // running_past_deadline's slack restarts. A conflict on a row that did not
                    // move (a wrong expected version, an engine bug) gets nothing back.
                    if (const auto* w = std::get_if<set_status>(&a);
                        w && w->rule == rule_id::deadline && before->version != w->expected_version)
                        truth_[static_cast<std::uint32_t>(j)].unstoppable_tick = tick_;
                }
                if (ok)
                    ++sum_.applied_by_rule[static_cast<std::size_t>(action_rule(a))];
                else if (outcome == apply_outcome::conflict)
                    ++sum_.watchdog_conflicts;
                else
                    ++sum_.not_reached;
                if (before)
                    ev(ok                                   ? event_kind::watchdog_applied
                       : outcome == apply_outcome::conflict ? event_kind::watchdog_conflict
                                                            : event_kind::watchdog_not_reached,
                       j, static_cast<std::int64_t>(a.index()),
                       static_cast<std::int64_t>(action_rule(a)),
                       tracing() ? fmt::format("{} {}{}", to_string(action_rule(a)), kind_name(a),
                                               describe(a))
                                 : std::string{});
            });
        applying_ = 0;
    }

    // The job fields a plan's writes change (flagged `compared` in core/fields.hpp).
    [[nodiscard]] static bool same_row(const job& a, const job& b) {
        return same_compared_fields(a, b);
    }

    [[nodiscard]] static std::string describe(const action& a) {
        if (const auto* s = std::get_if<set_status>(&a))
            return fmt::format(" {}/v{} -> {} ({})", to_string(s->expected_status),
                               s->expected_version, to_string(s->status), s->reason);
        if (const auto* s = std::get_if<start_job>(&a))
            return fmt::format(" {}/v{} -> running (timeout threshold {})",
                               to_string(s->expected_status), s->expected_version,
                               s->options.error_threshold_timeout);
        return {};
    }

    // After a watchdog write landed on row j, which held `before` (and `starts_before` starts in
    // the last day) when the write was issued.
    void written(const stop_job&, std::uint32_t, const job&, std::int32_t) {}

    void written(const set_status& a, std::uint32_t j, const job& before, std::int32_t) {
        if (a.rule == rule_id::consistency_repair && a.status == job_status::failed) {
            if (has_attempt(j))
                violate(invariant::repaired_live_job, j,
                        fmt::format("failed by consistency repair ({}) while its attempt is alive",
                                    a.reason));
            if (a.reason.starts_with("stale_pipeline")) ++sum_.stale_pipeline_repairs;
        }
        if (a.reason == detail::same_source_sweep_reason) ++sum_.same_source_sweeps;
        if (a.rule == rule_id::deadline) { // issue #21 item 4
            truth_[j].deadline_failed = true;
            ++sum_.deadline_failures;
        }
        if (a.rule == rule_id::orphan_sweep && has_attempt(j))
            violate(invariant::false_orphan, j,
                    truth_[j].pending > 0 ? "swept while its completion was committing"
                                          : "swept while its crawl was alive");
        if (a.rule == rule_id::stall_recovery) {
            bool healthy = truth_[j].pending > 0;
            for (const auto& p : procs_)
                healthy = healthy || (p.job == j && p.state != proc_state::stalled);
            if (healthy) violate(invariant::false_stall, j, "recovered while its crawl progressed");
            checker_.recovery_landed(*this, j, a.crawled_pages);
        }
        if (before.status == job_status::running && a.status == job_status::retryable &&
            before.last_stage == cfg_.final_stage)
            ++sum_.retryable_after_final_stage;
        wrote(j, before.status);
    }

    void written(const start_job& a, std::uint32_t j, const job& before,
                 std::int32_t starts_before) {
        if (deploy_held()) violate(invariant::start_under_deploy, j, "deploy lock held");
        if (disk_percent_ >= cfg_.disk_threshold_percent)
            violate(invariant::start_over_disk, j, fmt::format("disk {:.1f}%", disk_percent_));
        if (starts_before >= cfg_.daily_start_cap)
            violate(invariant::start_over_cap, j, fmt::format("{} starts in 24 h", starts_before));
        if (has_attempt(j))
            violate(invariant::double_start, j, "started while an earlier attempt is alive");
        // Two watchdogs: the second one's start lands on a database the first one already
        // filled to the target.
        if (applying_ == 1) ++first_watchdog_starts_;
        if (applying_ == 2 && first_watchdog_starts_ > 0) {
            std::int32_t running = 0;
            for (std::uint32_t k = 0; k < job_count(); ++k)
                running += k != j && row(k).status == job_status::running ? 1 : 0;
            if (running >= o_.target_running)
                violate(invariant::over_target, j,
                        fmt::format("a second watchdog started it with {} running (target {}), "
                                    "{} started by the first this tick",
                                    running, o_.target_running, first_watchdog_starts_));
        }
        // Automatic retries only: a queued row is a human's (or the campaign's) explicit
        // request, which may follow a fix of the arguments the world cannot see.
        if (a.expected_status == job_status::retryable && truth_[j].config_failures > 0)
            violate(
                invariant::config_error_restarted, j,
                fmt::format("restarted after {} config-error failures", truth_[j].config_failures));
        if (a.expected_status == job_status::queued && before.last_stage == cfg_.final_stage &&
            before.has_outputs)
            violate(invariant::finished_restarted, j,
                    "a queued row past its final stage, outputs present, crawled again");
        // Issue #16 item 3: completed_at is completion (the first of its two writes landed).
        if (before.completed_at)
            violate(invariant::finished_restarted, j,
                    fmt::format("a {} row with completed_at set, crawled again",
                                to_string(before.status)));
        check_schedule_at_start(j, before);
        wrote(j, before.status);
        ++sum_.starts;
        launch(j, false);
    }

    void written(const backfill_campaign&, std::uint32_t j, const job& before, std::int32_t) {
        wrote(j, before.status);
    }

    void written(const set_tool_options&, std::uint32_t j, const job& before, std::int32_t) {
        wrote(j, before.status);
    }

    // stop_job: end the job's processes (by pid or output_dir), units not yet spawned included,
    // release its lock, drop it from the running set.
    void apply_stop(const stop_job& a, std::uint32_t j) {
        // A crawl that is alive and progressing, stopped because its job's status write in the
        // same plan did not land (the write conflicted: the row moved, e.g. with its progress).
        if (std::find(conflicted_.begin(), conflicted_.end(), j) != conflicted_.end())
            for (const auto& p : procs_)
                if (p.job == j && p.state == proc_state::running) {
                    violate(invariant::stopped_live_crawl, j,
                            fmt::format("{} stop of pid {} after its status write conflicted",
                                        to_string(a.rule), p.pid));
                    break;
                }
        // A stop that restarts the runner of a job nothing runs (runner none, issue #16 item 10):
        // the host restarts the worker service as told, and with it every crawl the worker runs.
        if (a.runner == runner_class::none && a.restart) {
            std::int64_t killed = 0;
            for (const auto& p : procs_)
                killed += p.in_worker && p.job != j ? 1 : 0;
            violate(invariant::restart_without_runner, j,
                    fmt::format("{} restarts the worker for a job nothing runs ({} other crawl{} "
                                "of the worker killed)",
                                to_string(a.rule), killed, killed == 1 ? "" : "s"));
            worker_restart();
        }
        std::int64_t ended = 0;
        for (std::size_t k = procs_.size(); k-- > 0;) {
            const bool by_pid =
                std::find(a.pids.begin(), a.pids.end(), procs_[k].pid) != a.pids.end();
            if (by_pid || procs_[k].job == j) {
                end_process(k, true);
                ++ended;
            }
        }
        truth_[j].lock_pid = 0;
        truth_[j].running_set_pid = 0;
        ev(event_kind::stop, j, ended);
    }

    // Every campaign job finished and nothing left running or committing: the run may stop.
    // A job whose stall recovery the progress circuit refused (issue #17), and whose circuit the
    // checker judges open too, waits for an operator by design, its stalled crawl with it: the
    // campaign has converged without it. Only a refusal the engine made counts, so a rail set
    // without the circuit runs on and meets recovery_while_circuit_open. In the liveness phase a
    // row left to a human by design (retryable with queue fill off, its lock free) counts as
    // settled too: nothing in the world would move it again.
    [[nodiscard]] bool held_by_circuit(std::uint32_t j) const {
        return j < circuit_refused_.size() && circuit_refused_[j] &&
               checker_.held_by_progress_circuit(*this, j);
    }

    [[nodiscard]] bool all_finished() const {
        if (!completions_.empty()) return false;
        for (const auto& p : procs_)
            if (!held_by_circuit(p.job)) return false;
        for (std::uint32_t j = 0; j < job_count(); ++j)
            if (!state_checker::finished_ok(row(j)) && !ended_by_deadline(j) &&
                !held_by_circuit(j) &&
                !(tick_ >= o_.ticks && o_.target_running == 0 &&
                  row(j).status == job_status::retryable && truth_[j].lock_pid == 0))
                return false;
        return true;
    }

    void finish_summary() {
        sum_.ticks_run = tick_;
        sum_.job_ticks = tick_ * o_.jobs;
        for (std::uint32_t j = 0; j < job_count(); ++j) {
            if (row(j).status == job_status::completed)
                ++sum_.completed;
            else if (ended_by_deadline(j))
                ++sum_.failed_deadline;
            else if (state_checker::finished_ok(row(j)))
                ++(row(j).failure == failure_class::infra_error ? sum_.failed_infra
                                                                : sum_.failed_config);
            else if (held_by_design(j))
                ++sum_.held_by_design;
            else
                ++sum_.not_finished;
        }
        sum_.restarts = sum_.starts;
        for (const auto& t : truth_)
            sum_.restarts -= t.has_started ? 1 : 0;
        sum_.trace_hash = hash_.value();
    }

    // ---- issue #21: group limits, backoff and deadlines ------------------------------------

    // A failed row the engine failed by a class's design: the deadline rule failed it, or the
    // orphan sweep failed a job of no annual campaign (a monthly crawl: orphan_sweep retries
    // annual jobs only). Its campaign job has ended, as a config error's has.
    [[nodiscard]] bool ended_by_deadline(std::uint32_t j) const noexcept override {
        const job& r = row(j);
        if (r.status != job_status::failed) return false;
        return truth_[j].deadline_failed ||
               (o_.monthly_share > 0.0 && r.failure == failure_class::orphaned && !is_annual(r));
    }

    // At a watchdog start of row j (which held `before`): no group of config.concurrency_limits
    // goes above its limit, and a retryable row is not started before its backoff's not_before.
    void check_schedule_at_start(std::uint32_t j, const job& before) {
        for (const concurrency_limit& l : cfg_.concurrency_limits) {
            const std::string_view value = limit_value_of(cfg_, before, l.by);
            if (!limit_applies(l, value)) continue;
            std::int32_t running = 0;
            for (std::uint32_t k = 0; k < job_count(); ++k)
                running += k != j && row(k).status == job_status::running &&
                                   limit_value_of(cfg_, row(k), l.by) == value
                               ? 1
                               : 0;
            if (running >= l.max_running) {
                violate(invariant::over_group_limit, j,
                        fmt::format("started with {} other job{} of {} {} running (limit {})",
                                    running, running == 1 ? "" : "s", to_string(l.by), value,
                                    l.max_running));
                return;
            }
        }
        if (before.status != job_status::retryable) return;
        job_facts f;
        for (const recovery_record& r : db_->recoveries())
            if (r.job == before.id && (!f.last_recovery_at || r.at > *f.last_recovery_at))
                f.last_recovery_at = r.at;
        if (const auto nb = retry_not_before(cfg_, before, f); nb && now() < *nb)
            violate(invariant::started_before_not_before, j,
                    fmt::format("retry {} started {} s before its not_before",
                                before.retry_count + 1, (*nb - now()).count()));
    }

    // Every tick: no running row of a class with a deadline runs past it by more than three
    // watchdog periods (the engine acts on watchdog ticks, and a write may conflict once) counted
    // from the later of its deadline and the last tick the deadline rule could not act on it:
    // the watchdog could not act (deploy lock, sentinel absent); the row was not running (the
    // rule judges running rows only: a row an operator marked retryable while its crawl runs is
    // revived by reconcile, keeping its started_at, and failed on a later tick); or the job's
    // runner could not be stopped alone (no live process of the worker or a unit, which the host
    // can name; a stale lock with its crawl dead is stall recovery's, missed_stall's invariant).
    // The engine rightly declines such a job (an anomaly for an operator), so the slack restarts
    // when it becomes stoppable. Counting from the deadline alone fired on the first tick a job
    // became stoppable long after its deadline, before any watchdog tick could see it (a foreign
    // process on its dir gone at tick 128 of mixed seed 3; a revival at tick 190 of seed 20).
    void check_deadlines() {
        if (paused()) last_paused_tick_ = tick_;
        const std::int64_t slack = 3 * o_.watchdog_period_ticks;
        for (std::uint32_t j = 0; j < job_count(); ++j) {
            const job& r = row(j);
            truth& t = truth_[j];
            if (r.status != job_status::running || t.procs == 0 || runner_unknowable(j)) {
                t.unstoppable_tick = tick_;
                continue;
            }
            if (tick_ - std::max(last_paused_tick_, t.unstoppable_tick) <= slack) continue;
            const auto at = deadline_of(cfg_, r);
            if (at && now() > *at + duration{slack * o_.tick_seconds}) {
                violate(invariant::running_past_deadline, j,
                        fmt::format("running {} s past its deadline", (now() - *at).count()));
                return;
            }
        }
    }

    // ---- one tick ------------------------------------------------------------------------------

    // 1. faults fire; 2. the watchdog reads its snapshot; 3. the world runs (crawls progress,
    // finish, fail; completions commit; the worker picks); 4. the watchdog's plan is applied
    // with compare-and-set against rows that may have moved in 3; 5. invariants.
    void step() {
        fire_faults();
        const bool watchdog_tick = tick_ % o_.watchdog_period_ticks == 0;
        if (watchdog_tick) take_snapshot(snap_, seen_);
        run_runtime();
        if (watchdog_tick) watchdog();
        if (const auto& f = db_->failure()) violate(invariant::cas_overwrite, -1, *f);
        checker_.after_tick(*this);
        check_deadlines();
        ++tick_;
    }

    static constexpr double disk_base_percent = 40.0;

    world_options o_;
    config cfg_;
    decider decide_;
    rng faults_rng_;
    rng production_faults_rng_; // issue #18's fault kinds: the others' draws stay as they were
    rng unmatched_faults_rng_;  // process_unmatched (B20): likewise
    rng shuffle_rng_;
    std::vector<truth> truth_;
    std::vector<process> procs_;
    std::vector<pending_completion> completions_;
    std::vector<pending_removal> removals_;
    std::vector<std::uint32_t> order_;
    snapshot snap_;
    std::vector<std::int64_t> seen_; // the row versions snap_ holds, by row index
    // The window (issue #15): armed host writes, the second watchdog's read and its ticks left,
    // and, while a plan is applied, which watchdog applies it (0: none), the jobs whose write
    // conflicted, each row's version as the plan may expect it, the first watchdog's starts.
    std::vector<fault_cmd> window_cmds_;
    std::vector<std::uint32_t> planned_; // the rows the plan in the window writes
    std::vector<std::uint32_t> stopped_; // the jobs it stops
    std::vector<std::uint32_t> chained_; // the rows it writes more than once
    snapshot snap2_;
    std::vector<std::int64_t> seen2_;
    std::int64_t second_watchdog_ticks_ = 0;
    int applying_ = 0;
    std::vector<std::uint32_t> conflicted_;
    std::vector<std::int64_t> expected_;
    std::int32_t first_watchdog_starts_ = 0;
    std::int64_t tick_ = 0;
    std::int64_t write_seq_ = 0;
    std::int64_t next_pid_ = 1000;
    std::int64_t deploy_until_ = 0;
    std::int64_t sentinel_off_until_ = 0;
    double disk_percent_ = disk_base_percent;
    bool armed_crash_between_ = false;
    bool armed_completed_at_crash_ = false;
    std::int64_t process_list_unreadable_until_ = -1;
    std::int64_t last_paused_tick_ = -1; // issue #21: the last tick the watchdog could not act
    std::int64_t armed_delay_ = 0;
    std::size_t next_cmd_ = 0;
    trace_hash hash_;
    std::vector<event> events_;
    summary sum_;
    std::unique_ptr<database> db_;
    state_checker checker_; // the invariants over time; sees the world through world_view
    // The host's state, not the store's: the same on every store (progress_logs). Legacy B15
    // reads the first log path found for each job.
    std::vector<bool> circuit_refused_; // per job: the last plan's progress_circuit refusals
    progress_tracker tracker_{o_.legacy.has(15) ? progress_source_choice::first_seen
                                                : progress_source_choice::freshest};
    std::vector<progress_reading> readings_;
};

// Runs one campaign.
[[nodiscard]] inline summary run(const world_options& o, decider d = {}) {
    world w(o, std::move(d));
    return w.run();
}

} // namespace warden::sim
