// The PostgreSQL adapter's costs beside the SQLite adapter's (issue 20, item 5): load_snapshot of
// 100k rows, applying a 1,000-action plan in one transaction, and one tick (decide_and_apply) at
// 50 jobs. Medians of repeated runs, each on fresh tables in its own schema. Prints JSON.
// Usage: warden_postgres_bench [ROWS] [ACTIONS] [REPEATS]; the server from WARDEN_PG_CONNINFO or
// WARDEN_PG_DIR/conninfo (tests/adapters/postgres/server.sh start DIR).
#include <warden/adapters/postgres.hpp>
#include <warden/warden.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "../generator.hpp"

namespace pg = warden::postgres;

namespace {

const warden::timestamp now = warden_bench::adapter_bench_now;
using warden_bench::median;
using warden_bench::ms_since;

std::string server() {
    if (const char* c = std::getenv("WARDEN_PG_CONNINFO"); c && *c) return c;
    const char* dir = std::getenv("WARDEN_PG_DIR");
    std::ifstream in(std::string{dir ? dir : "."} + "/conninfo");
    std::string line;
    std::getline(in, line);
    return line;
}

// A connection into a fresh schema `name`.
pg::connection fresh(const std::string& base, const std::string& name) {
    auto admin = pg::connection::open(base);
    admin.exec(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", name));
    auto db = pg::connection::open(base + " options='-c search_path=" + name + "'");
    pg::create_schema(db);
    return db;
}

void drop(const std::string& base, const std::string& name) {
    auto admin = pg::connection::open(base);
    admin.exec(fmt::format("DROP SCHEMA IF EXISTS {} CASCADE", name));
}

// `rows` repairable jobs (bench/generator.hpp), as the SQLite benchmark's rows.
void fill(pg::connection& db, long rows) {
    warden_bench::fill_repairable(
        db, rows, [](pg::connection& c, const char* sql) { c.exec(sql); }, &pg::insert_job);
}

} // namespace

int main(int argc, char** argv) {
    const long rows = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 100000;
    const long actions = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 1000;
    const int repeats = argc > 3 ? static_cast<int>(std::strtol(argv[3], nullptr, 10)) : 5;
    const std::string base = server();
    const warden::config config{};
    const std::string prefix = fmt::format("bench_{}_", ::getpid());
    try {
        std::size_t loaded = 0;
        std::vector<double> load_ms;
        {
            auto db = fresh(base, prefix + "big");
            fill(db, rows);
            db.exec("ANALYZE");
            for (int r = 0; r < repeats; ++r) {
                const auto t0 = std::chrono::steady_clock::now();
                loaded = pg::load_snapshot(db, now, {}).jobs.size();
                load_ms.push_back(ms_since(t0));
            }
        }
        drop(base, prefix + "big");

        // Apply alone is timed: building and deciding the plan happen before the clock starts.
        std::int64_t applied = 0;
        std::vector<double> apply_ms;
        for (int r = 0; r < repeats; ++r) {
            const std::string name = fmt::format("{}apply{}", prefix, r);
            {
                auto db = fresh(base, name);
                fill(db, actions);
                warden::snapshot s = pg::load_snapshot(db, now, {});
                s.host.sentinel_present = true;
                const warden::plan p = warden::decide(s, config);
                const auto t0 = std::chrono::steady_clock::now();
                applied = pg::apply(db, p, now).applied;
                apply_ms.push_back(ms_since(t0));
            }
            drop(base, name);
        }

        // One tick at 50 jobs: lock, read, decide, write, commit (what `warden apply` does).
        std::vector<double> tick_ms;
        for (int r = 0; r < repeats; ++r) {
            const std::string name = fmt::format("{}tick{}", prefix, r);
            {
                auto db = fresh(base, name);
                fill(db, 50);
                pg::runtime_facts rt;
                rt.host.sentinel_present = true;
                const auto t0 = std::chrono::steady_clock::now();
                const auto done = pg::decide_and_apply(db, now, rt, [&](const warden::snapshot& s) {
                    return warden::decide(s, config);
                });
                tick_ms.push_back(ms_since(t0));
                if (done.result.applied != 50) return 1;
            }
            drop(base, name);
        }
        const double apply = median(apply_ms);
        std::printf("{\"load_rows\": %zu, \"load_snapshot_ms\": %.1f, \"apply_actions\": %lld, "
                    "\"apply_ms\": %.2f, \"apply_actions_per_s\": %.0f, \"tick_50_jobs_ms\": "
                    "%.2f, \"repeats\": %d}\n",
                    loaded, median(load_ms), static_cast<long long>(applied), apply,
                    1000.0 * static_cast<double>(applied) / apply, median(tick_ms), repeats);
        return loaded == static_cast<std::size_t>(rows) && applied == actions ? 0 : 1;
    } catch (const pg::error& e) {
        std::fprintf(stderr, "warden_postgres_bench: %s\n", e.what());
        return 1;
    }
}
