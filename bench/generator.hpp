#pragma once
// Deterministic snapshot generator for the benchmarks and the plan-identity test. Its own PRNG
// (splitmix64) and integer arithmetic only, so a (size, seed, profile) triple gives the same
// snapshot on every compiler and standard library.
#include <warden/warden.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace warden_bench {

class rng {
  public:
    explicit rng(std::uint64_t seed)
        : state_(seed) {}
    std::uint64_t next() noexcept {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform enough in [0, n) for n far below 2^32 (the bias is below 2^-32).
    std::uint32_t below(std::uint32_t n) noexcept {
        return static_cast<std::uint32_t>(((next() >> 32) * n) >> 32);
    }
    bool chance(std::uint32_t per_10000) noexcept { return below(10000) < per_10000; }

  private:
    std::uint64_t state_;
};

enum class profile : std::uint8_t {
    realistic, // the brief's mix: mostly completed, a few stalled (queue fill then waits)
    filling,   // same mix without stalled jobs: queue fill sorts and starts candidates
    campaign,  // one annual campaign of a few dozen jobs (the HealthArchive scale)
    chaos,     // every field random, invalid rows and dangling references included (tests only)
    // The filling mix under a host's configuration (issue #22): two classes (annual, and the
    // ad-hoc crawls by name) with floors, minimums, retry backoff and deadlines, and concurrency
    // limits per source and class; retryable rows carry the end of their failed attempt.
    configured,
};

struct generated {
    warden::snapshot snapshot;
    warden::config config;
};

// Kinds of job, with their weight per 10000 in the realistic profile.
enum class kind : std::uint8_t {
    completed,
    failed_transient,
    failed_config_classified,
    queued_annual,
    retryable_annual,
    legacy_queued,
    running_healthy,
    running_in_grace, // no liveness yet: orphan sweep proposes, grace_window blocks
    stalled,
    orphaned,
    config_errored, // retryable with an "unrecognized arguments" error
    reconcile_lock, // retryable while its lock is held (B1)
    half_persisted, // queued with last_stage persist (B7)
    anomalous,      // running with finished_at set
    invalid,        // started in the future
    count_
};

inline constexpr std::uint32_t realistic_weights[] = {
    7000, 500, 50, 700, 300, 200, 800, 50, 20, 30, 100, 30, 20, 5, 5,
};
inline constexpr std::uint32_t campaign_weights[] = {
    4000, 200, 0, 1600, 800, 800, 1600, 200, 200, 200, 200, 200, 200, 0, 0,
};

namespace detail {

inline constexpr const char* sources[] = {"hc", "phac", "cihr", "nrc"};

inline kind pick(rng& r, const std::uint32_t (&weights)[15]) {
    std::uint32_t total = 0;
    for (auto w : weights)
        total += w;
    std::uint32_t x = r.below(total);
    for (std::size_t k = 0; k < 15; ++k) {
        if (x < weights[k]) return static_cast<kind>(k);
        x -= weights[k];
    }
    return kind::completed;
}

inline std::optional<warden::timestamp> maybe_time(rng& r, warden::timestamp now) {
    if (r.chance(3000)) return std::nullopt;
    // Now and then a whole number of hours ago: a deadline, stale_pipeline_after or stall_after
    // (whole hours in the tests) then falls exactly on `now`, where the rules' boundaries lie.
    if (r.chance(1500)) return now - std::chrono::hours{r.below(4)};
    return now - warden::duration{static_cast<std::int64_t>(r.below(3 * 86400)) - 3600};
}

inline warden::job chaos_job(rng& r, std::int64_t id, warden::timestamp now) {
    warden::job j;
    j.id = warden::job_id{r.chance(300) ? static_cast<std::int64_t>(r.below(20)) : id};
    j.source = sources[r.below(4)];
    j.name = j.source + "-" + std::to_string(r.below(50));
    if (r.chance(5000)) j.name += r.chance(8000) ? "-20250101" : "-20250102";
    j.output_dir = r.chance(1000) ? std::string{} : "/srv/crawls/" + j.name;
    j.status = static_cast<warden::job_status>(r.below(5));
    if (r.chance(5000)) {
        j.kind = warden::campaign_kind::annual;
        if (r.chance(8000)) j.campaign_year = 2025;
    }
    j.queued_at = now - warden::duration{static_cast<std::int64_t>(r.below(4)) * 3600};
    j.started_at = maybe_time(r, now);
    j.finished_at = r.chance(5000) ? std::nullopt : maybe_time(r, now);
    j.last_progress_at = maybe_time(r, now);
    j.completed_at = r.chance(7000) ? std::nullopt : maybe_time(r, now);
    j.retry_count = r.chance(100) ? -1 : static_cast<std::int32_t>(r.below(4));
    j.failure = static_cast<warden::failure_class>(r.below(5));
    if (r.chance(4000))
        j.last_error = r.chance(5000) ? "error: Unrecognized Arguments: --x" : "timeout";
    j.options = {static_cast<std::int32_t>(r.below(30)), static_cast<std::int32_t>(r.below(60)),
                 static_cast<std::int32_t>(r.below(60)), static_cast<std::int32_t>(r.below(3)),
                 r.chance(2000) ? std::optional<std::int32_t>{100} : std::nullopt};
    if (r.chance(3000)) j.last_stage = r.chance(5000) ? "persist" : "crawl";
    j.has_outputs = r.chance(5000);
    j.version = static_cast<std::int64_t>(r.below(10));
    // Issue #17 and #21 fields: a stale pipeline's updated_at, page counts for the progress
    // circuit, a degraded streak, monthly names, explicit classes and groups.
    if (r.chance(6000)) j.updated_at = maybe_time(r, now);
    if (r.chance(7000))
        j.crawled_pages = r.chance(30) ? -5 : static_cast<std::int64_t>(r.below(500));
    j.degraded_streak = r.chance(30) ? -1 : static_cast<std::int32_t>(r.below(9));
    if (r.chance(2500)) {
        j.name = j.source + "-monthly-" + std::to_string(r.below(50));
        if (!j.output_dir.empty()) j.output_dir = "/srv/crawls/" + j.name;
    }
    if (r.chance(1500)) {
        constexpr const char* named[] = {"annual", "monthly", "unknown"};
        j.job_class = named[r.below(3)];
    }
    if (r.chance(4000)) j.group_key = "pool" + std::to_string(r.below(2));
    return j;
}

// Issue #21: a class with each of its keys set at random (or left missing).
inline warden::class_spec chaos_class(rng& r, const char* name, bool annual) {
    warden::class_spec k;
    k.name = name;
    if (annual)
        k.campaign = warden::campaign_kind::annual;
    else
        k.name_pattern = r.chance(9000) ? "*-monthly-*" : "hc-?";
    k.queue_fill = r.chance(8500);
    k.priority = static_cast<std::int32_t>(r.below(3));
    if (r.chance(5000)) k.ensure_min_running_jobs = static_cast<std::int32_t>(r.below(4));
    if (r.chance(6000))
        k.backoff = warden::backoff_policy{60 + 600 * static_cast<std::int64_t>(r.below(4)),
                                           1.0 + static_cast<double>(r.below(4)) * 0.5,
                                           1800 + 3600 * static_cast<std::int64_t>(r.below(12)),
                                           static_cast<double>(r.below(3)) * 0.25};
    if (r.chance(100)) k.backoff = warden::backoff_policy{60, 0.5, 3600, 0.0}; // invalid
    if (r.chance(6000))
        k.max_runtime_minutes =
            60 * (1 + static_cast<std::int32_t>(r.below(r.chance(5000) ? 3 : 72)));
    if (r.chance(3000))
        k.campaign_open_until =
            r.chance(5000) ? warden::campaign_end::closed : warden::campaign_end::calendar_year;
    if (r.chance(2000)) k.closed_campaign_years = {2025};
    if (r.chance(5000))
        k.minimums = warden::tool_options{static_cast<std::int32_t>(r.below(25)),
                                          static_cast<std::int32_t>(r.below(60)),
                                          static_cast<std::int32_t>(r.below(60)),
                                          static_cast<std::int32_t>(r.below(3)), std::nullopt};
    if (r.chance(3000)) k.recovery_min_restarts = static_cast<std::int32_t>(r.below(30));
    if (r.chance(3000)) k.stall_timeout_minutes = 10 + static_cast<std::int32_t>(r.below(80));
    return k;
}

inline void chaos_side_tables(rng& r, generated& g) {
    auto& s = g.snapshot;
    const auto n = static_cast<std::uint32_t>(s.jobs.size());
    auto any_id = [&] {
        return r.chance(500) ? warden::job_id{100000 + r.below(10)} : s.jobs[r.below(n)].id;
    };
    for (std::uint32_t k = 0, m = r.below(n / 2 + 1); k < m; ++k)
        s.locks.push_back(any_id());
    for (std::uint32_t k = 0, m = r.below(n / 2 + 1); k < m; ++k)
        s.running_set.push_back(any_id());
    // Issue #19: a lock whose probe failed is taken as held.
    if (r.chance(3000))
        for (std::uint32_t k = 0, m = r.below(n / 6 + 1); k < m; ++k)
            s.unprobeable_locks.push_back({any_id(), 13});
    for (std::uint32_t k = 0, m = r.below(n / 2 + 1); k < m; ++k) {
        // Half the time on the previous process's dir, a child of it (a crawl and its `docker
        // run`, issue #16 item 9), or of a pid nobody has, or of itself: trees and non-trees.
        const bool child = k > 0 && r.chance(5000);
        const std::string dir =
            child ? s.processes.back().output_dir : s.jobs[r.below(n)].output_dir;
        std::optional<std::int64_t> ppid;
        if (child) {
            const std::uint32_t x = r.below(10);
            ppid = x < 7 ? s.processes.back().pid : x < 9 ? std::int64_t{1} : 1000 + k;
        }
        s.processes.push_back({static_cast<std::int64_t>(1000 + k),
                               dir,
                               "zimit",
                               warden::process_origin::worker,
                               {},
                               ppid});
    }
    for (std::uint32_t k = 0, m = r.below(n + 1); k < m; ++k)
        s.starts.push_back(
            {any_id(), s.now - warden::duration{static_cast<std::int64_t>(r.below(2 * 86400)) -
                                                (r.chance(200) ? 7200 : 0)}});
    // Issue #17: recovery chains of a few jobs, each record a few pages short of the next, so
    // some progress circuits open; times over three days, so the daily cap does not refuse all.
    for (std::uint32_t k = 0, m = r.below(n / 3 + 1); k < m; ++k) {
        const warden::job& j = s.jobs[r.below(n)];
        const std::int64_t current = j.crawled_pages.value_or(r.below(500));
        const std::uint32_t chain = 1 + r.below(5);
        for (std::uint32_t c = 0; c < chain; ++c) {
            std::optional<std::int64_t> pages =
                std::max<std::int64_t>(0, current - (chain - c) * r.below(13));
            if (r.chance(700)) pages.reset();
            const auto ago = static_cast<std::int64_t>(r.below(3 * 86400));
            s.recoveries.push_back({r.chance(300) ? any_id() : j.id,
                                    s.now - warden::duration{r.chance(100) ? -60 : ago}, pages});
        }
    }
    s.host = {r.chance(8000), r.chance(1500),
              r.chance(1500) ? 90.0 : static_cast<double>(r.below(80))};
    // Issue #18 finding 1: now and then the host could not list its processes.
    s.host.process_list_readable = !r.chance(1000);
    // Issue #21 item 5: an operator paused a source or a class (rarely with an empty name).
    if (r.chance(2000)) s.host.paused_sources = {sources[r.below(4)]};
    if (r.chance(2000)) s.host.paused_classes = {r.chance(5000) ? "monthly" : "annual"};
    if (r.chance(50)) s.host.paused_classes.push_back("");
    auto& c = g.config;
    c.ensure_min_running_jobs = static_cast<std::int32_t>(r.below(n / 2 + 2));
    c.daily_start_cap = static_cast<std::int32_t>(r.below(4));
    c.guards = {r.chance(8000), r.chance(8000), r.chance(8000),
                r.chance(8000), r.chance(8000), r.chance(8000)};
    // Issue #21: classes (annual and monthly, in either order), and concurrency limits.
    if (r.chance(7000)) {
        c.classes.push_back(chaos_class(r, "annual", true));
        c.classes.push_back(chaos_class(r, "monthly", false));
        if (r.chance(3000)) std::swap(c.classes[0], c.classes[1]);
    }
    if (r.chance(6000)) {
        constexpr const char* values[] = {"hc", "monthly", "pool0"};
        for (std::uint32_t k = 0, m = 1 + r.below(3); k < m; ++k) {
            const std::uint32_t by = r.below(3);
            warden::concurrency_limit l;
            l.by = static_cast<warden::limit_key>(by);
            if (r.chance(3000)) l.value = values[by];
            l.max_running = 1 + static_cast<std::int32_t>(r.below(3));
            c.concurrency_limits.push_back(l);
        }
    }
    if (r.chance(1000)) c.degraded_rate_ticks = 0;
}

// Issue #22: the host's configuration on the filling mix, drawn from its own generator so the
// snapshot underneath is the filling one but for the retryable rows' finished_at.
inline void configure_host(std::size_t n, std::uint64_t seed, generated& g) {
    using namespace std::chrono;
    rng r{seed ^ 0x5eedc0f1u};
    auto& s = g.snapshot;
    auto& c = g.config;
    const auto per = [&](std::size_t per_10000) {
        return static_cast<std::int32_t>(n * per_10000 / 10000 + 1);
    };
    warden::class_spec annual;
    annual.name = "annual";
    annual.campaign = warden::campaign_kind::annual;
    annual.priority = 1;
    annual.ensure_min_running_jobs = per(500);
    annual.minimums = warden::tool_options{20, 50, 50, 2, std::nullopt};
    annual.backoff = warden::backoff_policy{600, 2.0, 6 * 3600, 0.25};
    annual.max_runtime_minutes = 19 * 24 * 60; // the oldest running crawls are 20 days old
    warden::class_spec adhoc;
    adhoc.name = "adhoc";
    adhoc.name_pattern = "*-adhoc-*";
    adhoc.ensure_min_running_jobs = per(50);
    adhoc.minimums = warden::tool_options{6, 10, 10, 1, std::nullopt};
    adhoc.recovery_min_restarts = 6;
    adhoc.stall_timeout_minutes = 30;
    adhoc.backoff = warden::backoff_policy{60, 2.0, 1800, 0.5};
    adhoc.max_runtime_minutes = 7 * 24 * 60;
    c.classes = {annual, adhoc};
    c.concurrency_limits = {{warden::limit_key::source, std::nullopt, per(250)},
                            {warden::limit_key::job_class, std::string{"adhoc"}, per(20)}};
    // A retryable row's failed attempt ended within the last few hours: its backoff runs.
    for (auto& j : s.jobs)
        if (j.status == warden::job_status::retryable && !j.finished_at) {
            j.finished_at = s.now - minutes{1 + r.below(6 * 60)};
            if (!j.started_at) j.started_at = *j.finished_at - minutes{30};
        }
}

} // namespace detail

// `n` jobs with ids 1..n in a shuffled-looking order, plus their locks, processes, running set
// and start history. Every string is built the way a host's database rows would hold it.
inline generated make_snapshot(std::size_t n, std::uint64_t seed, profile p = profile::realistic) {
    using namespace std::chrono;
    using warden::job_status;
    rng r{seed};
    generated g;
    auto& s = g.snapshot;
    s.now = warden::utc(2026, 2, 3, 12, 0);
    s.host = {true, false, 62.5};
    s.jobs.reserve(n);
    const warden::timestamp now = s.now;
    if (p == profile::chaos) {
        for (std::size_t i = 0; i < n; ++i)
            s.jobs.push_back(detail::chaos_job(r, static_cast<std::int64_t>(i + 1), now));
        detail::chaos_side_tables(r, g);
        return g;
    }
    const auto& weights = p == profile::campaign ? campaign_weights : realistic_weights;
    std::int64_t running = 0;
    for (std::size_t i = 0; i < n; ++i) {
        kind k = detail::pick(r, weights);
        if ((p == profile::filling || p == profile::configured) && k == kind::stalled)
            k = kind::running_healthy;
        warden::job j;
        // Ids are a permutation of 1..n for n a power of two or not: an odd multiplier mod n.
        j.id = warden::job_id{static_cast<std::int64_t>((i * 2654435761u) % n) + 1};
        j.source = detail::sources[r.below(p == profile::campaign ? 3 : 4)];
        const bool annual = k != kind::failed_transient && r.chance(7000);
        j.name = j.source + (annual ? "-annual-" : "-adhoc-") + std::to_string(to_int(j.id));
        if (annual) j.name += "-20260101";
        j.output_dir = "/srv/crawls/" + j.name;
        if (annual && k != kind::legacy_queued) {
            j.kind = warden::campaign_kind::annual;
            j.campaign_year = 2026;
        }
        if (k == kind::legacy_queued) j.name = j.source + "-" + std::to_string(i) + "-20260101";
        if (k == kind::legacy_queued) j.output_dir = "/srv/crawls/" + j.name;
        // Day granularity: many ties, so the source order and the id break them.
        j.queued_at = now - days{1 + r.below(365)};
        j.options = annual ? warden::tool_options{20, 50, 50, 2, std::nullopt}
                           : warden::tool_options{5, 10, 10, 1, std::nullopt};
        j.version = 1 + r.below(8);
        const warden::timestamp started = now - minutes{120 + r.below(60 * 24 * 20)};
        auto live = [&](bool in_set) {
            s.locks.push_back(j.id);
            s.processes.push_back({static_cast<std::int64_t>(10000 + i),
                                   j.output_dir,
                                   "zimit --output " + j.output_dir,
                                   warden::process_origin::worker,
                                   {}});
            if (in_set) s.running_set.push_back(j.id);
            s.starts.push_back({j.id, now - hours{r.below(23)}});
        };
        switch (k) {
        case kind::completed:
        case kind::count_:
            j.status = job_status::completed;
            j.started_at = started;
            j.finished_at = started + minutes{30};
            j.completed_at = j.finished_at;
            j.last_stage = "persist";
            j.has_outputs = true;
            break;
        case kind::failed_transient:
            j.status = job_status::failed;
            j.failure = warden::failure_class::transient;
            j.started_at = started;
            j.finished_at = started + minutes{5};
            j.last_error = "crawl timed out after 3 restarts: net::ERR_CONNECTION_RESET";
            break;
        case kind::failed_config_classified:
            j.status = job_status::failed;
            j.failure = warden::failure_class::infra_error_config;
            j.last_error = "zimit: error: unrecognized arguments: --pageLimit=abc";
            break;
        case kind::queued_annual:
        case kind::legacy_queued: j.status = job_status::queued; break;
        case kind::retryable_annual:
            j.status = job_status::retryable;
            j.failure = warden::failure_class::transient;
            j.retry_count = 1 + static_cast<std::int32_t>(r.below(3));
            j.last_error = "container exited 137";
            for (std::int32_t a = 0; a < j.retry_count; ++a)
                s.starts.push_back({j.id, now - hours{1 + r.below(40)}});
            break;
        case kind::running_healthy:
        case kind::anomalous:
        case kind::stalled:
            j.status = job_status::running;
            j.started_at = started;
            j.last_progress_at = now - minutes{k == kind::stalled ? 90 + r.below(300) : 1};
            if (k == kind::anomalous) j.finished_at = started + minutes{1};
            live(true);
            ++running;
            break;
        case kind::running_in_grace:
            j.status = job_status::running;
            j.started_at = now - minutes{2 + r.below(5)};
            ++running;
            break;
        case kind::orphaned:
            j.status = job_status::running;
            j.started_at = started;
            j.last_progress_at = now - minutes{30};
            ++running;
            break;
        case kind::config_errored:
            j.status = job_status::retryable;
            j.retry_count = 1;
            j.last_error = "zimit: error: Unrecognized arguments: --workers=x";
            break;
        case kind::reconcile_lock:
            j.status = job_status::retryable;
            j.started_at = started;
            j.last_progress_at = now - minutes{2};
            live(false);
            break;
        case kind::half_persisted:
            j.status = job_status::queued;
            j.last_stage = "persist";
            j.has_outputs = r.chance(5000);
            break;
        case kind::invalid:
            j.status = job_status::running;
            j.started_at = now + minutes{5};
            break;
        }
        s.jobs.push_back(std::move(j));
    }
    // Keep the campaign a little under-filled: queue fill has work whenever nothing is stalled.
    g.config.ensure_min_running_jobs = static_cast<std::int32_t>(running + running / 10 + 2);
    if (p == profile::configured) detail::configure_host(n, seed, g);
    return g;
}

// The database adapters' benchmarks (bench/sqlite, bench/postgres) share their rows and their
// arithmetic, so their figures compare like with like.

// When the adapter benchmarks run: every row is old enough for decide() to act on.
inline const warden::timestamp adapter_bench_now = warden::utc(2026, 2, 3, 12);

// Job `id` of an adapter benchmark's table: queued, its final stage done with outputs, so
// decide() repairs it with exactly one compare-and-set write (B7).
inline warden::job repairable_job(std::int64_t id) {
    warden::job j;
    j.id = warden::job_id{id};
    j.name = fmt::format("hc-crawl-{}-20260101", id);
    j.source = "hc";
    j.output_dir = "/srv/crawls/" + j.name;
    j.status = warden::job_status::queued;
    j.queued_at = adapter_bench_now - std::chrono::hours{48};
    j.last_stage = "persist";
    j.has_outputs = true;
    j.version = 1;
    return j;
}

// `rows` repairable jobs (ids 1 to rows) inserted in one transaction with the adapter's
// `insert(db, job)`; `exec(db, sql)` runs BEGIN and COMMIT.
template <class Db, class Exec, class Insert>
void fill_repairable(Db& db, long rows, Exec&& exec, Insert&& insert) {
    exec(db, "BEGIN");
    for (long i = 1; i <= rows; ++i)
        insert(db, repairable_job(i));
    exec(db, "COMMIT");
}

// The milliseconds since `t0`.
inline double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// The median of a benchmark's repeats (the upper one of an even count).
inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace warden_bench
