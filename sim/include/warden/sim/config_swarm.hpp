#pragma once
// Swarming the config space (issue #18, item 5): a seed draws the world's shape and the host's
// engine config too (jobs, target, watchdog period, tick length, stall_after, the graces, the
// daily caps, the disk threshold), from the space validate_world accepts, and the draw is
// printed as warden-sim flags, so a failing campaign replays from one line.
#include <warden/core/config.hpp>
#include <warden/sim/options.hpp>
#include <warden/sim/rng.hpp>
#include <warden/sim/validate.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>

namespace warden::sim {

// The runner classes and process trees of a swarm campaign (issue #18, item 3), switched per
// seed like the fault kinds: systemd units for watchdog starts in half the seeds, two-process
// attempts in an independent half. Its own stream: the other draws stay as they were.
inline void production_shape(world_options& o, std::uint64_t seed) {
    rng r = stream(seed, 8);
    o.systemd_units = r.chance(0.5);
    o.container_children = r.chance(0.5);
}

// Draws the config of one campaign from `seed` into a copy of `base` (faults, legacy bugs and
// the store stay as `base` has them). Its own stream: the campaign's other draws are as they
// would be with the same config given by hand. Every draw is in the valid space by construction
// (stall_after above the period and the world's signal lag, orphan_grace above the spawn lag,
// the disk threshold above the world's floor, caps of at least one); validate_world agrees, and
// a test checks it does over many seeds.
[[nodiscard]] inline world_options draw_world(std::uint64_t seed, world_options base) {
    rng r = stream(seed, 6);
    world_options o = std::move(base);
    o.seed = seed;
    o.jobs = static_cast<std::int32_t>(r.between(1, 40));
    o.watchdog_period_ticks = static_cast<std::int32_t>(r.between(1, 30));
    // Half the campaigns at ticks of up to a minute, half at coarse ticks of up to ten.
    o.tick_seconds = r.chance(0.5) ? r.between(1, 60) : r.between(61, 600);
    config c;
    c.campaign_year = world_campaign_year;
    // Queue fill off in about one campaign of ten.
    c.ensure_min_running_jobs = r.chance(0.1) ? 0 : static_cast<std::int32_t>(r.between(1, 9));
    const std::int64_t period_s = std::int64_t{o.watchdog_period_ticks} * o.tick_seconds;
    const std::int64_t lag_s = signal_lag_ticks(o) * o.tick_seconds;
    const std::int64_t stall_floor_s = std::max({period_s, lag_s, std::int64_t{60}}) + 1;
    c.stall_after = duration{r.between(stall_floor_s, 3 * stall_floor_s + 3600)};
    c.start_grace = duration{r.between(0, c.stall_after.count())};
    const std::int64_t spawn_s = (std::int64_t{o.spawn_lag_max_ticks} + 1) * o.tick_seconds;
    c.orphan_grace = duration{r.between(spawn_s, spawn_s + 3600)};
    c.daily_start_cap = static_cast<std::int32_t>(r.between(1, 6));
    c.daily_recovery_cap = static_cast<std::int32_t>(r.between(1, 5));
    c.disk_threshold_percent = static_cast<double>(r.between(50, 100));
    // Queue fill's pace (issue #16 item 11): production's one start per tick, a few, or no limit.
    c.max_starts_per_tick = static_cast<std::int32_t>(r.between(0, 4));
    production_shape(o, seed);
    o.target_running = c.ensure_min_running_jobs;
    o.engine = c;
    return o;
}

// The flags that give warden-sim this world's shape and engine config, e.g. "--jobs 4
// --target 0 --period 16 --tick-seconds 60 --stall-after-seconds 3600 ...".
[[nodiscard]] inline std::string config_flags(const world_options& o) {
    const config c = host_config(o);
    return fmt::format(
        "--jobs {} --target {} --period {} --tick-seconds {} --stall-after-seconds "
        "{} --start-grace-seconds {} --orphan-grace-seconds {} --daily-start-cap {} "
        "--daily-recovery-cap {} --disk-threshold-percent {} --max-starts-per-tick {}{}{}",
        o.jobs, c.ensure_min_running_jobs, o.watchdog_period_ticks, o.tick_seconds,
        c.stall_after.count(), c.start_grace.count(), c.orphan_grace.count(), c.daily_start_cap,
        c.daily_recovery_cap, c.disk_threshold_percent, c.max_starts_per_tick,
        o.systemd_units ? " --systemd-units" : "",
        o.container_children ? " --container-children" : "");
}

} // namespace warden::sim
