#pragma once
#include <warden/rails/annual_minimums.hpp>
#include <warden/rails/compose.hpp>
#include <warden/rails/concurrency_limits.hpp>
#include <warden/rails/daily_recovery_cap.hpp>
#include <warden/rails/daily_start_cap.hpp>
#include <warden/rails/deploy_lock.hpp>
#include <warden/rails/disk_threshold.hpp>
#include <warden/rails/grace_window.hpp>
#include <warden/rails/legacy_annual.hpp>
#include <warden/rails/pause.hpp>
#include <warden/rails/progress_circuit.hpp>
#include <warden/rails/retry_backoff.hpp>
#include <warden/rails/sentinel_gate.hpp>

namespace warden {
inline namespace v0 {

// Specific rails first, the sentinel last: a dry run (no sentinel) then shows the real reason an
// action would be refused in apply mode, and sentinel_gate names exactly what apply mode would do.
// The progress circuit before the daily recovery cap, as the production watchdog checks them.
// pause and concurrency_limits (issue #21) after the per-job start checks: without limits it allows
// all. retry_backoff (issue #21 item 3) before the daily start cap, so a job that waits for its
// backoff says so rather than that its cap is spent; without a class backoff it allows all.
[[nodiscard]] constexpr auto default_rails() {
    return make_rails(grace_window{}, legacy_annual{}, annual_minimums{}, pause{}, retry_backoff{},
                      daily_start_cap{}, concurrency_limits{}, progress_circuit{},
                      daily_recovery_cap{}, disk_threshold{}, deploy_lock{}, sentinel_gate{});
}

using default_rail_set = decltype(default_rails());

} // namespace v0
} // namespace warden
