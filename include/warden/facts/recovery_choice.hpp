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
    guarded, // the guard window is active, and soft recovery is off (runner none) or a full
             // recovery would restart the worker (runner worker): left alone this tick
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

// A full recovery that restarts the worker kills every crawl under it; while another job
// progressed within the guard window (strictly less than guard_window ago) that would trade a
// healthy crawl for a dead one. A job nobody runs has its row alone reset (soft), or is left
// alone with soft recovery off. A job the worker runs is left alone whatever soft_recovery says
// (review 7 finding 4): the host restarts the worker for any restart of runner worker, and a
// soft recovery would leave its runner up for reconcile to flip it back. A job in its own
// systemd unit is recovered in full even then: stopping its unit touches no other crawl.
// Only a job progressing for less than min(guard_window, stall_after) guards: never a stalled one.
[[nodiscard]] inline recovery_choice choose_recovery(const decision_context& ctx,
                                                     const subject& s) {
    recovery_choice out{recovery_mode::full, classify_runner(ctx, s), ctx.guard.active()};
    if (out.runner.runner == runner_class::unknown)
        out.mode = recovery_mode::operator_needed;
    else if (out.runner.runner == runner_class::none && out.guard_active)
        out.mode = ctx.config.soft_recovery ? recovery_mode::soft : recovery_mode::guarded;
    else if (out.runner.runner == runner_class::worker && out.guard_active)
        out.mode = recovery_mode::guarded;
    return out;
}

// Why a guarded recovery waits for the guard window: the end of its guard_window reason.
[[nodiscard]] constexpr std::string_view guarded_because(const recovery_choice& c) noexcept {
    return c.runner.runner == runner_class::worker ? "its recovery would restart the worker"
                                                   : "soft recovery is off";
}

// True when the daily recovery cap refuses this job's next recovery, whichever rail was asked
// first: the rail daily_recovery_cap refuses exactly then, and the engine does not let such a
// stall hold queue fill back (it cannot be recovered for up to 24 h).
[[nodiscard]] inline bool recovery_capped(const config& c, const job_facts& f) noexcept {
    return f.recoveries_last_24h >= c.daily_recovery_cap;
}

} // namespace v0
} // namespace warden
