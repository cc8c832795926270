#pragma once
#include <warden/core/config.hpp>
#include <warden/core/job.hpp>
#include <warden/core/snapshot.hpp>

#include <string_view>

namespace warden {
inline namespace v0 {

// Issue #18, finding 1 (docs/facts/process_list.md). When the host could not list processes
// (host.process_list_readable false), the snapshot's empty process list says nothing about what
// runs a job. A crawl whose lock file vanished and that is out of the worker's running set is then
// invisible: before the fix the orphan sweep marked its row retryable and queue fill started it
// again while the first attempt still ran (double start). With the guard on, while the list is
// unreadable, the orphan sweep and the start of a row that has run before are held (engine.hpp,
// under this name in plan.blocked); a row that never ran may still start (nothing can run it).

// The name plan.blocked gives an action held because the process list is unreadable.
inline constexpr std::string_view process_list_unreadable_hold = "process_list_unreadable";

// True when an empty process list is no evidence: the host could not read it and the guard is on.
[[nodiscard]] constexpr bool process_list_blind(const config& c, const host_facts& h) noexcept {
    return c.guards.unreadable_process_list_holds && !h.process_list_readable;
}

// A row that has run before: every start stamps started_at (the worker's pick and start_job
// alike) and nothing clears it, except the undo of a launch that failed, which ran nothing. A row
// without it was never started, so no crawl of it can be running.
[[nodiscard]] constexpr bool has_run_before(const job& j) noexcept {
    return j.started_at.has_value();
}

} // namespace v0
} // namespace warden
