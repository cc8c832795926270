// A host's own table through a mapping file (issue 20, item 2, first part): the HealthArchive-
// shaped `archive_jobs` (examples/mappings/) with its own names and statuses, several host values
// reading as one warden status, writes storing the host's value, compare-and-set on every host
// value of the expected status; a bad mapping refused naming the field.
#include <warden/adapters/mapping_json.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "adapters/mapping_scenarios.hpp"
#include "fixture.hpp"
#include "support/builders.hpp"

using namespace wt;
using namespace pgt;
using status = pg::action_status;

namespace {

using mapping_scenarios::read_file;

warden::adapters::table_mapping archive_mapping() {
    return mapping_scenarios::example_mapping("archive_jobs.json");
}

std::string text(pg::connection& db, const std::string& sql) {
    const auto r = db.exec(sql);
    return r.rows() ? r.text(0, 0) : std::string{"<no row>"};
}

// The PostgreSQL side of the shared mapping scenarios (mapping_scenarios.hpp).
struct postgres_side {
    using database = pg::connection;
    using error = pg::error;
    static constexpr auto dialect = warden::adapters::sql_dialect::postgres;
    static std::string text(pg::connection& db, const std::string& sql) { return ::text(db, sql); }
};

// The host's table with the five archive_jobs rows (mapping_scenarios::archive_rows_sql), and
// warden's own tables beside it.
pg::connection archive_db(const fresh_db& t) {
    auto db = t.open();
    db.exec(mapping_scenarios::archive_table_sql());
    db.use_mapping(archive_mapping());
    pg::create_schema(db); // warden's own tables beside the host's
    db.exec(mapping_scenarios::archive_rows_sql());
    return db;
}

} // namespace

TEST_CASE("postgres: the archive_jobs mapping reads and writes the host's own table and statuses",
          "[postgres][mapping]") {
    fresh_db t;
    auto db = archive_db(t);
    mapping_scenarios::archive_jobs<postgres_side>(db);
}

TEST_CASE("postgres: failure classes through the mapping, both ways, with a fallback",
          "[postgres][mapping]") {
    fresh_db t;
    auto db = t.open();
    db.exec(read_file(WARDEN_EXAMPLES_DIR "/mappings/archive_jobs.sql"));
    db.use_mapping(archive_mapping());
    pg::create_schema(db);
    db.exec("INSERT INTO archive_jobs (job_id, job_name, state, queued_at, row_version, "
            "failure_kind) VALUES (1, 'a', 'crawling', 1770000000, 4, NULL), "
            "(2, 'b', 'crawl_failed', 1770000000, 2, 'config_error')");
    const auto fail_with = [&](warden::failure_class f) {
        const warden::set_status w{warden::job_id{1},
                                   job_status::running,
                                   4,
                                   job_status::failed,
                                   f,
                                   warden::rule_id{},
                                   "failed",
                                   {}};
        return pg::apply_one(db, w, now);
    };
    SECTION("a class the host's column holds is stored as the host's value and reads back") {
        REQUIRE(fail_with(warden::failure_class::transient) == status::applied);
        CHECK(text(db, "SELECT failure_kind FROM archive_jobs WHERE job_id = 1") == "timeout");
        CHECK(pg::load_job(db, warden::job_id{1})->failure == warden::failure_class::transient);
        CHECK(pg::load_job(db, warden::job_id{2})->failure ==
              warden::failure_class::infra_error_config);
    }
    SECTION("orphaned, which the host's CHECK does not admit, is stored as the fallback") {
        REQUIRE(fail_with(warden::failure_class::orphaned) == status::applied);
        CHECK(text(db, "SELECT failure_kind || ' ' || state FROM archive_jobs WHERE job_id = 1") ==
              "other crawl_failed");
        CHECK(pg::load_job(db, warden::job_id{1})->failure == warden::failure_class::infra_error);
    }
    SECTION("a host value the mapping does not list reads as `unknown`, with a warning") {
        auto m = db.mapping();
        std::erase_if(m.failure_reads, [](const auto& r) { return r.first == "config_error"; });
        std::erase_if(m.failure_writes, [](const auto& w) { return w.second == "config_error"; });
        db.use_mapping(m);
        std::vector<pg::load_warning> warnings;
        const auto s = pg::load_snapshot(db, now, {}, &warnings);
        REQUIRE(s.jobs.size() == 2);
        CHECK(s.jobs[1].failure == warden::failure_class::infra_error); // the file's `unknown`
        // Job 1 (crawling, NULL last_progress_at) has its own warning; job 2 has this one.
        std::erase_if(warnings, [](const auto& w) { return w.job != warden::job_id{2}; });
        REQUIRE(warnings.size() == 1);
        CHECK(warnings[0].table == "archive_jobs");
        CHECK(warnings[0].message ==
              "archive_jobs.failure_kind where job_id = 2: \"config_error\" is not in the "
              "mapping's failure_classes.read: read as infra_error");
    }
}

