#pragma once
// rapidcheck generators for snapshots and configs, public so hosts can property-test their own
// rails against the same worlds warden is tested on. Needs librapidcheck-dev.
#include <warden/core/config.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/io/rfc3339.hpp>

#include <rapidcheck.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace warden {
inline namespace v0 {
namespace testing {

// The instant every generated snapshot is taken at; ages are subtracted from it.
inline constexpr timestamp generated_now = utc(2026, 2, 3, 12, 0);

struct snapshot_shape {
    int max_jobs = 24;
    // Also produce what the validator must reject: unknown statuses, duplicate ids, times after
    // now, finished before started, dangling references, disk figures outside 0..100.
    bool invalid_input = false;
    // Worlds where queue fill has work to do: the sentinel present, seldom a deploy or a full
    // disk, mostly waiting annual or legacy jobs and little runtime evidence. Without it, starts
    // and backfills are too rare for the queue-fill properties to mean anything.
    bool queue_fill_heavy = false;
};

// Ages that sit on and around every default threshold, so boundaries are hit often, mixed with
// arbitrary ages up to three days.
[[nodiscard]] inline rc::Gen<duration> interesting_age() {
    const std::vector<std::int64_t> edges{0,    1,    59,    60,    61,    599,   600,
                                          601,  899,  900,   901,   3599,  3600,  3601,
                                          5400, 7200, 86399, 86400, 86401, 172800};
    return rc::gen::map(
        rc::gen::oneOf(rc::gen::elementOf(edges), rc::gen::inRange<std::int64_t>(0, 3 * 86400)),
        [](std::int64_t s) { return duration{s}; });
}

[[nodiscard]] inline rc::Gen<tool_options> tool_options_gen() {
    return rc::gen::element(
        tool_options{0, 0, 0, 0, std::nullopt}, tool_options{5, 10, 10, 1, std::nullopt},
        tool_options{20, 50, 50, 2, std::nullopt}, tool_options{30, 80, 60, 5, std::nullopt},
        tool_options{20, 50, 50, 2, 5000},
        // Issue #8's recovery options: as a recovery leaves them (annual, other), and off.
        tool_options{20, 50, 50, 2, std::nullopt, true, true, 60},
        tool_options{6, 10, 10, 1, std::nullopt, true, true, std::nullopt},
        tool_options{5, 10, 10, 1, std::nullopt, false, false, 30});
}

namespace detail {

inline bool chance(int percent) {
    return *rc::gen::inRange(0, 100) < percent;
}

template <class T>
std::optional<T> maybe(int percent, const rc::Gen<T>& g) {
    if (chance(percent)) return *g;
    return std::nullopt;
}

inline job make_job(std::size_t i, const snapshot_shape& shape) {
    const timestamp now = generated_now;
    job j;
    j.id = job_id{static_cast<std::int64_t>(i + 1)};
    if (shape.invalid_input && chance(10))
        j.id = job_id{*rc::gen::inRange<std::int64_t>(1, static_cast<std::int64_t>(i + 2))};
    const std::string base =
        shape.queue_fill_heavy
            ? *rc::gen::element<std::string>("hc-20260101", "phac-20260101", "cihr-20250101",
                                             "hc-news")
            : *rc::gen::element<std::string>("hc-20260101", "phac-20260101", "cihr-20250101",
                                             "hc-news", "phac-20260102", "20260101", "cihr-grants");
    j.name = "j" + std::to_string(i) + "-" + base;
    j.source = *rc::gen::element<std::string>("hc", "phac", "cihr", "other");
    j.output_dir = "/srv/crawls/" + j.name;
    j.status =
        shape.queue_fill_heavy
            ? *rc::gen::weightedElement<job_status>({{4, job_status::queued},
                                                     {2, job_status::running},
                                                     {3, job_status::retryable},
                                                     {1, job_status::completed}})
            : *rc::gen::element(job_status::queued, job_status::running, job_status::retryable,
                                job_status::completed, job_status::failed);
    if (shape.invalid_input && chance(5)) j.status = static_cast<job_status>(9);
    if (chance(50)) {
        j.kind = campaign_kind::annual;
        j.campaign_year = *rc::gen::element<std::int32_t>(2025, 2026);
    }
    j.queued_at = now - *interesting_age() - std::chrono::hours{72};
    j.started_at =
        maybe(70, rc::gen::map(interesting_age(), [now](duration a) { return now - a; }));
    if (j.started_at && chance(30)) {
        const duration ran = duration{*rc::gen::inRange<std::int64_t>(0, 7200)};
        j.finished_at = std::min(now, *j.started_at + ran);
    }
    j.last_progress_at =
        maybe(60, rc::gen::map(interesting_age(), [now](duration a) { return now - a; }));
    if (j.finished_at && chance(50)) j.completed_at = j.finished_at;
    j.retry_count = *rc::gen::inRange(0, 6);
    j.failure =
        *rc::gen::element(failure_class::none, failure_class::transient, failure_class::infra_error,
                          failure_class::infra_error_config, failure_class::orphaned);
    if (shape.queue_fill_heavy && chance(80)) j.failure = failure_class::none;
    // One stalled job switches queue fill off for the tick: keep most running jobs healthy.
    if (shape.queue_fill_heavy && j.status == job_status::running && chance(97)) {
        j.started_at = now - std::chrono::hours{2};
        j.finished_at.reset();
        j.completed_at.reset();
        j.last_progress_at = now - duration{*rc::gen::inRange<std::int64_t>(0, 240)};
    }
    // A waiting row with completed_at is repaired to completed, not started (issue #18 finding
    // 3): keep most waiting rows of these worlds startable.
    if (shape.queue_fill_heavy &&
        (j.status == job_status::queued || j.status == job_status::retryable) && chance(90))
        j.completed_at.reset();
    j.last_error = *rc::gen::element<std::string>(
        "", "connection reset by peer", "zimit: error: unrecognized arguments: --pageLimit",
        "Invalid Argument: --scope");
    if (shape.queue_fill_heavy && chance(80)) j.last_error.clear();
    j.progress_known = chance(95);
    if (j.last_progress_at) j.crawled_pages = *rc::gen::inRange<std::int64_t>(0, 100000);
    j.options = *tool_options_gen();
    if (chance(shape.queue_fill_heavy ? 5 : 30))
        j.last_stage = *rc::gen::element<std::string>("crawl", "persist");
    j.has_outputs = chance(50);
    j.version = *rc::gen::inRange<std::int64_t>(0, 6);
    if (shape.invalid_input && chance(5)) j.last_progress_at = now + std::chrono::minutes{5};
    if (shape.invalid_input && chance(5) && j.started_at)
        j.finished_at = *j.started_at - std::chrono::seconds{1};
    // Few distinct values, so queue order's created_at key (issue #8) decides some ties.
    j.created_at =
        maybe(60, rc::gen::element(now - std::chrono::hours{100}, now - std::chrono::hours{90}));
    if (shape.invalid_input && chance(3)) j.created_at = now + std::chrono::minutes{1};
    return j;
}

} // namespace detail

// A whole snapshot: jobs in every status, runtime evidence that agrees or disagrees with the
// rows, shared output dirs, start histories around the 24 h window, and host facts around the
// default thresholds.
[[nodiscard]] inline rc::Gen<snapshot> snapshot_gen(snapshot_shape shape = {}) {
    return rc::gen::exec([shape] {
        using detail::chance;
        snapshot s;
        s.now = generated_now;
        const auto n = static_cast<std::size_t>(*rc::gen::inRange(0, shape.max_jobs + 1));
        for (std::size_t i = 0; i < n; ++i) {
            s.jobs.push_back(detail::make_job(i, shape));
            if (i > 0 && chance(5)) s.jobs[i].output_dir = s.jobs[i - 1].output_dir;
        }
        const bool fills = shape.queue_fill_heavy;
        s.host.sentinel_present = chance(fills ? 95 : 80);
        s.host.deploy_lock_present = chance(fills ? 3 : 15);
        if (chance(fills ? 3 : 10)) {
            s.host.deploy_lock_unprobeable = true;
            if (chance(80)) {
                // Around the 2 h staleness boundary.
                const auto age = *rc::gen::element<std::int64_t>(0, 7199, 7200, 7201, 86400);
                s.host.deploy_lock_created_at = s.now - duration{age};
            }
        }
        s.host.disk_used_percent =
            fills && chance(85) ? *rc::gen::element(0.0, 50.0, 84.9)
                                : *rc::gen::element(0.0, 50.0, 84.9, 85.0, 85.1, 99.0, 100.0);
        if (shape.invalid_input && chance(5))
            s.host.disk_used_percent = *rc::gen::element(-1.0, 100.5);
        s.host.worker_alive = chance(90);
        s.host.process_list_readable = chance(95);
        std::int64_t pid = 1000;
        // Mostly the worker's crawls; now and then a unit or a process warden must not touch.
        auto process_for = [&pid](const job& j) {
            const int roll = *rc::gen::inRange(0, 100);
            const process_origin origin = roll < 80   ? process_origin::worker
                                          : roll < 90 ? process_origin::systemd_unit
                                                      : process_origin::other;
            return process_fact{++pid, j.output_dir, "zimit " + j.output_dir, origin,
                                origin == process_origin::systemd_unit
                                    ? "crawl-" + std::to_string(to_int(j.id)) + ".service"
                                    : std::string{}};
        };
        for (const job& j : s.jobs) {
            const int live = fills && j.status != job_status::running ? 5 : 25;
            if (chance(live)) s.locks.push_back(j.id);
            if (chance(live)) s.processes.push_back(process_for(j));
            if (chance(5)) s.processes.push_back(process_for(j));
            if (chance(20)) s.running_set.push_back(j.id);
            const int starts = *rc::gen::inRange(0, fills ? 3 : 5);
            for (int k = 0; k < starts; ++k)
                s.starts.push_back({j.id, s.now - *interesting_age()});
            const int recoveries = *rc::gen::inRange(0, 5);
            for (int k = 0; k < recoveries; ++k)
                s.recoveries.push_back({j.id, s.now - *interesting_age()});
        }
        if (chance(10))
            s.processes.push_back(
                {++pid, "/srv/crawls/unrelated", "zimit", process_origin::other, std::string{}});
        if (shape.invalid_input && chance(10)) s.locks.push_back(job_id{9999});
        return s;
    });
}

// Valid configurations around the defaults, including queue fill on and off; with
// `queue_fill_heavy`, queue fill is always on and its target often above what runs.
[[nodiscard]] inline rc::Gen<config> config_gen(bool queue_fill_heavy = false) {
    return rc::gen::exec([queue_fill_heavy] {
        config c;
        c.ensure_min_running_jobs =
            queue_fill_heavy ? *rc::gen::inRange(1, 16) : *rc::gen::inRange(0, 7);
        c.disk_threshold_percent = queue_fill_heavy ? *rc::gen::element(85.0, 100.0)
                                                    : *rc::gen::element(85.0, 50.0, 100.0);
        c.daily_start_cap = *rc::gen::inRange(queue_fill_heavy ? 1 : 0, 5);
        c.stall_after = std::chrono::minutes{*rc::gen::element(60, 5)};
        c.start_grace = std::chrono::minutes{*rc::gen::element(15, 0)};
        c.orphan_grace = std::chrono::minutes{*rc::gen::element(10, 0)};
        // guard_window must not exceed stall_after (validated).
        c.guard_window =
            std::min<duration>(c.stall_after, std::chrono::minutes{*rc::gen::element(10, 0, 60)});
        c.soft_recovery = *rc::gen::element(true, false);
        // Issue #16 item 11: the default pace, no limit, and a limit above one.
        c.max_starts_per_tick = *rc::gen::element(1, 0, 2);
        return c;
    });
}

} // namespace testing

// Compact dumps so rapidcheck counterexamples are readable (found by argument-dependent lookup).
inline void showValue(const job& j, std::ostream& os) {
    auto t = [](const std::optional<timestamp>& x) {
        return x ? format_rfc3339(*x) : std::string{"-"};
    };
    os << "{id " << to_int(j.id) << " " << j.name << " " << to_string(j.status) << " v" << j.version
       << (j.kind == campaign_kind::annual ? " annual" : "") << " started " << t(j.started_at)
       << " finished " << t(j.finished_at) << " progress " << t(j.last_progress_at) << " completed "
       << t(j.completed_at) << " failure " << to_string(j.failure) << " stage "
       << j.last_stage.value_or("-") << " error '" << j.last_error << "'}";
}

inline void showValue(const snapshot& s, std::ostream& os) {
    os << "now " << format_rfc3339(s.now) << " sentinel " << s.host.sentinel_present
       << " deploy_lock " << s.host.deploy_lock_present << " disk " << s.host.disk_used_percent
       << " worker_alive " << s.host.worker_alive << " process_list_readable "
       << s.host.process_list_readable << "\n";
    for (const auto& j : s.jobs) {
        showValue(j, os);
        os << "\n";
    }
    os << "locks:";
    for (auto id : s.locks)
        os << " " << to_int(id);
    os << "\nprocesses:";
    for (const auto& p : s.processes)
        os << " " << p.pid << "@" << p.output_dir;
    os << "\nrunning_set:";
    for (auto id : s.running_set)
        os << " " << to_int(id);
    os << "\nrecoveries:";
    for (const auto& r : s.recoveries)
        os << " " << to_int(r.job) << "@" << format_rfc3339(r.at);
    os << "\nstarts:";
    for (const auto& r : s.starts)
        os << " " << to_int(r.job) << "@" << format_rfc3339(r.at);
    os << "\n";
}

inline void showValue(const config& c, std::ostream& os) {
    os << "{ensure_min_running_jobs " << c.ensure_min_running_jobs << " disk "
       << c.disk_threshold_percent << " cap " << c.daily_start_cap << " stall "
       << c.stall_after.count() << "s start_grace " << c.start_grace.count() << "s orphan_grace "
       << c.orphan_grace.count() << "s max_starts_per_tick " << c.max_starts_per_tick << "}";
}

} // namespace v0
} // namespace warden
