// `warden tick`'s host side (docs/host.md, "tick"): the "tick" section of the host config and the
// run lock, on real files and against a real util-linux flock(1) holder.
#include <warden/host/config.hpp>
#include <warden/host/detail/posix.hpp>
#include <warden/host/run_lock.hpp>
#include <warden/io/json.hpp>

#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "../support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using warden::host::run_lock;
using wt::temp_dir;

} // namespace

TEST_CASE("host config: the tick section is read, and tick's requirements named",
          "[host][config][tick]") {
    const std::string probe = R"("probe": {"sentinel_path": "/etc/on"})";
    const auto doc = warden::host::parse_host_config("{" + probe + R"(,
      "tick": {"database": "/var/lib/warden/jobs.db", "run_lock_path": "/run/warden.lock",
               "metrics_path": "/var/lib/node/warden.prom",
               "config": {"ensure_min_running_jobs": 2}}})");
    REQUIRE(doc.ok());
    const auto& t = doc.config.tick;
    CHECK(t.present);
    CHECK(t.database == "/var/lib/warden/jobs.db");
    CHECK(t.run_lock_path == "/run/warden.lock");
    CHECK(t.metrics_path == "/var/lib/node/warden.prom");
    CHECK(t.config_json == R"({"ensure_min_running_jobs":2})");
    CHECK(t.config_path.empty());
    CHECK(warden::host::tick_config_errors(doc.config).empty());

    const auto by_path = warden::host::parse_host_config("{" + probe + R"(,
      "tick": {"database": "/d.db", "run_lock_path": "/l", "config": "/etc/warden/engine.json",
               "sentinel_path": "/etc/tick-on", "future": 1}})");
    REQUIRE(by_path.ok());
    CHECK(by_path.config.tick.config_path == "/etc/warden/engine.json");
    CHECK(by_path.config.tick.sentinel_path == "/etc/tick-on");
    CHECK(by_path.warnings == std::vector<std::string>{"tick.future: unknown key, ignored"});

    // Wrong types are errors for every command; missing keys only for tick, so that `warden
    // probe` still reads a file whose "tick" section is being written.
    const auto bad = warden::host::parse_host_config(R"({"probe": {},
      "tick": {"database": "jobs.db", "config": 3, "run_lock_path": 7}})");
    const std::vector<std::string> want = {
        "tick.database: \"jobs.db\" is not an absolute path nor a postgresql:// URI",
        "tick.config: expected an object (the engine config) or the path of a file holding it, "
        "got an integer",
        "tick.run_lock_path: expected a string, got an integer"};
    CHECK(bad.errors == want);
    // A PostgreSQL connection URI names no file: it is not a path to check (issue 20).
    const auto pg = warden::host::parse_host_config(R"({"probe": {},
      "tick": {"database": "postgresql://warden@db.example/jobs", "run_lock_path": "/run/w.lock",
               "sentinel_path": "/etc/tick-on"}})");
    CHECK(pg.ok());
    CHECK(pg.config.tick.database == "postgresql://warden@db.example/jobs");
    // tick.scope_lock (issue 20 item 3): a PostgreSQL tick's scope; refused on SQLite, where
    // the database's write lock already serialises watchdogs, and refused when it is not a name.
    const auto scoped = warden::host::parse_host_config(R"({"probe": {},
      "tick": {"database": "postgresql://warden@db.example/jobs", "run_lock_path": "/run/w.lock",
               "sentinel_path": "/etc/tick-on", "scope_lock": "crawl-host-3"}})");
    REQUIRE(scoped.ok());
    CHECK(scoped.config.tick.scope_lock == "crawl-host-3");
    CHECK(warden::host::tick_config_errors(scoped.config).empty());
    const auto scoped_sqlite = warden::host::parse_host_config(R"({"probe": {},
      "tick": {"database": "/d.db", "run_lock_path": "/run/w.lock",
               "sentinel_path": "/etc/tick-on", "scope_lock": "crawl-host-3"}})");
    REQUIRE(scoped_sqlite.ok());
    CHECK(warden::host::tick_config_errors(scoped_sqlite.config) ==
          std::vector<std::string>{"tick.scope_lock: needs a PostgreSQL tick.database (SQLite's "
                                   "write lock already lets one watchdog write at a time)"});
    for (const char* bad_scope : {R"("")", R"("two words")", "7"}) {
        const auto refused = warden::host::parse_host_config(
            std::string{R"({"probe": {}, "tick": {"scope_lock": )"} + bad_scope + "}}");
        INFO(bad_scope);
        REQUIRE(refused.errors.size() == 1);
        CHECK(refused.errors[0].rfind("tick.scope_lock: ", 0) == 0);
    }
    const auto empty = warden::host::parse_host_config(R"({"probe": {}, "tick": {}})");
    CHECK(empty.ok());
    const std::vector<std::string> missing = {
        "tick.database: required", "tick.run_lock_path: required",
        "tick.sentinel_path: required when probe.sentinel_path is not set (without a sentinel "
        "file a tick could never apply)"};
    CHECK(warden::host::tick_config_errors(empty.config) == missing);
    const auto none = warden::host::parse_host_config(R"({"probe": {}})");
    CHECK(warden::host::tick_config_errors(none.config) ==
          std::vector<std::string>{"tick: required by warden tick"});
}

