#pragma once
#include <warden/core/job.hpp>
#include <warden/core/time.hpp>

#include <optional>

namespace warden {
inline namespace v0 {

// Seconds since the newest sign of life: the last progress report or the start of the current
// attempt, whichever is later. A restarted job is not judged by its previous attempt's progress.
// No age (nullopt) when the host cannot tell (progress_known false) or there is no sign at all.
[[nodiscard]] constexpr std::optional<duration> progress_age(const job& j, timestamp now) noexcept {
    if (!j.progress_known) return std::nullopt;
    std::optional<timestamp> newest = j.last_progress_at;
    if (j.started_at && (!newest || *j.started_at > *newest)) newest = j.started_at;
    if (!newest) return std::nullopt;
    return now - *newest;
}

// The one staleness predicate shared by stall_recovery (running and stale: recover) and
// reconcile (waiting, live and stale: stop instead of flipping back to running).
[[nodiscard]] constexpr bool progress_is_stale(const job& j, timestamp now,
                                               duration stall_after) noexcept {
    const auto age = progress_age(j, now);
    return age && *age >= stall_after;
}

} // namespace v0
} // namespace warden
