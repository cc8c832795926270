// The PostgreSQL adapter's contract (issue 20, item 1), as the SQLite adapter's: a snapshot loads
// as written; every write is a compare-and-set on (status, version) whose 0-row result is a
// conflict; a row changed between decide and apply is never overwritten; an error mid-plan leaves
// nothing written and names the job row; a lock held past the timeouts fails as busy, writing
// nothing; a schema of another version is refused.
#include <catch2/catch.hpp>

#include <thread>
#include <variant>

#include "fixture.hpp"
#include "support/builders.hpp"

using namespace wt;
using namespace pgt;
using status = pg::action_status;

namespace {

pg::runtime_facts healthy() {
    pg::runtime_facts r;
    r.host = {true, false, 40.0};
    return r;
}

warden::config fill(int target) {
    warden::config c;
    c.ensure_min_running_jobs = target;
    c.max_starts_per_tick = 0;
    return c;
}

} // namespace

TEST_CASE("postgres: a snapshot loads every column as written", "[postgres]") {
    fresh_db t;
    auto db = t.create();
    const warden::job a = job_builder{1, job_status::running}
                              .annual()
                              .started(5h)
                              .progress(1h)
                              .error("disk \"full\"; 'quoted'")
                              .stage("persist")
                              .outputs()
                              .version(7);
    warden::job b = job_builder{2, job_status::failed}.finished(2h);
    b.failure = warden::failure_class::infra_error_config;
    b.options.docker_shm_size = "1g";
    b.options.skip_final_build = true;
    b.options.initial_workers = 3;
    b.options.monitoring = false;
    b.created_at = now - 72h;
    b.updated_at = now - 1h;
    pg::insert_job(db, a);
    pg::insert_job(db, b);
    pg::record_start(db, warden::job_id{1}, now - 5h);
    pg::record_start(db, warden::job_id{1}, now - 30h);          // older than a day: not loaded
    pg::record_recovery(db, warden::job_id{1}, now - 40h, 1234); // every recovery is loaded
    const auto s = pg::load_snapshot(db, now, healthy());
    REQUIRE(s.jobs.size() == 2);
    CHECK(s.jobs[0] == as_loaded(a));
    CHECK(s.jobs[1] == as_loaded(b));
    CHECK(s.starts == std::vector<warden::start_record>{{warden::job_id{1}, now - 5h}});
    REQUIRE(s.recoveries.size() == 1);
    CHECK(s.recoveries[0].crawled_pages == 1234);
    CHECK(pg::load_job(db, warden::job_id{2}) == b);
    CHECK_FALSE(pg::load_job(db, warden::job_id{3}).has_value());
}

TEST_CASE("postgres: a plan applies in one transaction and bumps each version once", "[postgres]") {
    fresh_db t;
    auto db = t.create();
    for (int id = 1; id <= 3; ++id)
        pg::insert_job(
            db, job_builder{id, job_status::queued}.annual().queued(std::chrono::hours{48 + id}));
    const auto p = warden::decide(pg::load_snapshot(db, now, healthy()), fill(3));
    REQUIRE(p.actions.size() == 3);
    const auto r = pg::apply(db, p, now);
    CHECK(r.committed);
    CHECK(r.applied == 3);
    CHECK(r.actions == std::vector<status>(3, status::applied));
    CHECK(count(db, "SELECT count(*) FROM jobs WHERE status = 'running' AND version = 2") == 3);
    CHECK(count(db, "SELECT count(*) FROM job_starts") == 3);
    // Applied again, the same plan matches no row: every action a conflict, nothing written.
    const auto again = pg::apply(db, p, now);
    CHECK(again.applied == 0);
    CHECK(again.conflicts == 3);
    CHECK(count(db, "SELECT count(*) FROM job_starts") == 3);
    CHECK(count(db, "SELECT max(version) FROM jobs") == 2);
}

