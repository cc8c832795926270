// The SQLite adapter's costs (issue 5): applying a 1,000-action plan in one transaction on a WAL
// database, load_snapshot of 100k rows, and (issue 22) one tick (decide_and_apply) at 50 jobs, as
// the PostgreSQL benchmark's. Medians of repeated runs on fresh files. Prints JSON.
// Usage: warden_sqlite_bench [ROWS] [ACTIONS] [REPEATS]
#include <warden/adapters/sqlite.hpp>
#include <warden/warden.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>
#include <unistd.h>
#include <vector>

#include "../generator.hpp"

namespace sq = warden::sqlite;

namespace {

const warden::timestamp now = warden_bench::adapter_bench_now;

std::string fresh_path(int k) {
    const auto p = std::filesystem::temp_directory_path() /
                   fmt::format("warden-sqlite-bench-{}-{}.db", ::getpid(), k);
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(p.string() + suffix);
    return p.string();
}

void remove_db(const std::string& path) {
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(path + suffix);
}

// `rows` repairable jobs (bench/generator.hpp), as the PostgreSQL benchmark's rows.
sq::database filled(const std::string& path, long rows) {
    auto db = sq::database::open(path, sq::database::mode::create);
    db.exec("PRAGMA journal_mode = WAL");
    sq::create_schema(db);
    warden_bench::fill_repairable(
        db, rows, [](sq::database& d, const char* sql) { d.exec(sql); }, &sq::insert_job);
    return db;
}

template <class F>
double median_ms(int repeats, F&& f) {
    std::vector<double> ms;
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        f(r);
        ms.push_back(warden_bench::ms_since(t0));
    }
    return warden_bench::median(std::move(ms));
}

} // namespace

int main(int argc, char** argv) {
    const long rows = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 100000;
    const long actions = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 1000;
    const int repeats = argc > 3 ? static_cast<int>(std::strtol(argv[3], nullptr, 10)) : 5;
    const warden::config config{};

    const std::string big = fresh_path(0);
    {
        auto db = filled(big, rows);
        (void)db;
    }
    std::size_t loaded = 0;
    const double load_ms = median_ms(repeats, [&](int) {
        auto db = sq::database::open(big, sq::database::mode::read_only);
        loaded = sq::load_snapshot(db, now, {}).jobs.size();
    });

    // Apply alone is timed: building and deciding the plan happen before the clock starts.
    std::int64_t applied = 0;
    std::vector<double> apply_only;
    for (int r = 0; r < repeats; ++r) {
        const std::string path = fresh_path(200 + r);
        auto db = filled(path, actions);
        warden::snapshot s = sq::load_snapshot(db, now, {});
        s.host.sentinel_present = true;
        const warden::plan p = warden::decide(s, config);
        const auto t0 = std::chrono::steady_clock::now();
        applied = sq::apply(db, p, now).applied;
        apply_only.push_back(warden_bench::ms_since(t0));
        remove_db(path);
    }
    remove_db(big);

    // One tick at 50 jobs: lock, read, decide, write, commit (what `warden apply` does), as the
    // PostgreSQL benchmark's tick.
    // The fewest actions any repeat's tick applied: every repeat must apply all 50, not just the
    // last.
    std::int64_t tick_applied = std::numeric_limits<std::int64_t>::max();
    std::vector<double> tick_ms;
    for (int r = 0; r < repeats; ++r) {
        const std::string path = fresh_path(400 + r);
        auto db = filled(path, 50);
        sq::runtime_facts rt;
        rt.host.sentinel_present = true;
        const auto t0 = std::chrono::steady_clock::now();
        const auto done = sq::decide_and_apply(
            db, now, rt, [&](const warden::snapshot& s) { return warden::decide(s, config); });
        tick_ms.push_back(warden_bench::ms_since(t0));
        tick_applied = std::min<std::int64_t>(tick_applied, done.result.applied);
        remove_db(path);
    }
    const double apply = warden_bench::median(std::move(apply_only));
    std::printf("{\"load_rows\": %zu, \"load_snapshot_ms\": %.1f, \"apply_actions\": %lld, "
                "\"apply_ms\": %.2f, \"apply_actions_per_s\": %.0f, \"tick_50_jobs_ms\": %.3f, "
                "\"repeats\": %d}\n",
                loaded, load_ms, static_cast<long long>(applied), apply,
                1000.0 * static_cast<double>(applied) / apply,
                warden_bench::median(std::move(tick_ms)), repeats);
    return loaded == static_cast<std::size_t>(rows) && applied == actions && tick_applied == 50 ? 0
                                                                                                : 1;
}
