// A host's own table through a mapping file (issue 20, item 2, first part): the HealthArchive-
// shaped `archive_jobs` (examples/mappings/) with its own names and statuses, several host values
// reading as one warden status, writes storing the host's value, compare-and-set on every host
// value of the expected status; a bad mapping refused naming the field.
#include <warden/adapters/mapping_json.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "fixture.hpp"
#include "support/builders.hpp"

using namespace wt;
using namespace pgt;
using status = pg::action_status;

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

warden::adapters::table_mapping archive_mapping() {
    warden::adapters::table_mapping m;
    const auto errors = warden::adapters::read_mapping(
        read_file(WARDEN_EXAMPLES_DIR "/mappings/archive_jobs.json"), m);
    REQUIRE(errors.empty());
    return m;
}

std::string text(pg::connection& db, const std::string& sql) {
    const auto r = db.exec(sql);
    return r.rows() ? r.text(0, 0) : std::string{"<no row>"};
}

} // namespace

TEST_CASE("postgres: the archive_jobs mapping reads and writes the host's own table and statuses",
          "[postgres][mapping]") {
    fresh_db t;
    auto db = t.open();
    db.exec(read_file(WARDEN_EXAMPLES_DIR "/mappings/archive_jobs.sql"));
    db.use_mapping(archive_mapping());
    pg::create_schema(db); // warden's own tables beside the host's
    const auto at = [](warden::duration ago) {
        return std::to_string(warden::epoch_seconds(now - ago));
    };
    db.exec("INSERT INTO archive_jobs (job_id, job_name, source_code, output_path, state, "
            "campaign_kind, campaign_year, queued_at, started_at, last_progress_at, attempts, "
            "row_version) VALUES "
            "(1, 'hc-20260101', 'hc', '/srv/crawls/hc', 'crawling', 'annual', 2026, " +
            at(48h) + ", " + at(5h) + ", " + at(1h) +
            ", 1, 4), "
            "(2, 'phac-20260101', 'phac', '/srv/crawls/phac', 'indexed', 'annual', 2026, " +
            at(48h) +
            ", NULL, NULL, 0, 7), "
            "(3, 'cihr-20260101', 'cihr', '/srv/crawls/cihr', 'index_failed', 'annual', 2026, " +
            at(48h) +
            ", NULL, NULL, 0, 3), "
            "(4, 'hc-news-20260101', 'hc', '/srv/crawls/hc-news', 'queued', 'annual', 2026, " +
            at(40h) +
            ", NULL, NULL, 0, 1), "
            "(5, 'old-20250101', 'hc', '/srv/crawls/old', 'crawl_failed', 'annual', 2026, " +
            at(90h) + ", NULL, NULL, 2, 2)");

    const auto s = pg::load_snapshot(db, now, {});
    REQUIRE(s.jobs.size() == 5);
    CHECK(s.jobs[0].status == job_status::running);
    CHECK(s.jobs[0].name == "hc-20260101");
    CHECK(s.jobs[0].output_dir == "/srv/crawls/hc");
    CHECK(s.jobs[0].retry_count == 1);
    CHECK(s.jobs[0].version == 4);
    CHECK(s.jobs[1].status == job_status::completed); // indexed
    CHECK(s.jobs[2].status == job_status::completed); // index_failed: the crawl completed
    CHECK(s.jobs[3].status == job_status::queued);
    CHECK(s.jobs[4].status == job_status::failed);
    CHECK(pg::load_job(db, warden::job_id{2})->version == 7);

    SECTION("a start stores the host's running value and bumps the host's version column") {
        warden::plan p;
        p.actions.push_back(start_of(s.jobs[3])); // the queued job 4, as read through the mapping
        const auto r = pg::apply(db, p, now);
        CHECK(r.actions == std::vector<status>{status::applied});
        CHECK(text(db, "SELECT state || ' ' || row_version FROM archive_jobs WHERE job_id = 4") ==
              "crawling 2");
        CHECK(count(db, "SELECT count(*) FROM job_starts WHERE job_id = 4") == 1);
    }
    SECTION("completed is written as the host's indexing, and reads back as completed") {
        const warden::set_status done{
            warden::job_id{1}, job_status::running, 4, job_status::completed, std::nullopt,
            warden::rule_id{}, "crawl finished",    {}};
        CHECK(pg::apply_one(db, done, now) == status::applied);
        CHECK(text(db, "SELECT state FROM archive_jobs WHERE job_id = 1") == "indexing");
        CHECK(pg::load_job(db, warden::job_id{1})->status == job_status::completed);
        CHECK(pg::load_job(db, warden::job_id{1})->completed_at == now);
    }
    SECTION("a compare-and-set expecting completed matches every host value that reads so") {
        const warden::set_status requeue2{
            warden::job_id{2}, job_status::completed, 7,         job_status::queued,
            std::nullopt,      warden::rule_id{},     "by hand", {}};
        const warden::set_status requeue3{
            warden::job_id{3}, job_status::completed, 3,         job_status::queued,
            std::nullopt,      warden::rule_id{},     "by hand", {}};
        CHECK(pg::apply_one(db, requeue2, now) == status::applied); // was indexed
        CHECK(pg::apply_one(db, requeue3, now) == status::applied); // was index_failed
        CHECK(count(db, "SELECT count(*) FROM archive_jobs WHERE state = 'queued'") == 3);
    }
    SECTION("the host moved the row: a conflict, the host's values kept") {
        db.exec("UPDATE archive_jobs SET state = 'indexing', row_version = row_version + 1 "
                "WHERE job_id = 1");
        const warden::set_status stale{
            warden::job_id{1}, job_status::running, 4,       job_status::retryable,
            std::nullopt,      warden::rule_id{},   "stale", {}};
        CHECK(pg::apply_one(db, stale, now) == status::conflict);
        CHECK(text(db, "SELECT state FROM archive_jobs WHERE job_id = 1") == "indexing");
    }
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

// Issue 20 item 2: the SQLite test's twin (sqlite_mapping_test.cpp), with jsonb operators.
TEST_CASE("postgres: tool options inside a JSON column, read and written through the mapping",
          "[postgres][mapping]") {
    fresh_db t;
    auto db = t.open();
    db.exec(read_file(WARDEN_EXAMPLES_DIR "/mappings/archive_jobs.sql"));
    db.use_mapping(archive_mapping());
    pg::create_schema(db);
    const std::string queued_at = std::to_string(warden::epoch_seconds(now - 40h));
    db.exec("INSERT INTO archive_jobs (job_id, job_name, state, queued_at, row_version, config) "
            "VALUES (1, 'hc-1', 'queued', " +
            queued_at + ", 1, NULL), (2, 'phac-1', 'queued', " + queued_at +
            ", 1, '{}'), (4, 'hc-news-1', 'queued', " + queued_at +
            R"(, 1, '{"seeds": ["https://www.canada.ca/hc"], "tool_options": )"
            R"({"stall_timeout_minutes": 90, "docker_shm_size": "2g", "skip_final_build": true, )"
            R"("initial_workers": 3, "log_level": "INFO"}}'))");
    const auto job4 = pg::load_job(db, warden::job_id{4});
    REQUIRE(job4);
    CHECK(job4->options.stall_timeout_minutes == 90);
    CHECK(job4->options.docker_shm_size == "2g");
    CHECK(job4->options.skip_final_build == true);
    CHECK(job4->options.initial_workers == 3);
    const auto job1 = pg::load_job(db, warden::job_id{1});
    CHECK(job1->options.initial_workers == std::nullopt);
    CHECK(job1->options.docker_shm_size.empty());

    SECTION("a start writes the keys into config.tool_options, the other keys kept") {
        warden::tool_options o{20, 50, 50, 2, std::nullopt};
        o.skip_final_build = false;
        o.initial_workers = 2;
        o.stall_timeout_minutes = 120; // docker_shm_size missing: its key is removed
        CHECK(pg::apply_one(db, start_of(*job4, o), now) == status::applied);
        CHECK(text(db, "SELECT config::text FROM archive_jobs WHERE job_id = 4") ==
              R"({"seeds": ["https://www.canada.ca/hc"], "tool_options": {"log_level": "INFO", )"
              R"("initial_workers": 2, "skip_final_build": false, "stall_timeout_minutes": 120}})");
        CHECK(text(db, "SELECT state || ' ' || max_container_restarts || ' ' || row_version "
                       "FROM archive_jobs WHERE job_id = 4") == "crawling 20 2");
        CHECK(pg::load_job(db, warden::job_id{4})->options == o);
    }
    SECTION("set_tool_options on a row with no config creates config.tool_options") {
        warden::tool_options after = job1->options;
        after.monitoring = true;
        after.stall_timeout_minutes = 60;
        after.skip_final_build = true;
        const warden::set_tool_options set{job1->id,      job1->status,
                                           job1->version, job1->options,
                                           after,         warden::rule_id::stall_recovery};
        CHECK(pg::apply_one(db, set, now) == status::applied);
        CHECK(text(db, "SELECT config::text FROM archive_jobs WHERE job_id = 1") ==
              R"({"tool_options": {"skip_final_build": true, "stall_timeout_minutes": 60}})");
        CHECK(text(db, "SELECT monitoring FROM archive_jobs WHERE job_id = 1") == "1");
        CHECK(pg::load_job(db, warden::job_id{1})->options == after);
    }
    SECTION("a wrong type is refused naming the job id, table, column and key") {
        const auto load_error = [&] {
            try {
                (void)pg::load_snapshot(db, now, {});
            } catch (const pg::error& e) {
                return std::string{e.what()};
            }
            return std::string{"<loaded>"};
        };
        using Catch::Matchers::Contains;
        const std::string where = "archive_jobs.config where job_id = 2";
        db.exec(
            R"(UPDATE archive_jobs SET config = '{"tool_options": {"initial_workers": "four"}}')"
            " WHERE job_id = 2");
        CHECK_THAT(load_error(), Contains(where) && Contains("key tool_options.initial_workers: "
                                                             "four (a string), expected a whole "
                                                             "number"));
        db.exec(R"(UPDATE archive_jobs SET config = '{"tool_options": {"skip_final_build": 1}}')"
                " WHERE job_id = 2");
        CHECK_THAT(load_error(), Contains(where) && Contains("key tool_options.skip_final_build: 1 "
                                                             "(a number), expected true or false"));
        db.exec(R"(UPDATE archive_jobs SET config = '{"tool_options": 7}' WHERE job_id = 2)");
        CHECK_THAT(load_error(),
                   Contains(where) && Contains("tool_options is a number, not an object"));
        db.exec(R"(UPDATE archive_jobs SET config = '[1]' WHERE job_id = 2)");
        CHECK_THAT(load_error(), Contains(where) && Contains("an array is not a JSON object"));
        db.exec(R"(UPDATE archive_jobs SET config = '{"tool_options": {"initial_workers": 4.5}}')"
                " WHERE job_id = 2");
        CHECK_THAT(load_error(), Contains(where) && Contains("expected a whole number in the "
                                                             "32-bit range"));
        // In apply mode (decide_and_apply reads in its write transaction): nothing written.
        const std::string before =
            text(db, "SELECT string_agg(state || row_version, ',' ORDER BY job_id) FROM "
                     "archive_jobs");
        CHECK_THROWS(pg::decide_and_apply(db, now, {}, [](const warden::snapshot& s) {
            return warden::decide(s, warden::config{});
        }));
        CHECK(text(db, "SELECT string_agg(state || row_version, ',' ORDER BY job_id) FROM "
                       "archive_jobs") == before);
    }
}

// Issue 20 item 2: the SQLite test's twin (sqlite_mapping_test.cpp): columns the host lacks.
TEST_CASE("postgres: columns the host lacks, mapped to null: read as absent, writes unsupported",
          "[postgres][mapping]") {
    fresh_db t;
    auto db = t.open();
    db.exec("CREATE TABLE small_jobs (id BIGINT PRIMARY KEY, name TEXT NOT NULL, "
            "status TEXT NOT NULL, queued_at BIGINT NOT NULL, started_at BIGINT, "
            "finished_at BIGINT, completed_at BIGINT, retry_count INTEGER NOT NULL DEFAULT 0, "
            "failure_class TEXT, version BIGINT NOT NULL DEFAULT 0, "
            "max_container_restarts INTEGER NOT NULL DEFAULT 0, "
            "error_threshold_timeout INTEGER NOT NULL DEFAULT 0, "
            "error_threshold_http INTEGER NOT NULL DEFAULT 0, "
            "backoff_delay_minutes INTEGER NOT NULL DEFAULT 0, page_cap INTEGER, "
            "monitoring SMALLINT, adaptive_restart SMALLINT, stall_timeout_minutes INTEGER, "
            "docker_shm_size TEXT, skip_final_build SMALLINT, initial_workers INTEGER)");
    warden::adapters::table_mapping m;
    const auto errors = warden::adapters::read_mapping(
        R"({"table": "small_jobs", "columns": {"source": null, "output_dir": null,
            "campaign_kind": null, "campaign_year": null, "last_progress_at": null,
            "last_error": null, "last_stage": null, "has_outputs": null, "created_at": null,
            "updated_at": null, "class": null, "group_key": null}})",
        m);
    REQUIRE(errors.empty());
    db.use_mapping(m);
    pg::create_schema(db);
    const std::string queued_at = std::to_string(warden::epoch_seconds(now - 40h));
    db.exec("INSERT INTO small_jobs (id, name, status, queued_at, version) VALUES (1, 'a', "
            "'queued', " +
            queued_at + ", 3), (2, 'b', 'queued', " + queued_at + ", 5)");
    const auto s = pg::load_snapshot(db, now, {});
    REQUIRE(s.jobs.size() == 2);
    CHECK(s.jobs[0].source.empty());
    CHECK(s.jobs[0].kind == warden::campaign_kind::none);
    CHECK(s.jobs[0].last_progress_at == std::nullopt);
    CHECK(s.jobs[0].version == 3);

    warden::plan p;
    p.actions.push_back(warden::backfill_campaign{warden::job_id{1}, job_status::queued, 3,
                                                  warden::campaign_kind::annual, 2026,
                                                  warden::rule_id::consistency_repair});
    p.actions.push_back(start_of(s.jobs[0]));
    p.actions.push_back(start_of(s.jobs[1]));
    const auto r = pg::apply(db, p, now);
    CHECK(r.actions ==
          std::vector<status>{status::unsupported, status::not_reached, status::applied});
    REQUIRE(r.unsupported.size() == 1);
    CHECK(r.unsupported[0].action == 0);
    CHECK(r.unsupported[0].column == "campaign_kind");
    CHECK(r.applied == 1);
    CHECK(text(db, "SELECT string_agg(status || version, ',' ORDER BY id) FROM small_jobs") ==
          "queued3,running6");
    // One action on its own is refused the same way, before any statement reaches the table.
    CHECK(pg::apply_one(db,
                        warden::backfill_campaign{warden::job_id{1}, job_status::queued, 3,
                                                  warden::campaign_kind::annual, 2026,
                                                  warden::rule_id::consistency_repair},
                        now) == status::unsupported);
    CHECK(text(db, "SELECT string_agg(status || version, ',' ORDER BY id) FROM small_jobs") ==
          "queued3,running6");
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