TEST_CASE("postgres: apply prepares each statement once per connection, and a rollback keeps it",
          "[postgres][prepared]") {
    fresh_db t;
    auto db = t.create();
    for (int id = 1; id <= 6; ++id)
        pg::insert_job(
            db, job_builder{id, job_status::queued}.annual().queued(std::chrono::hours{60 - id}));
    auto prepared_on_server = [&] {
        return count(db, "SELECT count(*) FROM pg_prepared_statements");
    };
    CHECK(db.prepared_count() == 0);
    // Three starts: one start UPDATE and one job_starts INSERT, each prepared once, run three
    // times.
    const auto first = warden::decide(pg::load_snapshot(db, now, healthy()), fill(3));
    REQUIRE(first.actions.size() == 3);
    CHECK(pg::apply(db, first, now).applied == 3);
    CHECK(db.prepared_count() == 2);
    CHECK(prepared_on_server() == 2);
    // A plan rolled back (a conflict under on_conflict::abort) keeps the statements: the server's
    // prepared statements are not transactional, and the next apply runs them by name again.
    const auto second = warden::decide(pg::load_snapshot(db, now, healthy()), fill(5));
    REQUIRE(second.actions.size() == 2);
    db.exec("UPDATE jobs SET version = version + 1 WHERE id = " +
            std::to_string(warden::to_int(warden::action_job(second.actions[1]))));
    pg::apply_options abort;
    abort.conflicts = pg::on_conflict::abort;
    CHECK_FALSE(pg::apply(db, second, now, abort).committed);
    CHECK(prepared_on_server() == 2);
    const auto third = warden::decide(pg::load_snapshot(db, now, healthy()), fill(5));
    REQUIRE(third.actions.size() == 2);
    const auto r = pg::apply(db, third, now);
    CHECK(r.applied == 2);
    CHECK(db.prepared_count() == 2);
    CHECK(prepared_on_server() == 2);
    CHECK(count(db, "SELECT count(*) FROM jobs WHERE status = 'running'") == 5);
    CHECK(count(db, "SELECT count(*) FROM job_starts") == 5);
    // A statement that fails to prepare is not kept, and names itself.
    CHECK_THROWS_WITH(db.exec_prepared("UPDATE no_such_table SET x = $1", pg::params{}.add(1)),
                      Catch::Contains("no_such_table"));
    CHECK(db.prepared_count() == 2);
}

TEST_CASE("postgres: a row changed between decide and apply is a conflict, never overwritten",
          "[postgres][conflict]") {
    fresh_db t;
    auto db = t.create();
    SECTION("the host bumped the version: the start conflicts") {
        pg::insert_job(db, job_builder{1, job_status::queued}.annual());
        const auto p = warden::decide(pg::load_snapshot(db, now, healthy()), fill(1));
        REQUIRE(p.actions.size() == 1);
        db.exec("UPDATE jobs SET last_error = 'host', version = version + 1 WHERE id = 1");
        const std::string host_row = row_text(db, 1);
        const auto r = pg::apply(db, p, now);
        CHECK(r.actions == std::vector<status>{status::conflict});
        CHECK(r.committed); // nothing else to write; the conflict is reported, not applied
        CHECK(r.applied == 0);
        CHECK(row_text(db, 1) == host_row);
        CHECK(count(db, "SELECT count(*) FROM job_starts") == 0);
    }
    SECTION("backfill then start: the host fixed the campaign year meanwhile") {
        pg::insert_job(db, job_builder{9, job_status::queued, "phac-covid-20260101"});
        const auto p = warden::decide(pg::load_snapshot(db, now, healthy()), fill(1));
        REQUIRE(p.actions.size() == 2);
        REQUIRE(std::holds_alternative<warden::backfill_campaign>(p.actions[0]));
        REQUIRE(std::holds_alternative<warden::start_job>(p.actions[1]));
        // One host write, version + 1: exactly the version the start was predicted to expect.
        db.exec("UPDATE jobs SET campaign_kind = 'annual', campaign_year = 2025, "
                "version = version + 1 WHERE id = 9");
        const std::string host_row = row_text(db, 9);
        const auto r = pg::apply(db, p, now);
        CHECK(r.actions == std::vector<status>{status::conflict, status::not_reached});
        CHECK(r.conflicts == 1);
        CHECK(r.not_reached == 1);
        CHECK(row_text(db, 9) == host_row);
        CHECK(count(db, "SELECT count(*) FROM job_starts") == 0);
    }
    SECTION("under on_conflict::abort the writes before the conflict are rolled back") {
        pg::insert_job(db, job_builder{1, job_status::queued}.annual().queued(50h));
        pg::insert_job(db, job_builder{2, job_status::queued}.annual().queued(49h));
        const auto p = warden::decide(pg::load_snapshot(db, now, healthy()), fill(2));
        REQUIRE(p.actions.size() == 2);
        db.exec("UPDATE jobs SET version = version + 1 WHERE id = " +
                std::to_string(warden::to_int(warden::action_job(p.actions[1]))));
        pg::apply_options o;
        o.conflicts = pg::on_conflict::abort;
        const auto r = pg::apply(db, p, now, o);
        CHECK_FALSE(r.committed);
        CHECK(r.actions == std::vector<status>{status::not_reached, status::conflict});
        CHECK(r.applied == 0);
        CHECK(count(db, "SELECT count(*) FROM jobs WHERE status = 'running'") == 0);
        CHECK(count(db, "SELECT count(*) FROM job_starts") == 0);
    }
}