TEST_CASE("host config: the HealthArchive example's tick section is complete and its engine "
          "config valid",
          "[host][config][tick]") {
    const auto text = warden::host::detail::read_file(
        std::string{WARDEN_SOURCE_DIR} + "/contrib/healtharchive.host.json", 1 << 20);
    REQUIRE(text.error == 0);
    const auto doc = warden::host::parse_host_config(text.text);
    REQUIRE(doc.ok());
    CHECK(warden::host::tick_config_errors(doc.config).empty());
    CHECK(doc.config.tick.database == "/var/lib/warden/jobs.db");
    // The engine config as tick reads it: the "config" of a runtime document.
    const auto read = warden::read_snapshot_document(
        R"({"now": "2026-02-03T12:00:00Z", "config": )" + doc.config.tick.config_json + "}", {});
    CHECK(read.ok());
    CHECK(read.warnings.empty());
    // Production's deployed watchdog (healtharchive-crawl-auto-recover.service):
    // --ensure-min-running-jobs 3, --start-max-disk-usage-percent 88, and its per-source
    // profiles (src/ha_backend/job_registry.py's default_tool_options; docs/parity.md).
    CHECK(read.config.ensure_min_running_jobs == 3);
    CHECK(read.config.disk_threshold_percent == 88.0);
    CHECK(read.config.stall_after == std::chrono::minutes{60});
    REQUIRE(read.config.source_profiles.size() == 3);
    warden::source_profile hc{75, 55, 55, 15, 24};
    hc.initial_workers = 2;
    warden::source_profile phac{90, 65, 65, 3, 30};
    phac.initial_workers = 2;
    warden::source_profile cihr{45, 35, 35, 1, 20};
    cihr.initial_workers = 3;
    CHECK(read.config.source_profiles.at("hc") == hc);
    CHECK(read.config.source_profiles.at("phac") == phac);
    CHECK(read.config.source_profiles.at("cihr") == cihr);
}

TEST_CASE("run lock: a second taker is busy while flock(1) holds it, and it is free after",
          "[host][tick]") {
    temp_dir dir;
    const std::string path = (dir.path / "tick.lock").string();
    {
        const run_lock mine(path);
        REQUIRE(mine.status() == run_lock::state::acquired);
        CHECK(fs::exists(path));
        // flock(2) locks belong to the open file description: a second open in this process is
        // refused as another process's would be.
        const run_lock second(path);
        CHECK(second.status() == run_lock::state::busy);
        CHECK(second.error_number() == EWOULDBLOCK);
    }
    CHECK(run_lock(path).status() == run_lock::state::acquired); // released by the destructor

    // Held by util-linux flock(1) in another process, as production's `flock -n` would be.
    const pid_t holder = ::fork();
    REQUIRE(holder >= 0);
    if (holder == 0) {
        ::execlp("flock", "flock", path.c_str(), "sleep", "5", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    bool held = false;
    for (int i = 0; i < 100 && !held; ++i) {
        held = run_lock(path).status() == run_lock::state::busy;
        if (!held) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(held);
    ::kill(holder, SIGKILL);
    int status = 0;
    ::waitpid(holder, &status, 0);
    // The holder died: the kernel released its lock (sleep, its child, held the descriptor too
    // until it is gone; wait for it).
    bool free = false;
    for (int i = 0; i < 200 && !free; ++i) {
        free = run_lock(path).status() == run_lock::state::acquired;
        if (!free) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(free);

    const run_lock nowhere((dir.path / "missing" / "tick.lock").string());
    CHECK(nowhere.status() == run_lock::state::failed);
    CHECK(nowhere.error_number() == ENOENT);
}
