#pragma once
#include <warden/core/actions.hpp>
#include <warden/core/config.hpp>
#include <warden/core/job.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/detail/assert.hpp>
#include <warden/facts/concurrency.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace warden {
inline namespace v0 {

// Runtime facts about one job, joined from the snapshot's side tables once per tick so that no
// rule or rail searches them again.
struct job_facts {
    bool valid = true;             // false: the validator rejected this job; nothing is written
    bool lock_held = false;        // held, or unprobeable (taken as held)
    bool lock_unprobeable = false; // the probe failed: lock_held is set, and this says why
    bool in_running_set = false;
    bool shared_output_dir = false; // another job claims the same output_dir
    std::uint32_t process_count = 0;
    std::int64_t first_pid = 0;
    std::int32_t starts_last_24h = 0;
    std::int32_t recoveries_last_24h = 0;
    std::uint32_t first_process = 0xffffffffu; // index into snapshot.processes, if any
    // Issue #17: each of the job's last progress_circuit_window recoveries gained fewer than
    // progress_circuit_min_pages pages (facts/progress_circuit.hpp); the largest of those gains.
    bool progress_circuit_open = false;
    std::int64_t progress_circuit_best_gain = 0;
    // Issue #16, item 9: its several processes form one ppid tree (one root, every other process
    // descends from another on the same dir), so they are one attempt: archive-tool and its
    // `docker run` child. False for fewer than two processes and with the guard off.
    bool one_process_tree = false;
    // Issue #21 item 3: the newest of the job's recovery records, any age: a stall recovery
    // marks a row retryable without finishing it, and retry backoff waits from it
    // (facts/backoff.hpp).
    std::optional<timestamp> last_recovery_at = std::nullopt;

    [[nodiscard]] bool has_live_evidence() const noexcept { return lock_held || process_count > 0; }
};

// The freshest progress among running jobs, for the guard window (issue #8): a full recovery
// restarts the worker, and with it every crawl the worker runs.
struct guard_evidence {
    // Valid running jobs, alive (facts/liveness.hpp), whose progress age is
    // < min(guard_window, stall_after).
    std::int64_t progressing = 0;
    job_id freshest{}; // one of them with the smallest age
    duration freshest_age{};
    [[nodiscard]] bool active() const noexcept { return progressing > 0; }
};

// The job an action is about, with its facts. Rails read; they never write.
struct subject {
    const warden::job& row;
    const job_facts& facts;
};

// Issue #21 item 2: an action this tick's plan has accepted so far (it takes effect: allowed, or
// refused only by a dry-run gate, so a dry run sees what apply mode would), and the index of its
// job in snapshot.jobs.
struct accepted_action {
    warden::action action;
    std::uint32_t job_index = 0;
};

// What a rule or rail sees: the whole snapshot and config, plus the joined facts.
struct decision_context {
    const warden::snapshot& snapshot;
    const warden::config& config;
    const std::vector<job_facts>& facts; // one per snapshot.jobs row, in the same order
    // Links each process to the next one with the same output_dir (see detail/dir_index.hpp);
    // empty when the caller did not build it, and then processes are searched instead.
    std::span<const std::uint32_t> next_process{};
    guard_evidence guard{};
    // Issue #21 item 2: the plan in progress, every action accepted before the one being checked,
    // in order (decide() sets it; empty when a caller checks a rail on its own).
    const std::vector<accepted_action>* in_progress = nullptr;
    // Jobs running now per concurrency limit (facts/concurrency.hpp); null: none counted.
    const running_groups* groups = nullptr;

    // The actions accepted so far in this tick's plan.
    [[nodiscard]] std::span<const accepted_action> accepted() const noexcept {
        if (!in_progress) return {};
        return {in_progress->data(), in_progress->size()};
    }
    // The job an accepted action is about.
    [[nodiscard]] const job& row_of(const accepted_action& a) const noexcept {
        WARDEN_ASSERT(a.job_index < snapshot.jobs.size(), "accepted action of another snapshot");
        return snapshot.jobs[a.job_index];
    }

    // The job at `index` in snapshot.jobs, with its facts. The facts were built for this
    // snapshot, so the two arrays line up; a caller that pairs them by hand can get that wrong.
    [[nodiscard]] subject subject_at(std::size_t index) const noexcept {
        WARDEN_ASSERT(facts.size() == snapshot.jobs.size(), "facts built for another snapshot");
        WARDEN_ASSERT(index < facts.size(), "job index out of range");
        return {snapshot.jobs[index], facts[index]};
    }
};

} // namespace v0
} // namespace warden
