// warden-sim: run one simulated campaign (or several seeds), print its summary, and exit non-zero
// with the seed to replay when an invariant breaks.
//   exit 0: no violation; 1: a safety invariant broke; 2: a liveness invariant broke;
//   3: determinism check failed; 64: bad arguments.
#include <warden/sim/sim.hpp>
#if defined(WARDEN_SIM_SQLITE)
#if defined(WARDEN_SIM_POSTGRES)
#include <warden/sim/postgres_db.hpp>
#endif
#include <warden/sim/sqlite_db.hpp>
#endif

#if defined(WARDEN_SIM_JSON)
#include <warden/io/json/read_snapshot.hpp>
#endif
#include <warden/sim/config_swarm.hpp>
#include <warden/sim/validate.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <time.h>
#include <unistd.h>

namespace {

double process_cpu_seconds() {
    timespec t{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

int exit_code(const warden::sim::summary& s) {
    if (s.violations.empty()) return 0;
    return warden::sim::is_liveness(s.violations.front().what) ? 2 : 1;
}

// The config section of a snapshot document, the same JSON a host gives `warden decide`.
std::optional<warden::config> read_config_file(const std::string& path) {
#if !defined(WARDEN_SIM_JSON)
    fmt::print(stderr, "warden-sim: --config '{}': built without nlohmann_json\n", path);
    return std::nullopt;
#else
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        fmt::print(stderr, "warden-sim: --config '{}': cannot open the file\n", path);
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    warden::json_read_options read;
    read.now = warden::utc(warden::sim::world_campaign_year, 1, 1); // a config file has no "now"
    const warden::snapshot_document doc = warden::read_snapshot_document(text.str(), read);
    for (const auto& w : doc.warnings)
        fmt::print(stderr, "warden-sim: --config '{}': warning: {}\n", path, w);
    if (!doc.ok()) {
        for (const auto& e : doc.errors)
            fmt::print(stderr, "warden-sim: --config '{}': {}: {}\n", path, e.field, e.message);
        return std::nullopt;
    }
    return doc.config;
#endif
}

// A world warden-sim refuses: each reason on stderr, naming the field.
bool refused(const warden::sim::world_options& o) {
    const auto errors = warden::sim::validate_world(o);
    for (const auto& e : errors)
        fmt::print(stderr, "warden-sim: refused: {}: {}\n", e.field, e.message);
    return !errors.empty();
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"warden-sim: whole campaigns tick by tick, with faults and invariants"};
    std::string seed_text = "1";
    std::string replay_text;
    std::int32_t jobs = 12;
    std::int64_t ticks = 2880;
    std::int32_t target = 4;
    std::int32_t period = 5;
    std::int64_t tick_seconds = 60;
    std::string faults = "default";
    std::string legacy = "none";
    bool trace = false;
    bool swarm = false;
    bool check_determinism = false;
    bool stats = false;
    bool progress_logs = false;
    std::int64_t runs = 1;
    std::string db = "model";
    std::string conninfo;
    double infra_error_share = 0.0;
    std::string config_path;
    bool swarm_config = false;
    bool mixed = false;
    std::int64_t stall_after_seconds = 0;
    std::int64_t start_grace_seconds = 0;
    std::int64_t orphan_grace_seconds = 0;
    std::int32_t daily_start_cap = 0;
    std::int32_t daily_recovery_cap = 0;
    double disk_threshold_percent = 0;
    std::int32_t max_starts_per_tick = 0;
    bool systemd_units = false;
    bool container_children = false;
    bool unmatched_waiting_rows = false;
    app.add_option("--config", config_path,
                   "the host's engine config: a snapshot document (the JSON a host gives `warden "
                   "decide`) whose config section the decider and every invariant use")
        ->check(CLI::ExistingFile);
    app.add_flag("--swarm-config", swarm_config,
                 "each seed draws the config too (jobs, target, period, tick length, stall_after, "
                 "graces, caps, disk threshold) and prints it as flags");
    app.add_flag("--mixed", mixed,
                 "issue #21: a mixed campaign (half the jobs monthly, `<source>-<i>-monthly`; only "
                 "the watchdog starts jobs; liveness judged with the config's limits held by "
                 "design, safety only when nothing starts jobs) on the config's classes, or the "
                 "built-in annual and monthly classes "
                 "with one crawl per source when it has none");
    app.add_option("--stall-after-seconds", stall_after_seconds, "config.stall_after")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{31536000}));
    app.add_option("--start-grace-seconds", start_grace_seconds, "config.start_grace")
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{31536000}));
    app.add_option("--orphan-grace-seconds", orphan_grace_seconds, "config.orphan_grace")
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{31536000}));
    app.add_option("--daily-start-cap", daily_start_cap, "config.daily_start_cap")
        ->check(CLI::Range(0, 1000000));
    app.add_option("--daily-recovery-cap", daily_recovery_cap, "config.daily_recovery_cap")
        ->check(CLI::Range(0, 1000000));
    app.add_option("--disk-threshold-percent", disk_threshold_percent,
                   "config.disk_threshold_percent")
        ->check(CLI::Range(0.0, 100.0));
    app.add_option("--max-starts-per-tick", max_starts_per_tick, "config.max_starts_per_tick")
        ->check(CLI::Range(0, 1000000));
    app.add_flag("--systemd-units", systemd_units,
                 "watchdog starts run as systemd units (origin systemd_unit, a unit name); with "
                 "--swarm, drawn per seed");
    app.add_flag("--container-children", container_children,
                 "every attempt is two processes, the runner and its container child (ppid); "
                 "with --swarm, drawn per seed");
    app.add_flag("--unmatched-waiting-rows", unmatched_waiting_rows,
                 "the host's scan may miss a crawl (process_unmatched) whose row is waiting too "
                 "(open finding, docs/simulator.md)");
    app.add_option("--seed", seed_text,
                   "the one u64 seed that drives the run (0 to 18446744073709551615)");
    app.add_option("--replay", replay_text, "replay this seed (a u64) with --trace on");
    app.add_option("--jobs", jobs, "campaign jobs")->check(CLI::Range(1, 100000));
    app.add_option("--ticks", ticks, "ticks of the safety phase (faults on)")
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{100000000}));
    app.add_option("--target", target, "ensure_min_running_jobs")->check(CLI::Range(0, 100000));
    app.add_option("--period", period, "watchdog period in ticks")->check(CLI::Range(1, 10000));
    app.add_option("--tick-seconds", tick_seconds, "seconds per tick")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{3600}));
    app.add_option("--faults", faults,
                   "profile (none, default, heavy) or rates: stall=0.01,crash=0.002 or "
                   "default,stall=0.01");
    app.add_option("--legacy", legacy,
                   "bugs back in: B1..B8, B14 or B15, comma-separated, all or none (B14 sets "
                   "--infra-error-share 0.25 unless given, B15 turns --progress-logs on)");
    app.add_option("--infra-error-share", infra_error_share,
                   "share of jobs whose every attempt fails with an infra error (B14)")
        ->check(CLI::Range(0.0, 1.0));
    app.add_flag("--progress-logs", progress_logs,
                 "each attempt writes its own crawl log; the watchdog reads progress from them "
                 "through warden::progress_tracker instead of the heartbeat column");
    app.add_flag("--trace", trace, "one line per event and per watchdog action");
    app.add_flag("--swarm", swarm, "switch a seed-chosen half of the fault kinds off");
    app.add_option("--runs", runs, "run this many seeds from --seed on")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000000}));
    app.add_flag("--check-determinism", check_determinism,
                 "run every seed twice and compare trace hashes");
    app.add_flag("--stats", stats,
                 "after the runs, print one line: runs, ticks and job-ticks simulated (jobs x "
                 "ticks, summed over the runs), the seconds they took and job-ticks per second");
    app.add_option("--db", db,
                   "the store: model (in memory), sqlite (an in-memory SQLite database "
                   "written through warden::sqlite's compare-and-set statements), or postgres "
                   "(a schema of its own per run on the server --conninfo names, written "
                   "through warden::postgres's)")
        ->check(CLI::IsMember({"model", "sqlite", "postgres"}));
    app.add_option("--conninfo", conninfo,
                   "with --db postgres: the server, as a libpq connection string or URI "
                   "(host=/run/postgresql dbname=sim, postgresql://user@host/db)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 64;
    }
    const auto rates = warden::sim::parse_faults(faults);
    if (!rates) {
        fmt::print(stderr, "warden-sim: bad --faults '{}'\n", faults);
        return 64;
    }
    const auto bugs = warden::sim::parse_legacy(legacy);
    if (!bugs) {
        fmt::print(stderr, "warden-sim: bad --legacy '{}' (want e.g. B8 or B1,B7)\n", legacy);
        return 64;
    }
    // Seeds are full u64s, read exactly: a seed that is not one is a usage error, never
    // another seed run in its place.
    const auto seed_arg = warden::sim::parse_seed(seed_text);
    if (!seed_arg) {
        fmt::print(stderr, "warden-sim: bad --seed '{}': want a whole number from 0 to {}\n",
                   seed_text, std::numeric_limits<std::uint64_t>::max());
        return 64;
    }
    std::uint64_t seed = *seed_arg;
    if (!replay_text.empty() || app.count("--replay") > 0) {
        const auto replay = warden::sim::parse_seed(replay_text);
        if (!replay) {
            fmt::print(stderr,
                       "warden-sim: bad --replay '{}': want a seed, a whole number from 0 to {}\n",
                       replay_text, std::numeric_limits<std::uint64_t>::max());
            return 64;
        }
        seed = *replay;
        trace = true;
        runs = 1;
    }
    if (runs > 1 &&
        seed > std::numeric_limits<std::uint64_t>::max() - static_cast<std::uint64_t>(runs - 1)) {
        fmt::print(stderr, "warden-sim: --seed {} --runs {} runs past the last seed ({})\n", seed,
                   runs, std::numeric_limits<std::uint64_t>::max());
        return 64;
    }

    warden::sim::world_options o;
    // The host's engine config: the file's, then each flag given on top of it. Without either,
    // the world's defaults (warden's, with --target).
    const bool config_flag =
        app.count("--stall-after-seconds") + app.count("--start-grace-seconds") +
            app.count("--orphan-grace-seconds") + app.count("--daily-start-cap") +
            app.count("--daily-recovery-cap") + app.count("--disk-threshold-percent") +
            app.count("--max-starts-per-tick") >
        0;
    if (!config_path.empty() || config_flag) {
        warden::config c;
        c.campaign_year = warden::sim::world_campaign_year;
        c.ensure_min_running_jobs = target;
        if (!config_path.empty()) {
            const auto file = read_config_file(config_path);
            if (!file) return 64;
            c = *file;
            if (app.count("--target") > 0) c.ensure_min_running_jobs = target;
        }
        if (app.count("--stall-after-seconds") > 0)
            c.stall_after = warden::duration{stall_after_seconds};
        if (app.count("--start-grace-seconds") > 0)
            c.start_grace = warden::duration{start_grace_seconds};
        if (app.count("--orphan-grace-seconds") > 0)
            c.orphan_grace = warden::duration{orphan_grace_seconds};
        if (app.count("--daily-start-cap") > 0) c.daily_start_cap = daily_start_cap;
        if (app.count("--daily-recovery-cap") > 0) c.daily_recovery_cap = daily_recovery_cap;
        if (app.count("--disk-threshold-percent") > 0)
            c.disk_threshold_percent = disk_threshold_percent;
        if (app.count("--max-starts-per-tick") > 0) c.max_starts_per_tick = max_starts_per_tick;
        o.engine = c;
        target = c.ensure_min_running_jobs;
    }
    o.jobs = jobs;
    o.ticks = ticks;
    o.target_running = target;
    o.watchdog_period_ticks = period;
    o.tick_seconds = tick_seconds;
    o.legacy = *bugs;
    // B14 lives on the infra-error path: without refused jobs nothing takes it.
    if (bugs->has(14) && infra_error_share == 0.0) infra_error_share = 0.25;
    o.infra_error_share = infra_error_share;
    o.trace = trace;
    // B15 lives in the progress tracker, which only reads crawl logs.
    progress_logs = progress_logs || bugs->has(15);
    o.progress_logs = progress_logs;
    o.systemd_units = systemd_units;
    o.container_children = container_children;
    o.unmatched_waiting_rows = unmatched_waiting_rows;
    if (db == "sqlite") {
#if defined(WARDEN_SIM_SQLITE)
        warden::sim::sqlite_db::attach(o);
#else
        fmt::print(stderr, "warden-sim: built without SQLite (libsqlite3 not found)\n");
        return 64;
#endif
    }
    if (db == "postgres") {
        if (conninfo.empty()) {
            fmt::print(stderr, "warden-sim: --db postgres needs --conninfo (a libpq connection "
                               "string)\n");
            return 64;
        }
#if defined(WARDEN_SIM_POSTGRES)
        try { // a server that cannot be reached is a clear error before any tick, not a crash
            (void)warden::postgres::connection::open(conninfo);
        } catch (const warden::postgres::error& e) {
            fmt::print(stderr, "warden-sim: --conninfo: {}\n", e.what());
            return 64;
        }
        warden::sim::postgres_db::attach(o, conninfo);
#else
        fmt::print(stderr, "warden-sim: built without PostgreSQL (libpq not found)\n");
        return 64;
#endif
    } else if (!conninfo.empty()) {
        fmt::print(stderr, "warden-sim: --conninfo is for --db postgres\n");
        return 64;
    }
    // A progress line on stderr for multi-seed runs, only when stderr is a terminal.
    const bool progress = runs > 1 && ::isatty(2) == 1;
    // --stats: the simulator's speed (issue #22). Only the campaigns are timed (the world's
    // construction, its store included, and its run), not the printing or --check-determinism's
    // second run. Wall time, and this process's CPU time, which a loaded machine disturbs less
    // (a PostgreSQL server's work is in the wall time only).
    std::int64_t runs_done = 0;
    std::int64_t ticks_done = 0;
    std::int64_t job_ticks_done = 0;
    double wall_seconds = 0;
    double cpu_seconds = 0;
    const auto print_stats = [&] {
        if (!stats) return;
        const auto per = [&](double seconds) {
            return seconds > 0 ? static_cast<double>(job_ticks_done) / seconds : 0.0;
        };
        fmt::print("stats runs={} ticks={} job_ticks={} seconds={:.6f} cpu_seconds={:.6f} "
                   "job_ticks_per_second={:.0f} job_ticks_per_cpu_second={:.0f}\n",
                   runs_done, ticks_done, job_ticks_done, wall_seconds, cpu_seconds,
                   per(wall_seconds), per(cpu_seconds));
    };
    for (std::int64_t r = 0; r < runs; ++r) {
        if (progress && (r % 100 == 0 || r + 1 == runs))
            fmt::print(stderr, "\rwarden-sim: seed {} of {} ({}%)", r + 1, runs,
                       100 * (r + 1) / runs);
        o.seed = seed + static_cast<std::uint64_t>(r);
        if (swarm_config) {
            o = warden::sim::draw_world(o.seed, o);
            fmt::print("config seed={} {}\n", o.seed, warden::sim::config_flags(o));
        }
        if (mixed) warden::sim::mixed_world(o);
        if (refused(o)) return 64;
        o.rates = *rates;
        if (swarm) {
            if (!swarm_config) warden::sim::production_shape(o, o.seed);
            auto [swarmed, kept] = warden::sim::swarm(*rates, o.seed);
            o.rates = swarmed;
            fmt::print("swarm seed={} faults kept: {}\n", o.seed, kept);
        }
        const auto wall_start = std::chrono::steady_clock::now();
        const double cpu_start = process_cpu_seconds();
        warden::sim::world w(o);
        const warden::sim::summary s = w.run();
        cpu_seconds += process_cpu_seconds() - cpu_start;
        wall_seconds +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
        ++runs_done;
        ticks_done += s.ticks_run;
        job_ticks_done += s.job_ticks;
        if (trace)
            for (const auto& e : w.events())
                fmt::print("{}\n", warden::sim::format_event(e));
        if (runs == 1 || !s.violations.empty())
            fmt::print("{}", warden::sim::format_summary(s, o.tick_seconds));
        else
            fmt::print("seed={} completed={} config_failed={} violations=0 hash={:016x}\n", o.seed,
                       s.completed, s.failed_config, s.trace_hash);
        if (check_determinism) {
            auto again = o;
            again.trace = false;
            const auto s2 = warden::sim::run(again);
            if (s2.trace_hash != s.trace_hash) {
                fmt::print("NONDETERMINISM seed={}: trace hash {:016x} then {:016x}\n", o.seed,
                           s.trace_hash, s2.trace_hash);
                return 3;
            }
        }
        if (!s.violations.empty()) {
            if (progress) fmt::print(stderr, "\n");
            fmt::print(
                "reproduce with: warden-sim --replay {} {} --ticks {} --faults {} --legacy "
                "{}{}{}{}{}{} --db {}\n",
                o.seed, warden::sim::config_flags(o), ticks, faults, bugs->describe(),
                swarm ? " --swarm" : "",
                infra_error_share > 0 ? fmt::format(" --infra-error-share {}", infra_error_share)
                                      : std::string{},
                progress_logs ? " --progress-logs" : "",
                unmatched_waiting_rows ? " --unmatched-waiting-rows" : "", mixed ? " --mixed" : "",
                db == "postgres" ? "postgres --conninfo CONNINFO" : db);
            print_stats();
            return exit_code(s);
        }
    }
    if (progress) fmt::print(stderr, "\n");
    print_stats();
    return 0;
}
