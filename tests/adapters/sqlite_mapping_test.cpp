// A host's own table through a mapping file on SQLite (issue 20, item 2): the same
// examples/mappings/archive_jobs.{json,sql} as the PostgreSQL adapter's test, the same names and
// statuses, the same compare-and-set on every host value of the expected status; the scenarios
// both adapters run are mapping_scenarios.hpp's, here with the SQLite side.
#include <warden/adapters/mapping_json.hpp>
#include <warden/adapters/sqlite.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../support/builders.hpp"
#include "../support/temp_sqlite.hpp"
#include "mapping_scenarios.hpp"

namespace {

namespace sq = warden::sqlite;
using sq_status = warden::sqlite::action_status;

using mapping_scenarios::example_mapping;
using mapping_scenarios::mapped_host;

std::string sq_text(sq::database& db, const std::string& sql) {
    sq::detail::statement st(db.handle(), sql);
    return st.step() ? st.text(0) : std::string{"<no row>"};
}

std::string epoch_ago(warden::duration ago) {
    return std::to_string(warden::epoch_seconds(wt::now - ago));
}

// The host's table (archive_jobs.sql, which SQLite takes as PostgreSQL does) with five jobs, and
// warden's own tables beside it.
sq::database archive_db(const wt::temp_db& t) {
    auto db = t.open(sq::database::mode::create);
    db.exec(mapping_scenarios::archive_table_sql());
    db.use_mapping(example_mapping("archive_jobs.json"));
    sq::create_schema(db);
    db.exec(mapping_scenarios::archive_rows_sql());
    return db;
}

// The SQLite side of the shared mapping scenarios (mapping_scenarios.hpp).
struct sqlite_side {
    using database = sq::database;
    using error = sq::error;
    static constexpr auto dialect = warden::adapters::sql_dialect::sqlite;
    static std::string text(sq::database& db, const std::string& sql) { return sq_text(db, sql); }
};

} // namespace

