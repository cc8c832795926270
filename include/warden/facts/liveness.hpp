#pragma once
#include <warden/core/config.hpp>
#include <warden/core/job.hpp>
#include <warden/core/time.hpp>
#include <warden/facts/context.hpp>

namespace warden {
inline namespace v0 {

// Issue #16, item 2: progress younger than stall_after is a sign of life. Only a progress report
// counts (last_progress_at): a start is no progress, and a fresh start without a runner is what
// the grace window protects. No progress source (progress_known false): no sign either way.
[[nodiscard]] constexpr bool recent_progress(const job& j, timestamp now,
                                             duration stall_after) noexcept {
    return j.progress_known && j.last_progress_at && now - *j.last_progress_at < stall_after;
}

// The runtime half of the predicate: a held lock, a live process on the job's output_dir or a
// running-set entry. Reconcile acts on exactly this evidence (a waiting row's recent progress
// may be its previous attempt's, so progress alone never revives a row).
[[nodiscard]] constexpr bool runtime_alive(const job_facts& f) noexcept {
    return f.lock_held || f.process_count > 0 || f.in_running_set;
}

// The one "alive" predicate (issue #16, item 2) shared by reconcile, the guard window and the
// orphan sweep: something runs the job, or it reported progress less than stall_after ago. The
// sweep never touches a live job, and only a live job may count as the guard window's healthy
// crawl, so a job the sweep fails can never be the crawl that justifies a soft recovery.
// guards.progress_is_alive off: runtime evidence only (the bug, for the simulator).
[[nodiscard]] constexpr bool alive(const config& c, const job& j, const job_facts& f,
                                   timestamp now) noexcept {
    return runtime_alive(f) ||
           (c.guards.progress_is_alive && recent_progress(j, now, c.stall_after));
}

} // namespace v0
} // namespace warden
