#pragma once
// The mapping scenarios both adapters' tests run (issue 20, item 2): the HealthArchive-shaped
// `archive_jobs` table (examples/mappings/archive_jobs.{json,sql}) with its own names and
// statuses, read and written through the mapping; tool options kept in its JSON column. One
// scenario set, run over the SQLite adapter (tests/adapters/sqlite_mapping_test.cpp) and the
// PostgreSQL adapter (tests/adapters/postgres/mapping_test.cpp), each with its own fixture.
//
// A side (the adapter's half of the fixture) supplies:
//   database                   the adapter's connection type; the adapter's functions
//                              (load_snapshot, load_job, apply, apply_one, decide_and_apply)
//                              are found on it by argument-dependent lookup
//   error                      the adapter's error type
//   dialect                    the database's SQL (warden::adapters::sql_dialect): its column
//                              types and how it prints JSON (dialect_texts below)
//   text(db, sql)              the first column of the first row, "<no row>" without one
#include <warden/adapters/apply_result.hpp>
#include <warden/adapters/json_options.hpp>
#include <warden/adapters/load_types.hpp>
#include <warden/adapters/mapping.hpp>
#include <warden/adapters/mapping_json.hpp>
#include <warden/engine.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "../support/builders.hpp"

namespace mapping_scenarios {

inline std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// examples/mappings/`name`, read; its errors fail the test.
inline warden::adapters::table_mapping example_mapping(const std::string& name) {
    warden::adapters::table_mapping m;
    const auto errors =
        warden::adapters::read_mapping(read_file(WARDEN_EXAMPLES_DIR "/mappings/" + name), m);
    INFO((errors.empty() ? std::string{} : errors.front()));
    REQUIRE(errors.empty());
    return m;
}

// The host's table (archive_jobs.sql, which SQLite takes as PostgreSQL does).
inline std::string archive_table_sql() {
    return read_file(WARDEN_EXAMPLES_DIR "/mappings/archive_jobs.sql");
}

// Five jobs in the host's terms: 1 crawling (retried once, version 4), 2 indexed, 3
// index_failed, 4 queued, 5 crawl_failed (two attempts).
inline std::string archive_rows_sql() {
    const auto ago = [](std::chrono::hours h) {
        return std::to_string(warden::epoch_seconds(wt::now - h));
    };
    using std::chrono::hours;
    return "INSERT INTO archive_jobs (job_id, job_name, source_code, output_path, state, "
           "campaign_kind, campaign_year, queued_at, started_at, last_progress_at, attempts, "
           "row_version) VALUES "
           "(1, 'hc-20260101', 'hc', '/srv/crawls/hc', 'crawling', 'annual', 2026, " +
           ago(hours{48}) + ", " + ago(hours{5}) + ", " + ago(hours{1}) +
           ", 1, 4), "
           "(2, 'phac-20260101', 'phac', '/srv/crawls/phac', 'indexed', 'annual', 2026, " +
           ago(hours{48}) +
           ", NULL, NULL, 0, 7), "
           "(3, 'cihr-20260101', 'cihr', '/srv/crawls/cihr', 'index_failed', 'annual', 2026, " +
           ago(hours{48}) +
           ", NULL, NULL, 0, 3), "
           "(4, 'hc-news-20260101', 'hc', '/srv/crawls/hc-news', 'queued', 'annual', 2026, " +
           ago(hours{40}) +
           ", NULL, NULL, 0, 1), "
           "(5, 'old-20250101', 'hc', '/srv/crawls/old', 'crawl_failed', 'annual', 2026, " +
           ago(hours{90}) + ", NULL, NULL, 2, 2)";
}

// What differs between the databases in these scenarios: the config column read as text
// (SQLite's json() keeps the keys in order, jsonb sorts them) and what the two JSON writes leave
// there; whether the JSON column takes text that is not JSON (SQLite's does, jsonb refuses it);
// the integer column types of small_jobs (SQLite: INTEGER, so that id is the rowid).
struct dialect_texts {
    const char* config_text;
    const char* started_config;
    const char* edited_config;
    bool json_is_text;
    const char* bigint;
    const char* smallint;
};

inline dialect_texts texts_of(warden::adapters::sql_dialect d) {
    if (d == warden::adapters::sql_dialect::sqlite)
        return {"json(config)",
                R"({"seeds":["https://www.canada.ca/hc"],"tool_options":{"stall_timeout_minutes":)"
                R"(120,"skip_final_build":false,"initial_workers":2,"log_level":"INFO"}})",
                R"({"tool_options":{"stall_timeout_minutes":60,"skip_final_build":true}})",
                true,
                "INTEGER",
                "INTEGER"};
    return {"config::text",
            R"({"seeds": ["https://www.canada.ca/hc"], "tool_options": {"log_level": "INFO", )"
            R"("initial_workers": 2, "skip_final_build": false, "stall_timeout_minutes": 120}})",
            R"({"tool_options": {"skip_final_build": true, "stall_timeout_minutes": 60}})",
            false,
            "BIGINT",
            "SMALLINT"};
}

// The first column of the first row of `sql` (a count), as an integer.
template <class Side>
std::int64_t count(typename Side::database& db, const std::string& sql) {
    return std::stoll(Side::text(db, sql));
}

// Every archive_jobs row's state and row_version, in job_id order: whether anything was written.
template <class Side>
std::string states(typename Side::database& db) {
    std::string out;
    for (int id = 1; id <= 5; ++id)
        out += Side::text(db, "SELECT state || row_version FROM archive_jobs WHERE job_id = " +
                                  std::to_string(id)) +
               ",";
    return out;
}

// CREATE TABLE small_jobs, a host table without warden's optional columns, in `d`'s types.
inline std::string small_jobs_table(warden::adapters::sql_dialect d) {
    const dialect_texts t = texts_of(d);
    const std::string big = t.bigint;
    const std::string small = t.smallint;
    return "CREATE TABLE small_jobs (id " + big + " PRIMARY KEY, name TEXT NOT NULL, " +
           "status TEXT NOT NULL, queued_at " + big + " NOT NULL, started_at " + big +
           ", finished_at " + big + ", completed_at " + big +
           ", retry_count INTEGER NOT NULL DEFAULT 0, failure_class TEXT, version " + big +
           " NOT NULL DEFAULT 0, max_container_restarts INTEGER NOT NULL DEFAULT 0, "
           "error_threshold_timeout INTEGER NOT NULL DEFAULT 0, "
           "error_threshold_http INTEGER NOT NULL DEFAULT 0, "
           "backoff_delay_minutes INTEGER NOT NULL DEFAULT 0, page_cap INTEGER, monitoring " +
           small + ", adaptive_restart " + small +
           ", stall_timeout_minutes INTEGER, docker_shm_size TEXT, skip_final_build " + small +
           ", initial_workers INTEGER)";
}

// What the host probed: its sentinel present, no deploy lock, disk at 40 %.
inline warden::adapters::runtime_facts mapped_host() {
    warden::adapters::runtime_facts r;
    r.host = {true, false, 40.0};
    return r;
}

// The engine deciding with `c`, for decide_and_apply. A named type, not a lambda: g++ 12 fails
// (an internal compiler error in check_noexcept_r) on that lambda inside these templates.
struct deciding_with {
    warden::config c;
    [[nodiscard]] warden::plan operator()(const warden::snapshot& s) const {
        return warden::decide(s, c);
    }
};

[[nodiscard]] inline deciding_with deciding_with_defaults() {
    return deciding_with{warden::config{}};
}

// The archive_jobs rows (archive_rows_sql) read through the mapping; each write lands in the
// host's terms: its status values, version and attempts columns, several host values reading as
// one warden status and each of them matched by a compare-and-set.
template <class Side>
void archive_jobs(typename Side::database& db) {
    using warden::job_status;
    using status = warden::adapters::action_status;
    const auto s = load_snapshot(db, wt::now, warden::adapters::runtime_facts{});
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
    CHECK(load_job(db, warden::job_id{2})->version == 7);

    SECTION("a start stores the host's running value and bumps the host's version column") {
        warden::plan p;
        p.actions.push_back(wt::start_of(s.jobs[3])); // the queued job 4, read through the mapping
        const auto r = apply(db, p, wt::now);
        CHECK(r.actions == std::vector<status>{status::applied});
        CHECK(Side::text(db,
                         "SELECT state || ' ' || row_version FROM archive_jobs WHERE job_id = 4") ==
              "crawling 2");
        CHECK(count<Side>(db, "SELECT count(*) FROM job_starts WHERE job_id = 4") == 1);
        // The start reads back through the mapping as the start it was.
        const auto j = load_job(db, warden::job_id{4});
        CHECK(j->status == job_status::running);
        CHECK(j->started_at == wt::now);
    }
    SECTION("completed is written as the host's indexing, and reads back as completed") {
        const warden::set_status done{
            warden::job_id{1}, job_status::running, 4, job_status::completed, std::nullopt,
            warden::rule_id{}, "crawl finished",    {}};
        CHECK(apply_one(db, done, wt::now) == status::applied);
        CHECK(Side::text(db, "SELECT state FROM archive_jobs WHERE job_id = 1") == "indexing");
        CHECK(load_job(db, warden::job_id{1})->status == job_status::completed);
        CHECK(load_job(db, warden::job_id{1})->completed_at == wt::now);
        CHECK(load_job(db, warden::job_id{1})->finished_at == wt::now);
    }
    SECTION("a compare-and-set expecting completed matches every host value that reads so") {
        const warden::set_status requeue2{
            warden::job_id{2}, job_status::completed, 7,         job_status::queued,
            std::nullopt,      warden::rule_id{},     "by hand", {}};
        const warden::set_status requeue3{
            warden::job_id{3}, job_status::completed, 3,         job_status::queued,
            std::nullopt,      warden::rule_id{},     "by hand", {}};
        CHECK(apply_one(db, requeue2, wt::now) == status::applied); // was indexed
        CHECK(apply_one(db, requeue3, wt::now) == status::applied); // was index_failed
        CHECK(count<Side>(db, "SELECT count(*) FROM archive_jobs WHERE state = 'queued'") == 3);
    }
    SECTION("the host moved the row: a conflict, the host's values kept") {
        db.exec("UPDATE archive_jobs SET state = 'indexing', row_version = row_version + 1 "
                "WHERE job_id = 1");
        const warden::set_status stale{
            warden::job_id{1}, job_status::running, 4,       job_status::retryable,
            std::nullopt,      warden::rule_id{},   "stale", {}};
        CHECK(apply_one(db, stale, wt::now) == status::conflict);
        CHECK(Side::text(db, "SELECT state FROM archive_jobs WHERE job_id = 1") == "indexing");
        CHECK(Side::text(db,
                         "SELECT state || ' ' || row_version FROM archive_jobs WHERE job_id = 1") ==
              "indexing 5");
    }
    SECTION("a retryable row's start counts a retry, in the host's attempts column") {
        db.exec("UPDATE archive_jobs SET state = 'retry_wait' WHERE job_id = 5");
        const auto again = load_job(db, warden::job_id{5});
        REQUIRE(again->status == job_status::retryable);
        warden::plan p;
        p.actions.push_back(wt::start_of(*again));
        CHECK(apply(db, p, wt::now).actions == std::vector<status>{status::applied});
        CHECK(
            Side::text(db, "SELECT state || ' ' || attempts FROM archive_jobs WHERE job_id = 5") ==
            "crawling 3");
    }
    SECTION("decide_and_apply decides on the mapped rows and writes through the mapping") {
        // Job 1 (crawling, no lock, no process) is the engine's to recover; what it decides is
        // not this test's subject, only that each write lands in the host's terms.
        warden::config c;
        c.ensure_min_running_jobs = 2;
        const auto r = decide_and_apply(db, wt::now, mapped_host(), deciding_with{c});
        CHECK(r.plan.errors.empty());
        CHECK(r.result.committed);
        REQUIRE_FALSE(r.plan.actions.empty());
        CHECK(r.result.applied == static_cast<std::int64_t>(r.plan.actions.size()));
        const auto& m = db.mapping();
        for (const auto& a : r.plan.actions) {
            const auto* write = std::get_if<warden::set_status>(&a);
            if (!write) continue;
            CHECK(Side::text(db, "SELECT state FROM archive_jobs WHERE job_id = " +
                                     std::to_string(warden::to_int(write->job))) ==
                  m.stored(write->status));
        }
    }
}

// Tool options kept in the host's JSON column (config.tool_options, archive_jobs.json's
// json_fields) on the archive_jobs rows: read, written by a start and by set_tool_options with
// the other keys kept, and a wrong type refused naming the job id, table, column and key.
template <class Side>
void json_tool_options(typename Side::database& db) {
    using status = warden::adapters::action_status;
    const dialect_texts texts = texts_of(Side::dialect);
    const auto config_of = [&](int id) {
        return "SELECT " + std::string{texts.config_text} +
               " FROM archive_jobs WHERE job_id = " + std::to_string(id);
    };
    db.exec(R"sql(UPDATE archive_jobs SET config = '{"seeds": ["https://www.canada.ca/hc"], )sql"
            R"sql("tool_options": {"stall_timeout_minutes": 90, "docker_shm_size": "2g", )sql"
            R"sql("skip_final_build": true, "initial_workers": 3, "log_level": "INFO"}}' )sql"
            "WHERE job_id = 4");
    const auto job4 = load_job(db, warden::job_id{4});
    REQUIRE(job4);
    CHECK(job4->options.stall_timeout_minutes == 90);
    CHECK(job4->options.docker_shm_size == "2g");
    CHECK(job4->options.skip_final_build == true);
    CHECK(job4->options.initial_workers == 3);
    // No config at all (job 1): every option in it missing.
    const auto job1 = load_job(db, warden::job_id{1});
    CHECK(job1->options.initial_workers == std::nullopt);
    CHECK(job1->options.docker_shm_size.empty());

    SECTION("a start writes the keys into config.tool_options, the other keys kept") {
        warden::tool_options o{20, 50, 50, 2, std::nullopt};
        o.skip_final_build = false;
        o.initial_workers = 2;
        o.stall_timeout_minutes = 120; // docker_shm_size missing: its key is removed
        CHECK(apply_one(db, wt::start_of(*job4, o), wt::now) == status::applied);
        CHECK(Side::text(db, config_of(4)) == texts.started_config);
        CHECK(Side::text(db, "SELECT state || ' ' || max_container_restarts || ' ' || row_version "
                             "FROM archive_jobs WHERE job_id = 4") == "crawling 20 2");
        CHECK(load_job(db, warden::job_id{4})->options == o);
    }
    SECTION("set_tool_options on a row with no config creates config.tool_options") {
        warden::tool_options after = job1->options;
        after.monitoring = true;
        after.stall_timeout_minutes = 60;
        after.skip_final_build = true;
        const warden::set_tool_options set{job1->id,      job1->status,
                                           job1->version, job1->options,
                                           after,         warden::rule_id::stall_recovery};
        CHECK(apply_one(db, set, wt::now) == status::applied);
        CHECK(Side::text(db, config_of(1)) == texts.edited_config);
        CHECK(Side::text(db, "SELECT monitoring FROM archive_jobs WHERE job_id = 1") == "1");
        CHECK(load_job(db, warden::job_id{1})->options == after);
    }
    SECTION("a wrong type is refused naming the job id, table, column and key") {
        const auto load_error = [&] {
            try {
                (void)load_snapshot(db, wt::now, mapped_host());
            } catch (const typename Side::error& e) {
                return std::string{e.what()};
            }
            return std::string{"<loaded>"};
        };
        using Catch::Matchers::Contains;
        const std::string where = "archive_jobs.config where job_id = 2";
        db.exec(
            R"(UPDATE archive_jobs SET config = '{"tool_options": {"initial_workers": "four"}}')"
            " WHERE job_id = 2");
        CHECK_THAT(load_error(),
                   Contains(where) &&
                       Contains("key tool_options.initial_workers: four (a string), expected a "
                                "whole number"));
        db.exec(R"(UPDATE archive_jobs SET config = '{"tool_options": {"skip_final_build": 1}}')"
                " WHERE job_id = 2");
        CHECK_THAT(load_error(),
                   Contains(where) &&
                       Contains("key tool_options.skip_final_build: 1 (a number), expected true "
                                "or false"));
        db.exec(R"(UPDATE archive_jobs SET config = '{"tool_options": 7}' WHERE job_id = 2)");
        CHECK_THAT(load_error(),
                   Contains(where) && Contains("tool_options is a number, not an object"));
        if (texts.json_is_text) { // jsonb refuses such text when it is written
            db.exec(R"(UPDATE archive_jobs SET config = '{"tool_options": {' WHERE job_id = 2)");
            CHECK_THAT(load_error(), Contains(where) && Contains("not valid JSON"));
        }
        db.exec(R"(UPDATE archive_jobs SET config = '[1]' WHERE job_id = 2)");
        CHECK_THAT(load_error(), Contains(where) && Contains("an array is not a JSON object"));
        db.exec(R"(UPDATE archive_jobs SET config = '{"tool_options": {"initial_workers": 4.5}}')"
                " WHERE job_id = 2");
        CHECK_THAT(load_error(),
                   Contains(where) && Contains("expected a whole number in the 32-bit range"));
        // In apply mode (decide_and_apply loads in its write transaction): nothing written.
        const std::string before = states<Side>(db);
        CHECK_THROWS(decide_and_apply(db, wt::now, mapped_host(), deciding_with_defaults()));
        CHECK(states<Side>(db) == before);
    }
}

// A host table that lacks columns warden has (small_jobs, small_jobs_table), mapped to
// null: they read as absent, and a write of one is refused as unsupported before any statement
// reaches the table (the start of the same job not reached after it; another job's applied).
template <class Side>
void host_lacks_columns(typename Side::database& db) {
    using warden::job_status;
    using status = warden::adapters::action_status;
    db.exec(small_jobs_table(Side::dialect));
    warden::adapters::table_mapping m;
    const auto errors = warden::adapters::read_mapping(
        R"({"table": "small_jobs", "columns": {"source": null, "output_dir": null,
            "campaign_kind": null, "campaign_year": null, "last_progress_at": null,
            "last_error": null, "last_stage": null, "has_outputs": null, "created_at": null,
            "updated_at": null, "class": null, "group_key": null}})",
        m);
    INFO((errors.empty() ? std::string{} : errors.front()));
    REQUIRE(errors.empty());
    db.use_mapping(m);
    create_schema(db);
    const std::string queued_at =
        std::to_string(warden::epoch_seconds(wt::now - std::chrono::hours{40}));
    db.exec("INSERT INTO small_jobs (id, name, status, queued_at, version) VALUES "
            "(1, 'a', 'queued', " +
            queued_at + ", 3), (2, 'b', 'queued', " + queued_at + ", 5)");
    const auto s = load_snapshot(db, wt::now, mapped_host());
    REQUIRE(s.jobs.size() == 2);
    CHECK(s.jobs[0].source.empty());
    CHECK(s.jobs[0].kind == warden::campaign_kind::none);
    CHECK(s.jobs[0].last_progress_at == std::nullopt);
    CHECK(s.jobs[0].created_at == std::nullopt);
    CHECK(s.jobs[0].version == 3);

    // A backfill writes campaign_kind and campaign_year, which small_jobs lacks; the start of the
    // same job must then not land either; job 2's start is applied.
    const warden::backfill_campaign backfill{warden::job_id{1},
                                             job_status::queued,
                                             3,
                                             warden::campaign_kind::annual,
                                             2026,
                                             warden::rule_id::consistency_repair};
    warden::plan p;
    p.actions.push_back(backfill);
    p.actions.push_back(wt::start_of(s.jobs[0]));
    p.actions.push_back(wt::start_of(s.jobs[1]));
    const auto r = apply(db, p, wt::now);
    CHECK(r.actions ==
          std::vector<status>{status::unsupported, status::not_reached, status::applied});
    REQUIRE(r.unsupported.size() == 1);
    CHECK(r.unsupported[0].action == 0);
    CHECK(r.unsupported[0].column == "campaign_kind");
    CHECK(r.applied == 1);
    CHECK(r.not_reached == 1);
    CHECK(warden::adapters::to_string(status::unsupported) == "unsupported");
    CHECK(Side::text(db, "SELECT status || version FROM small_jobs WHERE id = 1") == "queued3");
    CHECK(Side::text(db, "SELECT status || version FROM small_jobs WHERE id = 2") == "running6");
    // One action on its own is refused the same way, before any statement reaches the table.
    CHECK(apply_one(db, backfill, wt::now) == status::unsupported);
    CHECK(Side::text(db, "SELECT status || version FROM small_jobs WHERE id = 1") == "queued3");
    CHECK(Side::text(db, "SELECT status || version FROM small_jobs WHERE id = 2") == "running6");
}

} // namespace mapping_scenarios
