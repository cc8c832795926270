#pragma once
#include <warden/core/actions.hpp>
#include <warden/core/config.hpp>
#include <warden/facts/context.hpp>
#include <warden/facts/runner_class.hpp>

#include <cstdint>
#include <string_view>

namespace warden {
inline namespace v0 {

// How a stalled job is recovered (issue #8).
enum class recovery_mode : std::uint8_t {
    full,    // stop its runner, mark it retryable, start the same runner again
    soft,    // mark it retryable only: nothing runs it, and a worker restart would hurt others
    guarded, // soft recovery is off and the guard window is active: left alone this tick
    operator_needed, // its runner cannot be named, so it cannot be stopped safely
};

[[nodiscard]] constexpr std::string_view to_string(recovery_mode m) noexcept {
    switch (m) {
    case recovery_mode::full: return "full";
    case recovery_mode::soft: return "soft";
    case recovery_mode::guarded: return "guarded";
    case recovery_mode::operator_needed: return "operator_needed";
    }
    return "unknown";
}

struct recovery_choice {
    recovery_mode mode = recovery_mode::full;
    job_runner runner;
    bool guard_active = false; // another running job progressed within guard_window
};

// A full recovery of a job nobody runs restarts the worker, killing every crawl under it; while
// another job progressed within the guard window (strictly less than guard_window ago) that
// would trade a healthy crawl for a dead one, so the row alone is reset. A job something does
// run is recovered in full even then: leaving its runner up would let reconcile flip it back.
// Only a job progressing for less than min(guard_window, stall_after) guards: never a stalled one.
[[nodiscard]] inline recovery_choice choose_recovery(const decision_context& ctx,
                                                     const subject& s) {
    recovery_choice out{recovery_mode::full, classify_runner(ctx, s), ctx.guard.active()};
    if (out.runner.runner == runner_class::unknown)
        out.mode = recovery_mode::operator_needed;
    else if (out.runner.runner == runner_class::none && out.guard_active)
        out.mode = ctx.config.soft_recovery ? recovery_mode::soft : recovery_mode::guarded;
    return out;
}

// True when the daily recovery cap refuses this job's next recovery, whichever rail was asked
// first: the rail daily_recovery_cap refuses exactly then, and the engine does not let such a
// stall hold queue fill back (it cannot be recovered for up to 24 h).
[[nodiscard]] inline bool recovery_capped(const config& c, const job_facts& f) noexcept {
    return f.recoveries_last_24h >= c.daily_recovery_cap;
}

} // namespace v0
} // namespace warden
