#pragma once
// Worlds that cannot work, refused before any tick (issue #18, item 2). The engine config is
// checked by warden::validate, as `warden validate` checks it; what only the world knows (how
// often its watchdog runs, how long a tick is, how far apart a healthy crawl's signs of life
// can be, how late a detached unit appears, the disk it never drains below) is checked here
// against the config. warden::sim::world itself runs whatever it is given (the mutation tests
// drill configs that cannot work on purpose); warden-sim and the config swarm call this first.
#include <warden/core/plan.hpp>
#include <warden/core/validate.hpp>
#include <warden/sim/decide.hpp>
#include <warden/sim/options.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace warden::sim {

// The world's disk drains to this share used and never below it (world.hpp).
inline constexpr double world_disk_floor_percent = 40.0;
// The longest a committing completion waits (fault delayed_completion: 1 to 10 ticks).
inline constexpr std::int64_t max_completion_delay_ticks = 10;
// The year of the world's campaign (its jobs' campaign_year, its clock's start).
inline constexpr std::int32_t world_campaign_year = 2026;

// The longest a healthy crawl of this world shows no new sign of life to the watchdog, in
// ticks: a detached unit's process appears up to spawn_lag_max_ticks after the start (its age
// counts from started_at), heartbeats land 1 to 2 * progress_report_ticks - 1 ticks apart, a
// finished crawl's completion may commit max_completion_delay_ticks late, and the watchdog's
// snapshot is read at the start of a tick, before that tick's heartbeats (one more tick).
[[nodiscard]] constexpr std::int64_t signal_lag_ticks(const world_options& o) noexcept {
    return std::int64_t{o.spawn_lag_max_ticks} + (2 * std::int64_t{o.progress_report_ticks} - 1) +
           max_completion_delay_ticks + 1;
}

// Every reason this world cannot work with its config, each naming the field a host would
// change. Empty: drill it.
[[nodiscard]] inline std::vector<validation_error> validate_world(const world_options& o) {
    const config c = host_config(o);
    std::vector<validation_error> out = validate(c);
    auto bad = [&](std::string field, std::string message) {
        out.push_back(validation_error{std::nullopt, std::move(field), std::move(message)});
    };
    if (o.jobs < 1) bad("jobs", "a campaign needs at least one job");
    if (o.tick_seconds < 1) bad("tick_seconds", "must be positive");
    if (o.watchdog_period_ticks < 1) bad("watchdog_period_ticks", "must be positive");
    if (o.target_running < 0 && !o.engine) bad("target_running", "must not be negative");
    if (!out.empty()) return out; // the checks below divide by these
    const std::int64_t stall_s = c.stall_after.count();
    const std::int64_t period_s = std::int64_t{o.watchdog_period_ticks} * o.tick_seconds;
    if (period_s >= stall_s)
        bad("watchdog_period_ticks",
            fmt::format("the watchdog runs every {} s ({} ticks of {} s), at or above "
                        "config.stall_after ({} s): it cannot see a stall within stall_after; run "
                        "it more often or raise stall_after",
                        period_s, o.watchdog_period_ticks, o.tick_seconds, stall_s));
    const std::int64_t lag_s = signal_lag_ticks(o) * o.tick_seconds;
    if (lag_s >= stall_s)
        bad("config.stall_after",
            fmt::format("{} s, but a healthy crawl here can show no new progress for up to {} s "
                        "(heartbeats up to {} ticks apart, its process up to {} ticks late, a "
                        "completion up to {} ticks late, ticks of {} s): live crawls would be "
                        "recovered as stalled; stall_after must be longer than the heartbeat's lag",
                        stall_s, lag_s, 2 * o.progress_report_ticks - 1, o.spawn_lag_max_ticks,
                        max_completion_delay_ticks, o.tick_seconds));
    const std::int64_t spawn_s = (std::int64_t{o.spawn_lag_max_ticks} + 1) * o.tick_seconds;
    if (c.orphan_grace.count() < spawn_s)
        bad("config.orphan_grace",
            fmt::format("{} s, shorter than the {} s a detached unit's process may take to appear "
                        "(up to {} ticks, and the watchdog reads before the tick runs): a live "
                        "start would be swept as an orphan",
                        c.orphan_grace.count(), spawn_s, o.spawn_lag_max_ticks));
    if (c.disk_threshold_percent <= world_disk_floor_percent)
        bad("config.disk_threshold_percent",
            fmt::format("{} %, at or below the {} % the world's disk never drains below: no "
                        "start could ever be made",
                        c.disk_threshold_percent, world_disk_floor_percent));
    if (c.daily_start_cap < 1 && c.ensure_min_running_jobs > 0)
        bad("config.daily_start_cap",
            "0 forbids every start, so queue fill could never start the campaign");
    if (c.daily_recovery_cap < 1)
        bad("config.daily_recovery_cap",
            "0 refuses every stall recovery, so a stalled crawl would hold its job for good and "
            "the campaign could not finish");
    if (c.campaign_year && *c.campaign_year != world_campaign_year)
        bad("config.campaign_year",
            fmt::format("{}: the simulated campaign is {}'s, so queue fill would start none of it",
                        *c.campaign_year, world_campaign_year));
    return out;
}

} // namespace warden::sim