TEST_CASE("postgres: an error mid-plan writes nothing and names the job row and the action",
          "[postgres][error]") {
    fresh_db t;
    auto db = t.create();
    for (int id = 1; id <= 3; ++id)
        pg::insert_job(
            db, job_builder{id, job_status::queued}.annual().queued(std::chrono::hours{60 - id}));
    // A host's trigger refusing writes to job 3 (the last in queue order: two writes ran first).
    db.exec(R"sql(
CREATE FUNCTION frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id = 3 THEN RAISE EXCEPTION 'job 3 is frozen' USING ERRCODE = 'check_violation'; END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER frozen BEFORE UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION frozen();)sql");
    const auto p = warden::decide(pg::load_snapshot(db, now, healthy()), fill(3));
    REQUIRE(p.actions.size() == 3);
    REQUIRE(warden::action_job(p.actions[2]) == warden::job_id{3});
    std::vector<std::size_t> seen;
    pg::apply_options o;
    o.after_each = [&](std::size_t i, status) { seen.push_back(i); };
    try {
        (void)pg::apply(db, p, now, o);
        FAIL("the trigger's error was not raised");
    } catch (const pg::error& e) {
        CHECK(e.kind() == pg::error_kind::constraint);
        const std::string what = e.what();
        CHECK_THAT(what, Catch::Contains("jobs row id 3, action 2 (start_job"));
        CHECK_THAT(what, Catch::Contains("job 3 is frozen"));
    }
    CHECK(seen == std::vector<std::size_t>{0, 1}); // two writes ran, then were rolled back
    CHECK(count(db, "SELECT count(*) FROM jobs WHERE status = 'running'") == 0);
    CHECK(count(db, "SELECT count(*) FROM jobs WHERE version <> 1") == 0);
    CHECK(count(db, "SELECT count(*) FROM job_starts") == 0);
    CHECK_FALSE(db.in_transaction()); // and the connection is usable again
    CHECK(count(db, "SELECT 1") == 1);
}

TEST_CASE("postgres: errors from the database name the table, column and job",
          "[postgres][error]") {
    fresh_db t;
    auto db = t.create();
    warden::job bad = job_builder{4, job_status::queued};
    bad.options.initial_workers = -1;
    try {
        pg::insert_job(db, bad);
        FAIL("the CHECK did not refuse the row");
    } catch (const pg::error& e) {
        CHECK(e.kind() == pg::error_kind::constraint);
        CHECK_THAT(std::string{e.what()},
                   Catch::Contains("table jobs") && Catch::Contains("jobs_initial_workers_check"));
    }
    // A row the schema admits but the validator refuses: the field says where, as SQL names it.
    pg::insert_job(db, job_builder{5, job_status::running}.started(-2h)); // started in the future
    const auto s = pg::load_snapshot(db, now, healthy());
    const auto p = warden::decide(s, {});
    REQUIRE_FALSE(p.errors.empty());
    CHECK(pg::database_field(p.errors.front()) == "jobs.started_at where id = 5");
}