TEST_CASE("postgres: a bad mapping is refused, naming the field", "[postgres][mapping]") {
    using warden::adapters::read_mapping;
    warden::adapters::table_mapping m;
    auto first = [](const std::vector<std::string>& e) { return e.empty() ? std::string{} : e[0]; };
    CHECK_THAT(first(read_mapping(R"({"table": "Archive Jobs"})", m)),
               Catch::Contains("table: \"Archive Jobs\" is not a plain lower-case SQL name"));
    m = {};
    CHECK_THAT(first(read_mapping(R"({"columns": {"stauts": "state"}})", m)),
               Catch::Contains("columns.stauts: not a column of warden's jobs table"));
    m = {};
    CHECK_THAT(first(read_mapping(R"({"statuses": {"read": {"crawling": "runing"}}})", m)),
               Catch::Contains("statuses.read.crawling: \"runing\" is not a warden status"));
    m = {};
    // A written value that does not read back as the status written.
    CHECK_THAT(
        first(read_mapping(
            R"({"statuses": {"read": {"queued": "queued", "crawling": "running",
                       "retryable": "retryable", "completed": "completed", "failed": "failed"},
                       "write": {"running": "archived"}}})",
            m)),
        Catch::Contains("statuses.write.running: \"archived\" does not read back as running"));
    m = {};
    CHECK(first(read_mapping("[1]", m)) == "the mapping is not a JSON object");
    // And a connection refuses a mapping with errors.
    fresh_db t;
    auto db = t.open();
    warden::adapters::table_mapping bad;
    bad.table = "jobs; DROP TABLE x";
    CHECK_THROWS_AS(db.use_mapping(bad), pg::error);
}

// Issue 20 item 2: the SQLite test's twin (sqlite_mapping_test.cpp), with jsonb operators: the
// scenario both run (mapping_scenarios.hpp).
TEST_CASE("postgres: tool options inside a JSON column, read and written through the mapping",
          "[postgres][mapping]") {
    fresh_db t;
    auto db = archive_db(t);
    mapping_scenarios::json_tool_options<postgres_side>(db);
}

// Issue 20 item 2: the SQLite test's twin (sqlite_mapping_test.cpp): columns the host lacks.
TEST_CASE("postgres: columns the host lacks, mapped to null: read as absent, writes unsupported",
          "[postgres][mapping]") {
    fresh_db t;
    auto db = t.open();
    mapping_scenarios::host_lacks_columns<postgres_side>(db);
}

// undo_start deletes the start it recorded from the mapped history table (history.job_starts),
// as on SQLite; it deleted from warden's own job_starts, leaving the failed launch counted
// against the daily start cap.
TEST_CASE("postgres: undo_start through a history mapping deletes the host's start row",
          "[postgres][mapping]") {
    fresh_db t;
    auto db = t.open();
    db.exec(read_file(WARDEN_EXAMPLES_DIR "/mappings/archive_jobs.sql"));
    db.exec("CREATE TABLE crawl_starts (archive_job_id BIGINT NOT NULL, started_epoch BIGINT NOT "
            "NULL)");
    auto m = archive_mapping();
    m.starts = warden::adapters::history_mapping{
        "crawl_starts", {{"job_id", "archive_job_id"}, {"at", "started_epoch"}}};
    db.use_mapping(m);
    pg::create_schema(db);
    db.exec("INSERT INTO archive_jobs (job_id, job_name, state, queued_at, row_version) VALUES "
            "(4, 'hc-news', 'queued', " +
            std::to_string(warden::epoch_seconds(now - 40h)) + ", 1)");
    const auto before = pg::load_job(db, warden::job_id{4});
    REQUIRE(before);
    const auto start = start_of(*before);
    REQUIRE(pg::apply_one(db, start, now) == status::applied);
    CHECK(count(db, "SELECT count(*) FROM crawl_starts WHERE archive_job_id = 4") == 1);
    CHECK(pg::undo_start(db, start, *before, now, "launch failed") == status::applied);
    CHECK(count(db, "SELECT count(*) FROM crawl_starts WHERE archive_job_id = 4") == 0);
    CHECK(text(db, "SELECT state FROM archive_jobs WHERE job_id = 4") == "queued");
}
