#pragma once
#include <warden/core/config.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/detail/reason.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden {
inline namespace v0 {

// The range of times and counters the engine does arithmetic on without overflow: RFC 3339's
// years 0001..9999 in seconds, and versions that leave room for a plan's chained increments.
inline constexpr timestamp earliest_time = utc(1, 1, 1);
inline constexpr timestamp latest_time = utc(9999, 12, 31, 23, 59, 59);
inline constexpr std::int64_t max_version = std::int64_t{1} << 62;
// A start from retryable adds one to retry_count, an int32_t in every store (the SQLite column's
// CHECK is 0..2147483647): a row at the maximum would validate, then its start would overflow
// (apply_to_snapshot) or break the CHECK and roll the whole plan back, every tick. Validated
// against what the write will do, so it is refused up front, naming the field.
inline constexpr std::int32_t max_retry_count = std::numeric_limits<std::int32_t>::max() - 1;
// The pids a stop may name: 0 and -1 make kill(2) signal a process group or every process the
// host may signal, 1 is init, and Linux hands out pids below pid_max, which is at most
// PID_MAX_LIMIT (2^22 = 4194304 on 64-bit kernels).
inline constexpr std::int64_t min_pid = 2;
inline constexpr std::int64_t max_pid = (std::int64_t{1} << 22) - 1;
// The longest progress circuit window (issue #17): a bound on the records decide() looks at per
// job, and far beyond any useful window (production's is 3).
inline constexpr std::int32_t max_progress_circuit_window = 1000;

namespace detail {

inline void report(std::vector<validation_error>& out, std::optional<job_id> job, std::string field,
                   std::string message) {
    out.push_back(validation_error{job, std::move(field), std::move(message)});
}

inline void check_not_after_now(std::vector<validation_error>& out, const snapshot& s,
                                std::size_t i, std::string_view field,
                                const std::optional<timestamp>& t) {
    if (t && *t < earliest_time)
        report(out, s.jobs[i].id, detail::reason("jobs[", i, "].", field), "before the year 0001");
    else if (t && *t > s.now)
        // Unsigned: t > now, and t - now exceeds int64 when now is near the year 0001 and t is
        // far in the future (UBSan, issue #22's random rows); modulo 2^64 it is exact.
        report(out, s.jobs[i].id, detail::reason("jobs[", i, "].", field),
               detail::reason(static_cast<std::uint64_t>(t->time_since_epoch().count()) -
                                  static_cast<std::uint64_t>(s.now.time_since_epoch().count()),
                              " s after now: the clock went backwards or the row is from the "
                              "future"));
}

// Issue #21 items 1, 3, 4: a class's backoff, deadline and campaign closure. A year of seconds
// or minutes bounds every wait and deadline: far beyond any useful one, and it keeps the time
// arithmetic far from overflow.
template <class Bad>
void validate_class_schedule(const class_spec& k, std::size_t i, Bad& bad) {
    constexpr std::int64_t year_seconds = 366LL * 24 * 3600;
    const auto at = [&](std::string_view key) { return detail::reason("classes[", i, "].", key); };
    if (k.backoff) {
        const backoff_policy& b = *k.backoff;
        if (b.initial_delay_seconds < 0 || b.initial_delay_seconds > year_seconds)
            bad(at("backoff.initial_delay_seconds"),
                detail::reason("must be in 0..", year_seconds, " (a year)"));
        if (!std::isfinite(b.coefficient) || b.coefficient < 1.0 || b.coefficient > 100.0)
            bad(at("backoff.coefficient"), "must be a finite number in 1..100");
        if (b.max_delay_seconds < b.initial_delay_seconds || b.max_delay_seconds > year_seconds)
            bad(at("backoff.max_delay_seconds"),
                detail::reason("must be in backoff.initial_delay_seconds..", year_seconds,
                               " (a year)"));
        if (!std::isfinite(b.jitter_fraction) || b.jitter_fraction < 0.0 || b.jitter_fraction > 1.0)
            bad(at("backoff.jitter_fraction"), "must be a finite number in 0..1");
    }
    if (k.max_runtime_minutes && (*k.max_runtime_minutes < 1 || *k.max_runtime_minutes > 527040))
        bad(at("max_runtime_minutes"), "must be in 1..527040 (a year; omit it for no deadline)");
    // Issue #21 item 1: recovery options and annual-style minimums.
    if (k.minimums) {
        const tool_options& m = *k.minimums;
        if (m.max_container_restarts < 0 || m.error_threshold_timeout < 0 ||
            m.error_threshold_http < 0 || m.backoff_delay_minutes < 0)
            bad(at("minimums"), "must not be negative");
        if (m.page_cap)
            bad(at("minimums.page_cap"),
                "must be null: minimums hold a class's jobs to no page cap, as annual crawls");
    }
    if (k.recovery_min_restarts && *k.recovery_min_restarts < 0)
        bad(at("recovery_min_restarts"), "must not be negative");
    if (k.stall_timeout_minutes &&
        (*k.stall_timeout_minutes < 1 || *k.stall_timeout_minutes > 527040))
        bad(at("stall_timeout_minutes"),
            "must be in 1..527040 (a year; omit it for the global value)");
    for (std::size_t y = 0; y < k.closed_campaign_years.size(); ++y)
        if (k.closed_campaign_years[y] < 1970 || k.closed_campaign_years[y] > 9999)
            bad(detail::reason("classes[", i, "].closed_campaign_years[", y, "]"),
                "must be a year in 1970..9999");
}

} // namespace detail

// Configuration that cannot work is refused before any tick (B13).
[[nodiscard]] inline std::vector<validation_error> validate(const config& c) {
    std::vector<validation_error> out;
    auto bad = [&](std::string field, std::string message) {
        detail::report(out, std::nullopt, "config." + std::move(field), std::move(message));
    };
    if (c.ensure_min_running_jobs < 0) bad("ensure_min_running_jobs", "must not be negative");
    if (!(c.disk_threshold_percent > 0.0 && c.disk_threshold_percent <= 100.0))
        bad("disk_threshold_percent", "must be a number in (0, 100]");
    if (c.daily_start_cap < 0) bad("daily_start_cap", "must not be negative");
    if (c.daily_recovery_cap < 0) bad("daily_recovery_cap", "must not be negative");
    if (c.max_retries < 0)
        bad("max_retries", "must not be negative (0: an infra error fails at once)");
    if (c.recoveries_per_tick < 0) bad("recoveries_per_tick", "must not be negative (0: no limit)");
    if (c.max_starts_per_tick < 0) bad("max_starts_per_tick", "must not be negative (0: no limit)");
    if (c.same_source_recoveries_limit < 0)
        bad("same_source_recoveries_limit", "must not be negative (0: no same-source sweep)");
    if (c.stall_after.count() <= 0) bad("stall_after", "must be positive");
    if (c.start_grace.count() < 0) bad("start_grace", "must not be negative");
    if (c.guard_window.count() < 0) bad("guard_window", "must not be negative");
    if (c.deploy_lock_stale_after.count() <= 0) bad("deploy_lock_stale_after", "must be positive");
    if (c.orphan_grace.count() < 0) bad("orphan_grace", "must not be negative");
    const tool_options& m = c.annual_minimums;
    if (m.max_container_restarts < 0 || m.error_threshold_timeout < 0 ||
        m.error_threshold_http < 0 || m.backoff_delay_minutes < 0)
        bad("annual_minimums", "must not be negative");
    if (c.recovery_min_restarts_non_annual < 0)
        bad("recovery_min_restarts_non_annual", "must not be negative");
    if (c.annual_stall_timeout_minutes <= 0)
        bad("annual_stall_timeout_minutes", "must be positive");
    if (c.final_stage.empty()) bad("final_stage", "must not be empty");
    // Issue #17.
    if (c.stale_pipeline_after.count() <= 0) bad("stale_pipeline_after", "must be positive");
    if (c.progress_circuit_window < 0 || c.progress_circuit_window > max_progress_circuit_window)
        bad("progress_circuit_window", detail::reason("must be in 0..", max_progress_circuit_window,
                                                      " (0: the circuit is off)"));
    if (c.progress_circuit_min_pages < 0)
        bad("progress_circuit_min_pages", "must not be negative (0: the circuit is off)");
    if (!std::isfinite(c.degraded_rate_pages_per_minute) || c.degraded_rate_pages_per_minute < 0.0)
        bad("degraded_rate_pages_per_minute", "must be a finite number, at least 0");
    if (c.degraded_rate_ticks < 0)
        bad("degraded_rate_ticks", "must not be negative (0: no job is reported degraded)");
    // Issue #21 item 1.
    for (std::size_t i = 0; i < c.classes.size(); ++i) {
        const class_spec& k = c.classes[i];
        if (k.name.empty()) bad(detail::reason("classes[", i, "].name"), "must not be empty");
        for (std::size_t e = 0; e < i; ++e)
            if (!k.name.empty() && c.classes[e].name == k.name)
                bad(detail::reason("classes[", i, "].name"),
                    detail::reason("duplicate of classes[", e, "].name"));
        if (k.ensure_min_running_jobs && *k.ensure_min_running_jobs < 0)
            bad(detail::reason("classes[", i, "].ensure_min_running_jobs"), "must not be negative");
        detail::validate_class_schedule(k, i, bad);
    }
    // Issue #21 item 2.
    for (std::size_t i = 0; i < c.concurrency_limits.size(); ++i) {
        const concurrency_limit& l = c.concurrency_limits[i];
        if (l.max_running < 1)
            bad(detail::reason("concurrency_limits[", i, "].max_running"),
                "must be at least 1 (pause a source or class to hold its starts)");
        if (l.value && l.value->empty())
            bad(detail::reason("concurrency_limits[", i, "].value"),
                "must not be empty (omit it to limit every value separately)");
    }
    if (c.campaign_year && (*c.campaign_year < 1970 || *c.campaign_year > 9999))
        bad("campaign_year", "must be a year in 1970..9999 (legacy -YYYY0101 names start at 1970)");
    // Issue #17 item 2: a profile is its source's minimums, so a zero threshold would let
    // anything through the annual_minimums rail. Thresholds, restarts, stall timeout and
    // initial workers at least 1; backoff at least 0.
    for (const auto& entry : c.source_profiles) {
        // Named copies, not a structured binding: clang 14 cannot capture a binding.
        const std::string& source = entry.first;
        const source_profile& p = entry.second;
        const auto at_least = [&](const std::optional<std::int32_t>& value, std::string_view key,
                                  std::int32_t floor) {
            if (value && *value < floor)
                bad(detail::reason("source_profiles.", source, ".", key),
                    detail::reason("must be at least ", floor, ", got ", *value));
        };
        at_least(p.stall_timeout_minutes, "stall_timeout_minutes", 1);
        at_least(p.error_threshold_timeout, "error_threshold_timeout", 1);
        at_least(p.error_threshold_http, "error_threshold_http", 1);
        at_least(p.backoff_delay_minutes, "backoff_delay_minutes", 0);
        at_least(p.max_container_restarts, "max_container_restarts", 1);
        at_least(p.initial_workers, "initial_workers", 1);
        if (!p.docker_shm_size.empty() && !plausible_shm_size(p.docker_shm_size))
            bad(detail::reason("source_profiles.", source, ".docker_shm_size"),
                detail::reason("must be a size like 1g or 512m, got \"", p.docker_shm_size, "\""));
    }
    for (std::size_t i = 0; i < c.config_error_patterns.size(); ++i)
        if (c.config_error_patterns[i].empty())
            bad(detail::reason("config_error_patterns[", i, "]"),
                "an empty pattern matches everything");
    for (std::size_t i = 0; i < c.infra_error_patterns.size(); ++i)
        if (c.infra_error_patterns[i].empty())
            bad(detail::reason("infra_error_patterns[", i, "]"),
                "an empty pattern matches everything");
    return out;
}

// Calls f(name, value) for each count or minutes field of `o` that is set: the one list both
// the fast check and the reporting path below read.
template <class F>
constexpr void for_each_option_count(const tool_options& o, F&& f) {
    f("max_container_restarts", o.max_container_restarts);
    f("error_threshold_timeout", o.error_threshold_timeout);
    f("error_threshold_http", o.error_threshold_http);
    f("backoff_delay_minutes", o.backoff_delay_minutes);
    if (o.page_cap) f("page_cap", *o.page_cap);
    if (o.stall_timeout_minutes) f("stall_timeout_minutes", *o.stall_timeout_minutes);
}

// Counts and minutes: a negative one is a typo or an overflow upstream, and a store would refuse
// to write it back (the SQLite adapter's CHECKs), so the row is rejected before anything is
// planned for it. All six at once: a negative value sets the sign bit of the bitwise or, and a
// field that is not set reads as 0 (for_each_option_count skips it).
[[nodiscard]] constexpr bool options_plausible(const tool_options& o) noexcept {
    return (o.max_container_restarts | o.error_threshold_timeout | o.error_threshold_http |
            o.backoff_delay_minutes | o.page_cap.value_or(0) |
            o.stall_timeout_minutes.value_or(0)) >= 0;
}

// Issue #17 item 3: initial_workers at least 1 and docker_shm_size a size docker takes, when set.
[[nodiscard]] inline bool item_3_options_plausible(const tool_options& o) noexcept {
    return (!o.initial_workers || *o.initial_workers >= 1) &&
           (o.docker_shm_size.empty() || plausible_shm_size(o.docker_shm_size));
}

// The common case: every check validate_job makes, passed. Lets the engine skip the reporting
// path (and its call) for the rows that are fine, which is nearly all. A time is in range when
// earliest_time <= t <= now: one unsigned comparison of t - earliest_time with
// now - earliest_time (unsigned, so that any t wraps instead of overflowing), where two signed
// ones were (issue #22).
[[nodiscard]] inline bool plausible_job(const snapshot& s, const job& j) noexcept {
    const auto since_earliest = [](timestamp t) {
        return static_cast<std::uint64_t>(t.time_since_epoch().count()) -
               static_cast<std::uint64_t>(earliest_time.time_since_epoch().count());
    };
    const std::uint64_t span = since_earliest(s.now);
    const auto in_range = [&](timestamp t) { return since_earliest(t) <= span; };
    const auto set_in_range = [&](const std::optional<timestamp>& t) { return !t || in_range(*t); };
    return s.now >= earliest_time && is_known(j.status) && j.retry_count >= 0 &&
           j.retry_count <= max_retry_count && j.version >= 0 && j.version <= max_version &&
           in_range(j.queued_at) && set_in_range(j.started_at) && set_in_range(j.finished_at) &&
           set_in_range(j.last_progress_at) && set_in_range(j.completed_at) &&
           set_in_range(j.created_at) && set_in_range(j.updated_at) && j.degraded_streak >= 0 &&
           options_plausible(j.options) && item_3_options_plausible(j.options) &&
           j.crawled_pages.value_or(0) >= 0 &&
           !(j.started_at && j.finished_at && *j.finished_at < *j.started_at);
}

// Row-level checks for one job. Duplicates and references need the whole snapshot; see below.
inline void validate_job(const snapshot& s, std::size_t i, std::vector<validation_error>& out) {
    const job& j = s.jobs[i];
    auto bad = [&](std::string_view field, std::string message) {
        detail::report(out, j.id, detail::reason("jobs[", i, "].", field), std::move(message));
    };
    if (!is_known(j.status)) bad("status", "unknown status");
    if (j.retry_count < 0) bad("retry_count", "must not be negative");
    if (j.retry_count > max_retry_count)
        bad("retry_count",
            detail::reason("must be at most ", max_retry_count,
                           ": a start from retryable adds one, and the count is a 32-bit integer"));
    if (j.version < 0 || j.version > max_version)
        bad("version", detail::reason("must be in [0, 2^62], got ", j.version));
    detail::check_not_after_now(out, s, i, "queued_at", j.queued_at);
    detail::check_not_after_now(out, s, i, "started_at", j.started_at);
    detail::check_not_after_now(out, s, i, "finished_at", j.finished_at);
    detail::check_not_after_now(out, s, i, "last_progress_at", j.last_progress_at);
    detail::check_not_after_now(out, s, i, "completed_at", j.completed_at);
    detail::check_not_after_now(out, s, i, "created_at", j.created_at);
    detail::check_not_after_now(out, s, i, "updated_at", j.updated_at);
    if (j.degraded_streak < 0) bad("degraded_streak", "must not be negative");
    if (j.started_at && j.finished_at && *j.finished_at < *j.started_at)
        bad("finished_at", "before started_at");
    if (j.crawled_pages && *j.crawled_pages < 0) bad("crawled_pages", "must not be negative");
    for_each_option_count(j.options, [&](std::string_view field, std::int32_t v) {
        if (v < 0) bad(detail::reason("tool_options.", field), "must not be negative");
    });
    if (j.options.initial_workers && *j.options.initial_workers < 1)
        bad("tool_options.initial_workers",
            detail::reason("must be at least 1, got ", *j.options.initial_workers));
    if (!j.options.docker_shm_size.empty() && !plausible_shm_size(j.options.docker_shm_size))
        bad("tool_options.docker_shm_size", detail::reason("must be a size like 1g or 512m, got \"",
                                                           j.options.docker_shm_size, "\""));
}

[[nodiscard]] inline std::vector<validation_error> validate_host(const snapshot& s) {
    std::vector<validation_error> out;
    if (s.now < earliest_time || s.now > latest_time)
        detail::report(out, std::nullopt, "now", "outside the years 0001..9999");
    const double disk = s.host.disk_used_percent;
    if (!std::isfinite(disk) || disk < 0.0 || disk > 100.0)
        detail::report(out, std::nullopt, "host.disk_used_percent",
                       "must be a finite number in [0, 100]");
    // A process row is the host's probe output: a pid no process can have means the probe is
    // broken, and a stop naming it would signal the wrong processes (kill -TERM -1).
    for (std::size_t k = 0; k < s.processes.size(); ++k)
        if (const std::int64_t pid = s.processes[k].pid; pid < min_pid || pid > max_pid)
            detail::report(out, std::nullopt, detail::reason("processes[", k, "].pid"),
                           detail::reason("must be in ", min_pid, "..", max_pid,
                                          " (0 and -1 signal process groups, 1 is init, and pids "
                                          "are below the kernel's pid_max limit, ",
                                          max_pid + 1, "), got ", pid));
    // A parent is never signalled, only compared (issue #16, item 9): 0 (the kernel's own
    // threads) and 1 (init) are real parents; a value no pid can have is a broken probe.
    for (std::size_t k = 0; k < s.processes.size(); ++k)
        if (const auto& ppid = s.processes[k].ppid; ppid && (*ppid < 0 || *ppid > max_pid))
            detail::report(out, std::nullopt, detail::reason("processes[", k, "].ppid"),
                           detail::reason("must be in 0..", max_pid, " or null, got ", *ppid));
    // Issue #21 item 5: an empty name would pause nothing, and hide the operator's typo.
    for (std::size_t k = 0; k < s.host.paused_sources.size(); ++k)
        if (s.host.paused_sources[k].empty())
            detail::report(out, std::nullopt, detail::reason("host.paused_sources[", k, "]"),
                           "must not be empty");
    for (std::size_t k = 0; k < s.host.paused_classes.size(); ++k)
        if (s.host.paused_classes[k].empty())
            detail::report(out, std::nullopt, detail::reason("host.paused_classes[", k, "]"),
                           "must not be empty");
    if (const auto& t = s.host.deploy_lock_created_at; t && (*t > s.now || *t < earliest_time))
        detail::report(out, std::nullopt, "host.deploy_lock_created_at",
                       *t > s.now ? "after now: the clock went backwards" : "before the year 0001");
    return out;
}

} // namespace v0
} // namespace warden