TEST_CASE("postgres: a lock held past the timeouts fails as busy and writes nothing",
          "[postgres][lock]") {
    fresh_db t;
    {
        auto db = t.create();
        pg::insert_job(db, job_builder{1, job_status::queued}.annual().queued(50h));
        pg::insert_job(db, job_builder{2, job_status::queued}.annual().queued(49h));
    }
    auto reader = t.open();
    const auto p = warden::decide(pg::load_snapshot(reader, now, healthy()), fill(2));
    REQUIRE(p.actions.size() == 2);
    // Another writer (a host's worker) holds job 2's row lock in an open transaction.
    auto host = t.open();
    host.exec("BEGIN; UPDATE jobs SET last_error = 'busy host' WHERE id = 2");
    SECTION("lock_timeout") {
        auto db = t.open(std::chrono::milliseconds{200});
        try {
            (void)pg::apply(db, p, now);
            FAIL("the apply did not time out");
        } catch (const pg::error& e) {
            CHECK(e.kind() == pg::error_kind::busy);
            CHECK_THAT(std::string{e.what()}, Catch::Contains("jobs row id 2"));
        }
    }
    SECTION("statement_timeout, no lock_timeout") {
        auto db = t.open(std::chrono::milliseconds{0}, std::chrono::milliseconds{200});
        CHECK_THROWS_MATCHES(pg::apply(db, p, now), pg::error,
                             Catch::Predicate<pg::error>([](const pg::error& e) {
                                 return e.kind() == pg::error_kind::busy;
                             }));
    }
    SECTION("decide_and_apply waits for the table lock, then fails as busy") {
        auto db = t.open(std::chrono::milliseconds{200});
        CHECK_THROWS_AS(pg::decide_and_apply(
                            db, now, healthy(),
                            [&](const warden::snapshot& s) { return warden::decide(s, fill(2)); }),
                        pg::error);
    }
    host.exec("ROLLBACK");
    // Job 1's write ran before the wait and was rolled back with the rest.
    CHECK(count(reader, "SELECT count(*) FROM jobs WHERE status = 'running'") == 0);
    CHECK(count(reader, "SELECT count(*) FROM job_starts") == 0);
    // Once the lock is gone the same plan applies.
    CHECK(pg::apply(reader, p, now).applied == 2);
}

TEST_CASE("postgres: decide_and_apply reads only once it holds the lock", "[postgres][lock]") {
    fresh_db t;
    {
        auto db = t.create();
        pg::insert_job(db, job_builder{1, job_status::queued}.annual().queued(48h));
        pg::insert_job(db, job_builder{2, job_status::queued}.annual().queued(24h));
    }
    auto host = t.open();
    host.exec("BEGIN");
    host.exec("UPDATE jobs SET queued_at = queued_at - 86400 * 2, version = version + 1 WHERE "
              "id = 2");
    host.exec("UPDATE jobs SET version = version + 1 WHERE id = 1");
    pg::decided_apply r;
    std::thread watchdog([&] {
        auto db = t.open();
        r = pg::decide_and_apply(db, now, healthy(), [&](const warden::snapshot& s) {
            warden::config c;
            c.ensure_min_running_jobs = 1;
            return warden::decide(s, c);
        });
    });
    std::this_thread::sleep_for(std::chrono::milliseconds{300}); // the watchdog is waiting
    host.exec("COMMIT");
    watchdog.join();
    CHECK(r.result.committed);
    CHECK(r.result.conflicts == 0);
    CHECK(count(host, "SELECT count(*) FROM jobs WHERE id = 2 AND status = 'running'") == 1);
    CHECK(count(host, "SELECT count(*) FROM jobs WHERE id = 1 AND status = 'queued'") == 1);
}

TEST_CASE("postgres: a schema of another version is refused, never read", "[postgres][schema]") {
    fresh_db t;
    auto db = t.open();
    CHECK_THROWS_MATCHES(pg::load_snapshot(db, now, healthy()), pg::error,
                         Catch::Predicate<pg::error>([](const pg::error& e) {
                             return e.kind() == pg::error_kind::no_schema;
                         }));
    pg::create_schema(db);
    pg::create_schema(db); // idempotent
    CHECK(pg::read_schema_version(db) == pg::schema_version);
    db.exec("UPDATE warden_meta SET value = '" + std::to_string(pg::schema_version + 1) +
            "' WHERE key = 'schema_version'");
    for (int i = 0; i < 2; ++i) {
        try {
            if (i == 0)
                (void)pg::load_snapshot(db, now, healthy());
            else
                (void)pg::apply(db, warden::plan{}, now);
            FAIL("a newer schema was read");
        } catch (const pg::error& e) {
            CHECK(e.kind() == pg::error_kind::newer_schema);
            CHECK_THAT(std::string{e.what()}, Catch::Contains("newer than this warden"));
        }
    }
    CHECK_THROWS_AS(pg::create_schema(db), pg::error); // never downgraded
    db.exec("UPDATE warden_meta SET value = 'x1' WHERE key = 'schema_version'");
    CHECK_THROWS_AS(pg::load_snapshot(db, now, healthy()), pg::error);
}

TEST_CASE("postgres: a server that is not there is cannot_open, naming the database",
          "[postgres][error]") {
    try {
        (void)pg::connection::open("host=/nonexistent-warden-dir dbname=jobs user=warden "
                                   "connect_timeout=2");
        FAIL("connected to nothing");
    } catch (const pg::error& e) {
        CHECK(e.kind() == pg::error_kind::cannot_open);
        CHECK_THAT(std::string{e.what()}, Catch::Contains("database jobs"));
    }
}

