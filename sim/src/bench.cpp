// warden-sim-bench: simulator throughput in job-ticks per second (a benchmark, not a test).
// One job-tick is one job simulated for one tick, watchdog included. Target: >= 1e6 on one core.
//   warden-sim-bench [jobs=100] [ticks=525600] [seeds=3] [model|sqlite]
#include <warden/sim/sim.hpp>
#if defined(WARDEN_SIM_SQLITE)
#include <warden/sim/sqlite_db.hpp>
#endif

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
    const std::int32_t jobs = argc > 1 ? std::atoi(argv[1]) : 100;
    const std::int64_t ticks = argc > 2 ? std::atoll(argv[2]) : 525600; // a year of minutes
    const int seeds = argc > 3 ? std::atoi(argv[3]) : 3;
    const std::string db = argc > 4 ? argv[4] : "model";
    if (db != "model" && db != "sqlite") {
        fmt::print(stderr, "warden-sim-bench: the store is model or sqlite, not '{}'\n", db);
        return 64;
    }
#if !defined(WARDEN_SIM_SQLITE)
    if (db == "sqlite") {
        fmt::print(stderr, "warden-sim-bench: built without SQLite (libsqlite3 not found)\n");
        return 64;
    }
#endif
    for (const bool order_check : {true, false}) {
        std::int64_t job_ticks = 0;
        std::uint64_t hashes = 0;
        const auto t0 = std::chrono::steady_clock::now();
        for (int s = 1; s <= seeds; ++s) {
            warden::sim::world_options o;
            o.seed = static_cast<std::uint64_t>(s);
            o.jobs = jobs;
            o.ticks = ticks;
            o.target_running = 4;
            o.check_order_independence = order_check;
#if defined(WARDEN_SIM_SQLITE)
            if (db == "sqlite") warden::sim::sqlite_db::attach(o);
#endif
            const auto r = warden::sim::run(o);
            job_ticks += r.job_ticks;
            hashes ^= r.trace_hash;
        }
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        fmt::print("db={} jobs={} ticks<={} seeds={} order_check={}: {} job-ticks in {:.3f} s = "
                   "{:.3g} job-ticks/s (hash {:016x})\n",
                   db, jobs, ticks, seeds, order_check ? "on" : "off", job_ticks, secs,
                   static_cast<double>(job_ticks) / secs, hashes);
    }
    return 0;
}