TEST_CASE("sqlite: the archive_jobs mapping reads and writes the host's own table and statuses",
          "[sqlite][mapping]") {
    wt::temp_db t;
    auto db = archive_db(t);
    // Only warden's own tables were created beside the host's.
    CHECK(wt::count(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'jobs'") == 0);
    CHECK(sq::read_schema_version(db) == sq::schema_version);

    mapping_scenarios::archive_jobs<sqlite_side>(db);
}

TEST_CASE("sqlite: failure classes through the mapping, both ways, with a fallback",
          "[sqlite][mapping]") {
    using warden::failure_class;
    using warden::job_status;
    wt::temp_db t;
    auto db = archive_db(t);
    const auto fail_with = [&](std::int64_t id, std::int64_t version, failure_class f) {
        const warden::set_status w{warden::job_id{id},
                                   job_status::running,
                                   version,
                                   job_status::failed,
                                   f,
                                   warden::rule_id{},
                                   "failed",
                                   {}};
        return sq::apply_one(db, w, wt::now);
    };
    SECTION("a class the host's column holds is stored as the host's value and reads back") {
        REQUIRE(fail_with(1, 4, failure_class::transient) == sq_status::applied);
        CHECK(sq_text(db, "SELECT failure_kind FROM archive_jobs WHERE job_id = 1") == "timeout");
        CHECK(sq::load_job(db, warden::job_id{1})->failure == failure_class::transient);
    }
    SECTION("orphaned, which the host's CHECK does not admit, is stored as the fallback") {
        REQUIRE(fail_with(1, 4, failure_class::orphaned) == sq_status::applied);
        CHECK(
            sq_text(db, "SELECT failure_kind || ' ' || state FROM archive_jobs WHERE job_id = 1") ==
            "other crawl_failed");
        // and reads as what the mapping says `other` is
        CHECK(sq::load_job(db, warden::job_id{1})->failure == failure_class::infra_error);
    }
    SECTION("a host class warden defines (host_70) goes to the fallback too") {
        REQUIRE(fail_with(1, 4, static_cast<failure_class>(70)) == sq_status::applied);
        CHECK(sq_text(db, "SELECT failure_kind FROM archive_jobs WHERE job_id = 1") == "other");
    }
    SECTION("a host value the mapping does not list reads as `unknown`, with a warning") {
        db.exec("UPDATE archive_jobs SET failure_kind = 'config_error' WHERE job_id = 5");
        auto m = db.mapping();
        // This mapping does not know config_error.
        std::erase_if(m.failure_reads, [](const auto& r) { return r.first == "config_error"; });
        std::erase_if(m.failure_writes, [](const auto& w) { return w.second == "config_error"; });
        m.failure_unknown = failure_class::infra_error_config;
        db.use_mapping(m);
        std::vector<sq::load_warning> warnings;
        const auto s = sq::load_snapshot(db, wt::now, mapped_host(), &warnings);
        REQUIRE(s.jobs.size() == 5);
        CHECK(s.jobs[4].failure == failure_class::infra_error_config);
        CHECK(s.jobs[0].failure == failure_class::none); // NULL: no class, no warning
        REQUIRE(warnings.size() == 1);
        CHECK(warnings[0].job == warden::job_id{5});
        CHECK(warnings[0].table == "archive_jobs");
        CHECK(warnings[0].message ==
              "archive_jobs.failure_kind where job_id = 5: \"config_error\" is not in the "
              "mapping's failure_classes.read: read as infra_error_config");
        CHECK(sq::load_job(db, warden::job_id{5})->failure == failure_class::infra_error_config);
    }
}

TEST_CASE("sqlite: a bad failure_classes mapping is refused, naming the key", "[sqlite][mapping]") {
    using warden::adapters::read_mapping;
    const auto first = [](const std::string& text) {
        warden::adapters::table_mapping m;
        const auto e = read_mapping(text, m);
        return e.empty() ? std::string{} : e.front();
    };
    CHECK(first(R"({"failure_classes": {"read": {"other": "infra_eror"}}})") ==
          "failure_classes.read.other: \"infra_eror\" is not a warden failure class");
    CHECK(first(R"({"failure_classes": {"write": {"orphaned": "other"}}})") ==
          "failure_classes.write.orphaned: \"other\" is not listed under failure_classes.read");
    CHECK(first(R"({"failure_classes": {"read": {"x": "transient"}, "fallback": "other"}})") ==
          "failure_classes.fallback: \"other\" is not listed under failure_classes.read");
    CHECK(first(R"({"failure_classes": {"unknown": "none"}})") ==
          "failure_classes.unknown: not a warden failure class (transient, infra_error, "
          "infra_error_config, orphaned, host_<64..255>)");
    CHECK(first(R"({"failure_classes": {"fallbak": "other"}})") ==
          "failure_classes.fallbak: unknown key (read, write, fallback, unknown)");
    CHECK(first(R"({"failure_classes": []})") == "failure_classes: not an object");
}

TEST_CASE("sqlite: history tables through the mapping", "[sqlite][mapping]") {
    using warden::job_status;
    wt::temp_db t;
    auto db = archive_db(t);
    db.exec("CREATE TABLE crawl_starts (archive_job_id BIGINT NOT NULL, started_epoch BIGINT NOT "
            "NULL); CREATE TABLE crawl_recoveries (archive_job_id BIGINT NOT NULL, at BIGINT NOT "
            "NULL, pages BIGINT)");
    auto m = db.mapping();
    warden::adapters::table_mapping parsed;
    const auto errors = warden::adapters::read_mapping(
        R"({"history": {"job_starts": {"table": "crawl_starts",
                          "columns": {"job_id": "archive_job_id", "at": "started_epoch"}},
                        "recovery_history": {"table": "crawl_recoveries",
                          "columns": {"job_id": "archive_job_id", "crawled_pages": "pages"}}}})",
        parsed);
    REQUIRE(errors.empty());
    m.starts = parsed.starts;
    m.recoveries = parsed.recoveries;
    db.use_mapping(m);
    // The host's start of job 1 an hour ago, and a row of a job the host deleted.
    db.exec("INSERT INTO crawl_starts VALUES (1, " + epoch_ago(std::chrono::hours{1}) + "), (99, " +
            epoch_ago(std::chrono::hours{2}) + ")");
    db.exec("INSERT INTO crawl_recoveries VALUES (1, " + epoch_ago(std::chrono::hours{3}) +
            ", 1234)");

    std::vector<sq::load_warning> warnings;
    const auto s = sq::load_snapshot(db, wt::now, mapped_host(), &warnings);
    REQUIRE(s.starts.size() == 1);
    CHECK(s.starts[0].job == warden::job_id{1});
    REQUIRE(s.recoveries.size() == 1);
    CHECK(s.recoveries[0].crawled_pages == 1234);
    std::erase_if(warnings, [](const auto& w) { return w.job != warden::job_id{99}; });
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].table == "crawl_starts");
    CHECK_THAT(warnings[0].message,
               Catch::StartsWith("crawl_starts: 1 row of job 99 skipped: no jobs row has this id"));

    SECTION("a start is recorded in the host's history table, and undone there") {
        warden::plan p;
        const auto start = wt::start_of(s.jobs[3]);
        p.actions.push_back(start);
        REQUIRE(sq::apply(db, p, wt::now).actions == std::vector<sq_status>{sq_status::applied});
        CHECK(wt::count(db, "SELECT count(*) FROM crawl_starts WHERE archive_job_id = 4 AND "
                            "started_epoch = " +
                                std::to_string(warden::epoch_seconds(wt::now))) == 1);
        CHECK(wt::count(db, "SELECT count(*) FROM job_starts") == 0);
        CHECK(sq::undo_start(db, start, s.jobs[3], wt::now, "launch failed") == sq_status::applied);
        CHECK(wt::count(db, "SELECT count(*) FROM crawl_starts WHERE archive_job_id = 4") == 0);
        CHECK(sq_text(db, "SELECT state FROM archive_jobs WHERE job_id = 4") == "queued");
    }
    SECTION("a stall recovery is recorded in the host's recovery table") {
        const warden::set_status recover{warden::job_id{1},
                                         job_status::running,
                                         4,
                                         job_status::retryable,
                                         std::nullopt,
                                         warden::rule_id::stall_recovery,
                                         "stalled",
                                         {}};
        REQUIRE(sq::apply_one(db, recover, wt::now) == sq_status::applied);
        CHECK(wt::count(db, "SELECT count(*) FROM crawl_recoveries WHERE archive_job_id = 1") == 2);
        CHECK(wt::count(db, "SELECT count(*) FROM recovery_history") == 0);
    }
    SECTION("a bad history mapping is refused, naming the key") {
        warden::adapters::table_mapping bad;
        const auto e = warden::adapters::read_mapping(
            R"({"history": {"job_starts": {"columns": {"when": "at"}}}})", bad);
        REQUIRE_FALSE(e.empty());
        CHECK(e.front() == "history.job_starts.columns.when: not a column of warden's job_starts "
                           "table");
        bad = {};
        const auto e2 = warden::adapters::read_mapping(R"({"history": {"starts": {}}})", bad);
        REQUIRE_FALSE(e2.empty());
        CHECK(e2.front() == "history.starts: unknown key (job_starts, recovery_history)");
    }
}