TEST_CASE("postgres: the version trigger recipe makes a host write that does not bump version a "
          "conflict",
          "[postgres][conflict]") {
    fresh_db t;
    auto db = t.create();
    // docs/postgres.md's recipe, verbatim.
    db.exec(R"sql(
CREATE FUNCTION warden_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.version IS NOT DISTINCT FROM OLD.version THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER warden_bump_version BEFORE UPDATE ON jobs
    FOR EACH ROW EXECUTE FUNCTION warden_bump_version();)sql");
    pg::insert_job(db, job_builder{1, job_status::queued}.annual());
    pg::insert_job(db, job_builder{9, job_status::queued, "phac-covid-20260101"}.queued(72h));
    SECTION("a worker's write without a version bump: the stale start conflicts") {
        const auto p = warden::decide(pg::load_snapshot(db, now, healthy()), fill(1));
        REQUIRE(p.actions.size() == 2); // job 9 first (queued longer): backfill, start
        db.exec("UPDATE jobs SET last_error = 'worker' WHERE id = 9"); // no version = ...
        CHECK(count(db, "SELECT version FROM jobs WHERE id = 9") == 2);
        const auto r = pg::apply(db, p, now);
        CHECK(r.actions == std::vector<status>{status::conflict, status::not_reached});
    }
    SECTION("warden's own chained writes are bumped once each, and land") {
        const auto p = warden::decide(pg::load_snapshot(db, now, healthy()), fill(1));
        REQUIRE(p.actions.size() == 2);
        const auto r = pg::apply(db, p, now);
        CHECK(r.actions == std::vector<status>{status::applied, status::applied});
        CHECK(count(db, "SELECT version FROM jobs WHERE id = 9") == 3);
    }
}

TEST_CASE("postgres: undo_start puts a failed start's row back and uncounts it, once",
          "[postgres][undo]") {
    fresh_db t;
    auto db = t.create();
    warden::job before = job_builder{9, job_status::retryable, "hc-20260101"}.annual();
    before.retry_count = 1;
    before.started_at = now - 3h;
    before.finished_at = now - 2h;
    pg::insert_job(db, before);
    const auto p = warden::decide(pg::load_snapshot(db, now, healthy()), fill(1));
    REQUIRE(p.actions.size() == 1);
    const auto* start = std::get_if<warden::start_job>(&p.actions[0]);
    REQUIRE(start);
    REQUIRE(pg::apply(db, p, now).actions[0] == status::applied);
    REQUIRE(count(db, "SELECT count(*) FROM job_starts") == 1);
    REQUIRE(count(db, "SELECT retry_count FROM jobs WHERE id = 9") == 2);
    SECTION("undone: the row as before the start, with the reason; no start record") {
        CHECK(pg::undo_start(db, *start, before, now, "start command exited 1") == status::applied);
        CHECK(count(db, "SELECT count(*) FROM job_starts") == 0);
        CHECK(count(db, "SELECT retry_count FROM jobs WHERE id = 9") == 1);
        CHECK(count(db, "SELECT version FROM jobs WHERE id = 9") == before.version + 2);
        CHECK(count(db, "SELECT started_at FROM jobs WHERE id = 9") ==
              warden::epoch_seconds(now - 3h));
        CHECK(count(db, "SELECT finished_at FROM jobs WHERE id = 9") ==
              warden::epoch_seconds(now - 2h));
        CHECK(count(db, "SELECT count(*) FROM jobs WHERE status = 'retryable' AND last_error = "
                        "'start command exited 1'") == 1);
        // Undone once: a second undo finds the row moved and writes nothing.
        const std::string undone = row_text(db, 9);
        CHECK(pg::undo_start(db, *start, before, now, "again") == status::conflict);
        CHECK(row_text(db, 9) == undone);
    }
    SECTION("a row that moved since the start (the crawl did start) is not undone") {
        db.exec("UPDATE jobs SET last_stage = 'crawl', version = version + 1 WHERE id = 9");
        const std::string moved = row_text(db, 9);
        CHECK(pg::undo_start(db, *start, before, now, "start command exited 1") ==
              status::conflict);
        CHECK(row_text(db, 9) == moved);
        CHECK(count(db, "SELECT count(*) FROM job_starts") == 1);
    }
    CHECK_FALSE(db.in_transaction());
}