// Issue 20 item 2: HealthArchive keeps stall_timeout_minutes, docker_shm_size, skip_final_build
// and initial_workers in ArchiveJob.config's tool_options object; archive_jobs.json reads them
// there, and a write sets those keys with json_patch, keeping the rest of the JSON.
TEST_CASE("sqlite: tool options inside a JSON column, read and written through the mapping",
          "[sqlite][mapping]") {
    wt::temp_db t;
    auto db = archive_db(t);
    mapping_scenarios::json_tool_options<sqlite_side>(db);
}

TEST_CASE("sqlite: a JSON-column mapping is refused when it cannot be used, naming the key",
          "[sqlite][mapping]") {
    const auto errors_of = [](const std::string& text) {
        warden::adapters::table_mapping m;
        return warden::adapters::read_mapping(text, m);
    };
    using Catch::Matchers::VectorContains;
    CHECK_THAT(errors_of(R"({"columns": {"status": {"json": "config", "path": "state"}}})"),
               VectorContains(std::string{"columns.status: only a tool option "
                                          "(max_container_restarts, error_threshold_timeout, "
                                          "error_threshold_http, backoff_delay_minutes, "
                                          "page_cap, monitoring, adaptive_restart, "
                                          "stall_timeout_minutes, docker_shm_size, "
                                          "skip_final_build, initial_workers) may be read from a "
                                          "JSON column"}));
    CHECK_THAT(
        errors_of(R"({"columns": {"initial_workers": {"json": "config", "path": "a.b.c"}}})"),
        VectorContains(std::string{"columns.initial_workers.path: \"a.b.c\" must be one "
                                   "key or two (object.key), dot-separated"}));
    CHECK_THAT(errors_of(R"({"columns": {"initial_workers": {"json": "Config", "path": "a"}}})"),
               VectorContains(std::string{"columns.initial_workers.json: \"Config\" is not a "
                                          "plain lower-case SQL name"}));
    CHECK_THAT(errors_of(R"({"columns": {"initial_workers": {"path": "a"}}})"),
               VectorContains(std::string{"columns.initial_workers.json: missing (the JSON "
                                          "column)"}));
    // A count warden always writes would replace the host's fallback default with 0.
    CHECK_THAT(errors_of(R"({"columns": {"max_container_restarts": {"json": "config",
                                          "path": "tool_options.max_container_restarts"}}})"),
               VectorContains(std::string{"columns.max_container_restarts: warden always writes "
                                          "this count (a missing key would be written back as 0, "
                                          "replacing the host's default); keep it in a column"}));
    CHECK(errors_of(R"({"columns": {"initial_workers": {"json": "config",
                                     "path": "tool_options.initial_workers"}}})")
              .empty());
    // The JSON column may not be one warden maps for another of its columns.
    CHECK_THAT(errors_of(R"({"columns": {"monitoring": "config", "initial_workers":
                                         {"json": "config", "path": "tool_options.w"}}})"),
               VectorContains(std::string{"columns.initial_workers.json: \"config\" is also the "
                                          "column of monitoring; a JSON column must be one warden "
                                          "does not map"}));
    CHECK_THAT(
        errors_of(R"({"columns": {"initial_workers": {"json": "last_error", "path": "w"}}})"),
        VectorContains(std::string{"columns.initial_workers.json: \"last_error\" is also "
                                   "the column of last_error; a JSON column must be one "
                                   "warden does not map"}));
    CHECK_THAT(errors_of(R"({"columns": {"initial_workers": 3}})"),
               VectorContains(std::string{"columns.initial_workers: not a string (a column), "
                                          "an object (a JSON key) or null (no such column)"}));
}

// Issue 20 item 2: a host table without some of warden's columns maps them to null. The load
// reads them as absent; an action whose statement writes one is unsupported, naming the column,
// and every other action on its job is not_reached: nothing of that job written, the rest applied.
TEST_CASE("sqlite: columns the host lacks, mapped to null: read as absent, writes unsupported",
          "[sqlite][mapping]") {
    wt::temp_db t;
    auto db = t.open(sq::database::mode::create);
    mapping_scenarios::host_lacks_columns<sqlite_side>(db);

    SECTION("id, name, status and version are required") {
        warden::adapters::table_mapping bad;
        CHECK_THAT(warden::adapters::read_mapping(R"({"columns": {"version": null}})", bad),
                   Catch::Matchers::VectorContains(std::string{
                       "columns.version: required, may not be null (id, name, status and "
                       "version are)"}));
    }
}
