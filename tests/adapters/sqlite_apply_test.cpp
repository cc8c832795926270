// Issue 15: the SQLite applier under host writes that land between decide and apply, concurrent
// watchdogs, killed commits, a full disk and rows the watchdog did not write. The guarantee: a
// write is authorised only by a version that was observed; once a write to a job conflicts, every
// later action on that job (its stop included) is not_reached; after a rollback nothing is
// applied; `decide_and_apply` reads, decides and writes under one write lock.
#include <warden/adapters/sqlite.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "../support/builders.hpp"
#include "../support/temp_sqlite.hpp"

using namespace wt;
namespace sq = warden::sqlite;
using status = sq::action_status;

namespace {

// Every column of a row, as one string: "did anything change" without naming the columns.
std::string row_text(sq::database& db, std::int64_t id) {
    sq::detail::statement cols(db.handle(), "SELECT name FROM pragma_table_info('jobs')");
    std::string select;
    while (cols.step())
        select += (select.empty() ? "quote(" : " || '|' || quote(") + cols.text(0) + ")";
    sq::detail::statement row(db.handle(), "SELECT " + select + " FROM jobs WHERE id = ?");
    row.bind(1, id);
    return row.step() ? row.text(0) : std::string{"<no row>"};
}

sq::runtime_facts host_with(std::vector<std::int64_t> locks = {},
                            std::vector<warden::process_fact> processes = {}) {
    sq::runtime_facts r;
    r.host = {true, false, 40.0};
    for (const auto id : locks)
        r.locks.push_back(warden::job_id{id});
    r.processes = std::move(processes);
    return r;
}

warden::process_fact process_of(const warden::job& j, std::int64_t pid) {
    return {pid, j.output_dir, "zimit", warden::process_origin::worker, {}};
}

// A stalled annual crawl whose options are below the annual minimums: its recovery is three
// actions on one job, the status write, the options write chained on it, and the stop.
warden::job stalled(std::int64_t id) {
    return job_builder{id, job_status::running}
        .annual()
        .options({5, 10, 10, 1, std::nullopt})
        .started(5h)
        .progress(3h)
        .version(4);
}

} // namespace

TEST_CASE("sqlite: a chained write never lands after its predecessor conflicted (issue 15)",
          "[adapters][sqlite][chain]") {
    temp_db t;
    auto db = t.create();
    SECTION("backfill then start: the host fixed the campaign year meanwhile") {
        sq::insert_job(db, job_builder{9, job_status::queued, "phac-covid-20260101"});
        warden::config c;
        c.ensure_min_running_jobs = 1;
        const auto p = warden::decide(sq::load_snapshot(db, now, host_with()), c);
        REQUIRE(p.actions.size() == 2);
        REQUIRE(std::holds_alternative<warden::backfill_campaign>(p.actions[0]));
        REQUIRE(std::holds_alternative<warden::start_job>(p.actions[1]));
        // One host write, version + 1: exactly the version the start was predicted to expect.
        db.exec("UPDATE jobs SET campaign_kind = 'annual', campaign_year = 2025, "
                "version = version + 1 WHERE id = 9");
        const std::string host_row = row_text(db, 9);
        const auto r = sq::apply(db, p, now);
        CHECK(r.actions == std::vector<status>{status::conflict, status::not_reached});
        CHECK(r.applied == 0);
        CHECK(r.conflicts == 1);
        CHECK(r.not_reached == 1);
        CHECK(row_text(db, 9) == host_row); // not started against the 2025 campaign
        CHECK(count(db, "SELECT count(*) FROM job_starts") == 0);
    }
    SECTION("a recovery's status then its options and stop: the operator edited the options") {
        const warden::job j = stalled(5);
        sq::insert_job(db, j);
        const auto rt = host_with({5}, {process_of(j, 5151)});
        const auto p = warden::decide(sq::load_snapshot(db, now, rt), {});
        REQUIRE(p.actions.size() == 3);
        REQUIRE(std::holds_alternative<warden::set_tool_options>(p.actions[1]));
        REQUIRE(std::holds_alternative<warden::stop_job>(p.actions[2]));
        db.exec("UPDATE jobs SET max_container_restarts = 7, version = version + 1 WHERE id = 5");
        const std::string host_row = row_text(db, 5);
        const auto r = sq::apply(db, p, now);
        CHECK(r.actions ==
              std::vector<status>{status::conflict, status::not_reached, status::not_reached});
        CHECK(row_text(db, 5) == host_row); // the operator's 7 is kept
        CHECK(count(db, "SELECT count(*) FROM recovery_history") == 0);
    }
    SECTION("the crawler's progress landed: the stop is not for the host to carry out") {
        const warden::job j = stalled(5);
        sq::insert_job(db, j);
        const auto rt = host_with({5}, {process_of(j, 5151)});
        const auto p = warden::decide(sq::load_snapshot(db, now, rt), {});
        REQUIRE(p.actions.size() == 3);
        db.exec("UPDATE jobs SET last_progress_at = " + std::to_string(warden::epoch_seconds(now)) +
                ", version = version + 1 WHERE id = 5");
        const auto r = sq::apply(db, p, now);
        CHECK(r.actions[0] == status::conflict);
        CHECK(r.actions[2] == status::not_reached); // never runtime_only: the crawl is live
    }
    SECTION("writes to other jobs still land, and a stop after a landed write is for the host") {
        sq::insert_job(db, stalled(5));
        sq::insert_job(db, stalled(6));
        const auto p =
            warden::decide(sq::load_snapshot(db, now,
                                             host_with({5, 6}, {process_of(stalled(5), 5151),
                                                                process_of(stalled(6), 6161)})),
                           [] {
                               warden::config c;
                               c.recoveries_per_tick = 0;
                               return c;
                           }());
        REQUIRE(p.actions.size() == 6);
        db.exec("UPDATE jobs SET version = version + 1 WHERE id = 5");
        const auto r = sq::apply(db, p, now);
        for (std::size_t i = 0; i < p.actions.size(); ++i) {
            INFO("action " << i);
            const bool job5 = warden::action_job(p.actions[i]) == warden::job_id{5};
            const bool stop = std::holds_alternative<warden::stop_job>(p.actions[i]);
            if (job5)
                CHECK(r.actions[i] == (i == 0 ? status::conflict : status::not_reached));
            else
                CHECK(r.actions[i] == (stop ? status::runtime_only : status::applied));
        }
        CHECK(r.committed);
        CHECK(count(db, "SELECT count(*) FROM recovery_history WHERE job_id = 6") == 1);
    }
}

TEST_CASE("sqlite: after an abort nothing is applied and no stop is for the host (issue 15)",
          "[adapters][sqlite][chain]") {
    temp_db t;
    auto db = t.create();
    sq::insert_job(db, stalled(5));
    sq::insert_job(db, job_builder{7, job_status::queued}.stage("persist").outputs());
    auto p = warden::decide(
        sq::load_snapshot(db, now, host_with({5}, {process_of(stalled(5), 5151)})), {});
    REQUIRE(p.actions.size() == 4); // job 5: status, options, stop; job 7: the repair
    // Job 7's repair last, so that job 5's writes have run when its conflict aborts the plan.
    std::stable_partition(p.actions.begin(), p.actions.end(), [](const warden::action& a) {
        return warden::action_job(a) == warden::job_id{5};
    });
    REQUIRE(warden::action_job(p.actions[3]) == warden::job_id{7});
    db.exec("UPDATE jobs SET version = version + 1 WHERE id = 7");
    const std::string before = row_text(db, 5) + row_text(db, 7);

    sq::apply_options abort;
    abort.conflicts = sq::on_conflict::abort;
    const auto r = sq::apply(db, p, now, abort);
    CHECK_FALSE(r.committed);
    CHECK(r.actions == std::vector<status>{status::not_reached, status::not_reached,
                                           status::not_reached, status::conflict});
    CHECK(r.applied == 0);
    CHECK(r.conflicts == 1);
    CHECK(r.not_reached == 3);
    CHECK(row_text(db, 5) + row_text(db, 7) == before);
    CHECK(count(db, "SELECT count(*) FROM recovery_history") == 0);

    // Skipping instead, job 5's writes land and its stop is the host's to carry out.
    const auto skipped = sq::apply(db, p, now);
    CHECK(skipped.actions == std::vector<status>{status::applied, status::applied,
                                                 status::runtime_only, status::conflict});
}

// Row compare-and-set cannot protect an aggregate. Two watchdogs read; a host write to another
// row between their reads changes the queue order; each starts a different job, both writes
// match, and a target of one runs two. decide_and_apply reads under the write lock, so no write
// can land between a watchdog's read and its writes, and the second watchdog decides on the first
// one's result.
TEST_CASE("sqlite: decide_and_apply reads, decides and writes under one write lock (issue 15)",
          "[adapters][sqlite][aggregate]") {
    temp_db t;
    {
        auto db = t.create();
        sq::insert_job(db, job_builder{1, job_status::queued}.annual().queued(48h));
        sq::insert_job(db, job_builder{2, job_status::queued}.annual().queued(24h));
    }
    warden::config c;
    c.ensure_min_running_jobs = 1;
    auto decide = [&](const warden::snapshot& s) { return warden::decide(s, c); };
    auto a = t.open();
    auto b = t.open();
    auto host = t.open(sq::database::mode::read_write, std::chrono::milliseconds{0});
    const std::string move_job_2_first =
        "UPDATE jobs SET queued_at = queued_at - 86400 * 2, version = version + 1 WHERE id = 2";

    SECTION("two separate steps overshoot: the hazard") {
        const auto pa = decide(sq::load_snapshot(a, now, host_with()));
        host.exec(move_job_2_first);
        const auto pb = decide(sq::load_snapshot(b, now, host_with()));
        CHECK(sq::apply(a, pa, now).applied == 1);
        CHECK(sq::apply(b, pb, now).applied == 1);
        CHECK(count(host, "SELECT count(*) FROM jobs WHERE status = 'running'") == 2);
    }
    SECTION("one transaction: no write lands between the read and the writes") {
        bool host_refused = false;
        const auto ra = sq::decide_and_apply(a, now, host_with(), [&](const warden::snapshot& s) {
            // The host's write, at the moment the two-step path let it in: the lock is held.
            try {
                host.exec(move_job_2_first);
            } catch (const sq::error& e) {
                host_refused = e.kind() == sq::error_kind::busy;
            }
            return decide(s);
        });
        CHECK(host_refused);
        CHECK(ra.result.committed);
        CHECK(ra.result.applied == 1);
        host.exec(move_job_2_first); // lands after the commit
        const auto rb = sq::decide_and_apply(b, now, host_with(), decide);
        CHECK(rb.plan.actions.empty()); // one runs: the target is met
        CHECK(count(host, "SELECT count(*) FROM jobs WHERE status = 'running'") == 1);
        CHECK(count(host, "SELECT count(*) FROM job_starts") == 1);
    }
}

// Deterministic form of the overshoot: a host holds the write lock with the queue reordered
// when the watchdog begins. decide_and_apply must wait for the lock before it reads, and so
// start job 2; a version that read first (allowed while a writer has not committed) would decide
// on the old order, start job 1 on a version the host then bumped, conflict, and start nothing.
TEST_CASE("sqlite: decide_and_apply reads only once it holds the write lock (issue 15)",
          "[adapters][sqlite]") {
    temp_db t;
    {
        auto db = t.create();
        sq::insert_job(db, job_builder{1, job_status::queued}.annual().queued(48h));
        sq::insert_job(db, job_builder{2, job_status::queued}.annual().queued(24h));
    }
    warden::config c;
    c.ensure_min_running_jobs = 1;
    auto host = t.open();
    host.exec("BEGIN IMMEDIATE");
    host.exec("UPDATE jobs SET queued_at = queued_at - 86400 * 2, version = version + 1 WHERE "
              "id = 2");
    host.exec("UPDATE jobs SET version = version + 1 WHERE id = 1");
    sq::decided_apply r;
    std::thread watchdog([&] {
        auto db = t.open(); // waits for the lock up to its busy timeout
        r = sq::decide_and_apply(db, now, host_with(),
                                 [&](const warden::snapshot& s) { return warden::decide(s, c); });
    });
    std::this_thread::sleep_for(std::chrono::milliseconds{300}); // the watchdog is waiting
    host.exec("COMMIT");
    watchdog.join();
    CHECK(r.result.committed);
    CHECK(r.result.conflicts == 0);
    CHECK(count(host, "SELECT status = 'running' FROM jobs WHERE id = 2") == 1);
    CHECK(count(host, "SELECT status = 'queued' FROM jobs WHERE id = 1") == 1);
}

TEST_CASE("sqlite: an error raised while applying names the job row and the action (issue 15)",
          "[adapters][sqlite]") {
    temp_db t;
    auto db = t.create();
    sq::insert_job(db, job_builder{1, job_status::queued}.stage("persist").outputs());
    // A host's own trigger refuses every update of jobs.
    db.exec("CREATE TRIGGER frozen BEFORE UPDATE ON jobs BEGIN SELECT RAISE(ABORT, 'frozen'); END");
    const warden::plan p = warden::decide(sq::load_snapshot(db, now, host_with()), {});
    REQUIRE(p.actions.size() == 1);
    std::string message;
    try {
        (void)sq::apply(db, p, now);
    } catch (const sq::error& e) {
        CHECK(e.kind() == sq::error_kind::constraint);
        message = e.what();
    }
    INFO(message);
    CHECK(message.find("jobs row id 1, action 0 (set_status, rule consistency_repair)") !=
          std::string::npos);
    CHECK(message.find("frozen") != std::string::npos);
    CHECK(count(db, "SELECT count(*) FROM jobs WHERE status = 'queued'") == 1); // rolled back
}

TEST_CASE("sqlite: decide_and_apply writes nothing for a plan with errors", "[adapters][sqlite]") {
    temp_db t;
    auto db = t.create();
    sq::insert_job(db, job_builder{1, job_status::queued}.stage("persist").outputs());
    auto rt = host_with();
    rt.processes.push_back({0, "/srv/crawls/nowhere", "zimit", warden::process_origin::worker, {}});
    const auto r = sq::decide_and_apply(
        db, now, rt, [](const warden::snapshot& s) { return warden::decide(s, {}); });
    REQUIRE_FALSE(r.plan.errors.empty());
    CHECK(r.plan.errors[0].field == "processes[0].pid");
    CHECK_FALSE(r.result.committed);
    CHECK(count(db, "SELECT count(*) FROM jobs WHERE status = 'completed'") == 0);
}

// Randomised: rows of every kind a plan writes, a plan decided on them, then host writes (the
// crawler's heartbeat, an operator's edit of options, status or campaign, a second watchdog's
// status write) to random rows before the plan is applied, skipping or aborting. The checker:
// no action lands on a row that moved since the snapshot, no stop is for the host after a write
// to its job failed, a moved row keeps exactly what the host wrote, a row that did not move
// carries every write of the plan, and after an abort nothing at all changed.
TEST_CASE("sqlite: host writes between decide and apply never lose to a stale plan (issue 15)",
          "[adapters][sqlite][race]") {
    std::int64_t landed = 0, not_reached = 0, conflicts = 0, stops_withheld = 0;
    for (std::uint64_t seed = 1; seed <= 150; ++seed) {
        INFO("seed " << seed);
        std::mt19937_64 rng(seed);
        auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
        auto db = sq::database::open(":memory:", sq::database::mode::create);
        sq::create_schema(db);
        std::vector<std::int64_t> locks;
        std::vector<warden::process_fact> processes;
        const int jobs = 3 + pick(8);
        db.exec("BEGIN");
        for (int id = 1; id <= jobs; ++id) {
            warden::job j;
            switch (pick(5)) {
            case 0: // stalled annual crawl: status, options, stop
                j = stalled(id);
                locks.push_back(id);
                processes.push_back(process_of(j, 1000 + id));
                break;
            case 1: // legacy name: backfill, then start when there is a deficit
                j = job_builder{id, job_status::queued, "hc-" + std::to_string(id) + "-20260101"};
                break;
            case 2: // finished crawl still queued: consistency repair
                j = job_builder{id, job_status::queued}.stage("persist").outputs();
                break;
            case 3: // retryable while its lock is held: reconcile
                j = job_builder{id, job_status::retryable}.annual().started(2h).progress(1min);
                locks.push_back(id);
                break;
            default: // healthy, or a queued annual candidate
                j = pick(2) ? warden::job(healthy_running(id))
                            : warden::job(job_builder{id, job_status::queued}.annual());
                break;
            }
            j.version = 1 + pick(5);
            sq::insert_job(db, j);
        }
        db.exec("COMMIT");
        warden::config c;
        c.ensure_min_running_jobs = pick(5);
        c.recoveries_per_tick = 0;
        const auto rt = host_with(locks, processes);
        const auto snap = sq::load_snapshot(db, now, rt);
        const auto p = warden::decide(snap, c);
        REQUIRE(p.errors.empty());

        // Host writes in the decide -> apply window.
        std::set<std::int64_t> moved;
        std::map<std::int64_t, std::string> host_rows;
        for (int id = 1; id <= jobs; ++id) {
            if (pick(10) >= 4) continue;
            static const char* const writes[] = {
                "last_progress_at = :now",
                "max_container_restarts = max_container_restarts + 3",
                "status = 'failed', finished_at = :now",
                "campaign_kind = 'annual', campaign_year = 2025",
                "status = 'retryable'",
            };
            std::string set = writes[pick(5)];
            const auto at = set.find(":now");
            if (at != std::string::npos)
                set.replace(at, 4, std::to_string(warden::epoch_seconds(now)));
            for (int k = 1 + pick(2); k > 0; --k)
                db.exec("UPDATE jobs SET " + set +
                        ", version = version + 1 WHERE id = " + std::to_string(id));
            moved.insert(id);
            host_rows[id] = row_text(db, id);
        }
        std::map<std::int64_t, std::string> all_before;
        for (int id = 1; id <= jobs; ++id)
            all_before[id] = row_text(db, id);

        sq::apply_options how;
        const bool abort = pick(3) == 0;
        if (abort) how.conflicts = sq::on_conflict::abort;
        const auto r = sq::apply(db, p, now, how);
        REQUIRE(r.actions.size() == p.actions.size());

        std::map<std::int64_t, std::int64_t> writes_landed;
        std::set<std::int64_t> failed;
        for (std::size_t i = 0; i < p.actions.size(); ++i) {
            const std::int64_t id = warden::to_int(warden::action_job(p.actions[i]));
            const bool stop = std::holds_alternative<warden::stop_job>(p.actions[i]);
            INFO("action " << i << " on job " << id);
            if (r.actions[i] == status::applied) {
                CHECK_FALSE(moved.count(id));  // never on a moved row
                CHECK_FALSE(failed.count(id)); // never after a failed write to the job
                ++writes_landed[id];
                ++landed;
            }
            if (r.actions[i] == status::runtime_only) CHECK_FALSE(failed.count(id));
            if (stop && failed.count(id)) {
                CHECK(r.actions[i] == status::not_reached);
                ++stops_withheld;
            }
            if (r.actions[i] == status::conflict) {
                CHECK(moved.count(id));
                failed.insert(id);
                ++conflicts;
            }
            if (r.actions[i] == status::not_reached) {
                failed.insert(id);
                ++not_reached;
            }
        }
        if (!r.committed) {
            CHECK(r.applied == 0);
            for (const auto s : r.actions)
                CHECK((s == status::conflict || s == status::not_reached));
            for (int id = 1; id <= jobs; ++id)
                CHECK(row_text(db, id) == all_before[id]);
            continue;
        }
        for (const auto& [id, row] : host_rows)
            CHECK(row_text(db, id) == row); // the host's write is never overwritten
        for (const auto& j : snap.jobs) {
            const std::int64_t id = warden::to_int(j.id);
            if (moved.count(id)) continue;
            CHECK(count(db, "SELECT version FROM jobs WHERE id = " + std::to_string(id)) ==
                  j.version + writes_landed[id]);
        }
    }
    // The run exercised what it checks.
    CHECK(landed > 100);
    CHECK(conflicts > 20);
    CHECK(not_reached > 20);
    CHECK(stops_withheld > 5);
}

// The same host writes, but the watchdog reads under the write lock: it decides on the host's
// writes, so nothing it writes can conflict.
TEST_CASE("sqlite: decide_and_apply after host writes has no conflicts",
          "[adapters][sqlite][race]") {
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
        INFO("seed " << seed);
        std::mt19937_64 rng(seed);
        auto db = sq::database::open(":memory:", sq::database::mode::create);
        sq::create_schema(db);
        for (int id = 1; id <= 6; ++id)
            sq::insert_job(
                db, id % 2 ? stalled(id)
                           : warden::job(job_builder{id, job_status::queued,
                                                     "hc-" + std::to_string(id) + "-20260101"}));
        for (int id = 1; id <= 6; ++id)
            if (rng() % 2)
                db.exec("UPDATE jobs SET max_container_restarts = 9, version = version + 1 "
                        "WHERE id = " +
                        std::to_string(id));
        warden::config c;
        c.ensure_min_running_jobs = 2;
        c.recoveries_per_tick = 0;
        const auto r =
            sq::decide_and_apply(db, now, host_with({1, 3, 5}),
                                 [&](const warden::snapshot& s) { return warden::decide(s, c); });
        CHECK(r.result.committed);
        CHECK(r.result.conflicts == 0);
        CHECK(r.result.applied > 0);
    }
}

// Two watchdog processes run decide_and_apply tick after tick while a host process keeps
// reordering the queue (a write to rows the watchdogs do not start): the target is never
// exceeded and no job is started twice.
TEST_CASE("sqlite: concurrent watchdogs and host writes never exceed the target (issue 15)",
          "[adapters][sqlite][race][aggregate]") {
    for (int round = 0; round < 6; ++round) {
        temp_db t;
        {
            auto db = t.create();
            db.exec("PRAGMA journal_mode = WAL");
            for (int id = 1; id <= 8; ++id)
                sq::insert_job(db, job_builder{id, job_status::queued}.annual().queued(
                                       std::chrono::hours{48 + id}));
        }
        const int target = 1 + round % 3;
        int ready[2];
        REQUIRE(::pipe(ready) == 0);
        std::vector<pid_t> children;
        for (int k = 0; k < 3; ++k) {
            const pid_t pid = ::fork();
            REQUIRE(pid >= 0);
            if (pid == 0) {
                char go;
                ::close(ready[1]);
                (void)::read(ready[0], &go, 1);
                try {
                    auto db = t.open(sq::database::mode::read_write, std::chrono::seconds{20});
                    std::mt19937_64 rng(static_cast<std::uint64_t>(round * 10 + k));
                    for (int tick = 0; tick < 12; ++tick) {
                        if (k == 2) { // the host: move a queued row to the front
                            db.exec("UPDATE jobs SET queued_at = queued_at - 3600 * " +
                                    std::to_string(1 + rng() % 100) +
                                    ", version = version + 1 WHERE status = 'queued' AND id = " +
                                    std::to_string(1 + rng() % 8));
                            continue;
                        }
                        warden::config c;
                        c.ensure_min_running_jobs = target;
                        (void)sq::decide_and_apply(
                            db, now, host_with(),
                            [&](const warden::snapshot& s) { return warden::decide(s, c); });
                    }
                    ::_exit(0);
                } catch (...) {
                    ::_exit(13);
                }
            }
            children.push_back(pid);
        }
        ::close(ready[0]);
        ::close(ready[1]);
        for (const pid_t pid : children) {
            int st = 0;
            ::waitpid(pid, &st, 0);
            CHECK((WIFEXITED(st) && WEXITSTATUS(st) == 0));
        }
        auto db = t.open();
        CHECK(count(db, "SELECT count(*) FROM jobs WHERE status = 'running'") == target);
        CHECK(count(db, "SELECT count(*) FROM job_starts") == target);
        CHECK(count(db, "SELECT count(*) FROM (SELECT job_id FROM job_starts GROUP BY job_id "
                        "HAVING count(*) > 1)") == 0);
    }
}

TEST_CASE("sqlite: a counter a write would overflow is refused when read (issue 15)",
          "[adapters][sqlite]") {
    temp_db t;
    auto db = t.create();
    sq::insert_job(db, job_builder{3, job_status::retryable}.annual().retries(2147483647));
    sq::insert_job(db, job_builder{4, job_status::retryable}.annual().retries(7));
    warden::config c;
    c.ensure_min_running_jobs = 2;
    c.max_retries = 2147483647;
    const auto r = sq::decide_and_apply(
        db, now, host_with(), [&](const warden::snapshot& s) { return warden::decide(s, c); });
    REQUIRE(r.plan.errors.size() == 1);
    CHECK(sq::database_field(r.plan.errors[0]) == "jobs.retry_count where id = 3");
    // The error names job 3 only: decide gave it no action, and the job beside it starts in the
    // same transaction; one bad row does not stop every other job's automation.
    CHECK(r.result.committed);
    CHECK(r.result.applied == 1);
    CHECK(count(db, "SELECT retry_count FROM jobs WHERE id = 3") == 2147483647);
    CHECK(count(db, "SELECT retry_count FROM jobs WHERE id = 4") == 8);
    CHECK(count(db, "SELECT count(*) FROM job_starts WHERE job_id = 3") == 0);
}

TEST_CASE("sqlite: history rows of a deleted job are skipped with a warning (issue 15)",
          "[adapters][sqlite]") {
    temp_db t;
    auto db = t.create();
    sq::insert_job(db, job_builder{1, job_status::queued}.annual());
    sq::insert_job(db, job_builder{2, job_status::completed}.started(5h).finished(4h));
    sq::record_start(db, warden::job_id{2}, now - 5h);
    sq::record_start(db, warden::job_id{2}, now - 3h);
    sq::record_recovery(db, warden::job_id{2}, now - 4h);
    sq::record_start(db, warden::job_id{1}, now - 30h); // outside the window: not read at all
    // Most clients do not enforce foreign keys: the row goes, its history stays.
    db.exec("PRAGMA foreign_keys = OFF");
    db.exec("DELETE FROM jobs WHERE id = 2");
    db.exec("PRAGMA foreign_keys = ON");
    std::vector<sq::load_warning> warnings;
    const auto s = sq::load_snapshot(db, now, host_with(), &warnings);
    CHECK(s.starts.empty());
    CHECK(s.recoveries.empty());
    REQUIRE(warnings.size() == 2);
    CHECK(warnings[0].table == "job_starts");
    CHECK(warnings[0].job == warden::job_id{2});
    CHECK(warnings[0].rows == 2);
    CHECK(warnings[0].message == "job_starts: 2 rows of job 2 skipped: no jobs row has this id "
                                 "(deleted?); they no longer count toward the daily cap");
    CHECK(warnings[1].table == "recovery_history");
    CHECK(warnings[1].rows == 1);
    warden::config c;
    c.ensure_min_running_jobs = 1;
    const auto r = sq::decide_and_apply(
        db, now, host_with(), [&](const warden::snapshot& x) { return warden::decide(x, c); });
    CHECK(r.plan.errors.empty()); // the watchdog keeps working
    CHECK(r.warnings.size() == 2);
    CHECK(r.result.applied == 1);
}

TEST_CASE("sqlite: errors from the database name the table, column and job id (issue 15)",
          "[adapters][sqlite]") {
    temp_db t;
    auto db = t.create();
    sq::insert_job(db, job_builder{17, job_status::running}.started(1h).progress(1min));
    db.exec("UPDATE jobs SET last_progress_at = " +
            std::to_string(warden::epoch_seconds(now + 1h)) + " WHERE id = 17");
    sq::record_start(db, warden::job_id{17}, now + 2h);
    db.exec("UPDATE jobs SET page_cap = 5 WHERE id = 17");
    const auto p = warden::decide(sq::load_snapshot(db, now, host_with()), {});
    std::vector<std::string> fields;
    for (const auto& e : p.errors)
        fields.push_back(sq::database_field(e));
    CHECK(fields == std::vector<std::string>{"jobs.last_progress_at where id = 17",
                                             "job_starts.at where job_id = 17"});
    CHECK(sq::database_field({warden::job_id{3}, "jobs[0].tool_options.page_cap", "x"}) ==
          "jobs.page_cap where id = 3");
    CHECK(sq::database_field({warden::job_id{3}, "recoveries[4].at", "x"}) ==
          "recovery_history.at where job_id = 3");
    CHECK(sq::database_field({std::nullopt, "processes[0].pid", "x"}) == "processes[0].pid");
    CHECK(sq::database_field({warden::job_id{3}, "locks[0].job_id", "x"}) == "locks[0].job_id");
}

// A writer killed during a commit leaves a hot journal; a read-only connection cannot roll it
// back and SQLite says only "attempt to write a readonly database".
TEST_CASE("sqlite: a hot journal is reported as needs_recovery, with the way out (issue 15)",
          "[adapters][sqlite][crash]") {
    temp_db t;
    {
        auto db = t.create();
        for (int id = 1; id <= 5; ++id)
            sq::insert_job(db, job_builder{id, job_status::queued}.stage("persist").outputs());
    }
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        try {
            auto db = t.open();
            db.exec("PRAGMA cache_size = 1"); // pages spill into the file before the commit
            db.exec("BEGIN IMMEDIATE");
            db.exec("CREATE TABLE filler (x TEXT)");
            for (int k = 0; k < 300; ++k)
                db.exec("INSERT INTO filler VALUES (hex(randomblob(500)))");
            db.exec("UPDATE jobs SET version = version + 100");
            ::kill(::getpid(), SIGKILL); // inside the scope: closing would roll back cleanly
        } catch (...) {
            ::_exit(2);
        }
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    REQUIRE(WIFSIGNALED(st));
    REQUIRE(std::filesystem::exists(t.path.string() + "-journal"));
    try {
        auto ro = t.open(sq::database::mode::read_only);
        (void)sq::load_snapshot(ro, now, host_with());
        FAIL("read a database with a hot journal");
    } catch (const sq::error& e) {
        CHECK(e.kind() == sq::error_kind::needs_recovery);
        const std::string what = e.what();
        CHECK(what.find(t.path.string() + "-journal") != std::string::npos);
        CHECK(what.find("warden apply --db") != std::string::npos);
    }
    // One read-write open rolls it back: the database is as before the killed transaction.
    auto rw = t.open();
    const auto s = sq::load_snapshot(rw, now, host_with());
    REQUIRE(s.jobs.size() == 5);
    CHECK(count(rw, "SELECT max(version) FROM jobs") == 1);
    CHECK(count(rw, "SELECT count(*) FROM sqlite_schema WHERE name = 'filler'") == 0);
    auto ro = t.open(sq::database::mode::read_only);
    CHECK(sq::load_snapshot(ro, now, host_with()).jobs.size() == 5);
}

TEST_CASE("sqlite: a full disk is its own error kind and writes nothing (issue 15)",
          "[adapters][sqlite]") {
    temp_db t;
    auto db = t.create();
    for (int id = 1; id <= 40; ++id)
        sq::insert_job(db, job_builder{id, job_status::queued}.stage("persist").outputs());
    const auto p = warden::decide(sq::load_snapshot(db, now, host_with()), {});
    REQUIRE(p.actions.size() == 40);
    // A host's audit trigger makes every write grow the file, and the file may not grow: SQLite
    // fails the statement exactly as on a full disk (SQLITE_FULL).
    db.exec("CREATE TABLE audit (x BLOB)");
    db.exec("CREATE TRIGGER audit_jobs AFTER UPDATE ON jobs BEGIN "
            "INSERT INTO audit VALUES (randomblob(3000)); END");
    db.exec("PRAGMA max_page_count = " + std::to_string(count(db, "PRAGMA page_count") + 3));
    try {
        (void)sq::apply(db, p, now);
        FAIL("applied with no room");
    } catch (const sq::error& e) {
        CHECK(e.kind() == sq::error_kind::disk_full);
        CHECK(std::string{e.what()}.find("nothing was written") != std::string::npos);
    }
    CHECK(count(db, "SELECT count(*) FROM jobs WHERE status = 'completed'") == 0);
    CHECK(count(db, "SELECT count(*) FROM audit") == 0);
}

// Issue #16 items 7 and 8 through the SQLite adapter: the backfill writes the kind of a row that
// had only a campaign_year, and the start's self-healing options land in their columns.
TEST_CASE("sqlite: a start stores its self-healing options, a backfill the missing kind",
          "[adapters][sqlite][queue_fill]") {
    temp_db t;
    auto db = t.create();
    warden::job j = job_builder{4, job_status::queued, "hc-news"}.version(2);
    j.campaign_year = 2026;
    sq::insert_job(db, j);
    warden::config c;
    c.ensure_min_running_jobs = 1;
    const auto p = warden::decide(sq::load_snapshot(db, now, host_with()), c);
    REQUIRE(p.actions.size() == 2);
    const auto r = sq::apply(db, p, now);
    CHECK(r.applied == 2);
    const auto after = sq::load_snapshot(db, now, host_with());
    REQUIRE(after.jobs.size() == 1);
    const auto& row = after.jobs[0];
    CHECK(row.kind == warden::campaign_kind::annual);
    CHECK(row.campaign_year == 2026);
    CHECK(row.status == job_status::running);
    CHECK(row.options.monitoring == true);
    CHECK(row.options.adaptive_restart == true);
    CHECK(row.options.stall_timeout_minutes == 60);
    CHECK(row.options.max_container_restarts == 20);
    CHECK(row.version == 4);
}

// Issue #16, item 1: the SQLite applier clears finished_at when reconcile revives a row, so the
// crawl is recovered when it stalls; without it the row reads running_with_finished_at for good.
TEST_CASE("sqlite: reconcile to running clears finished_at, and the next stall is recovered "
          "(issue 16)",
          "[adapters][sqlite][issue16]") {
    temp_db t;
    {
        auto db = t.create();
        sq::insert_job(
            db, job_builder{7, job_status::retryable}.started(3h).progress(2min).finished(90min));
    }
    auto db = t.open();
    const warden::config c;
    auto decide = [&](const warden::snapshot& s) { return warden::decide(s, c); };
    const auto first = sq::decide_and_apply(db, now, host_with({7}), decide);
    REQUIRE(first.result.applied == 1);
    CHECK(count(db, "SELECT count(*) FROM jobs WHERE id = 7 AND status = 'running' AND "
                    "finished_at IS NULL") == 1);
    const auto later = now + 2h;
    const auto second = sq::decide_and_apply(db, later, host_with({7}), decide);
    CHECK(second.plan.anomalies.empty());
    CHECK(second.plan.summary.stalled == 1);
    CHECK(second.result.committed);
    CHECK(count(db, "SELECT count(*) FROM jobs WHERE id = 7 AND status = 'retryable'") == 1);
    CHECK(count(db, "SELECT count(*) FROM recovery_history WHERE job_id = 7") == 1);
}

TEST_CASE("sqlite: a status write that does not clear finished_at keeps it (issue 16)",
          "[adapters][sqlite][issue16]") {
    temp_db t;
    {
        auto db = t.create();
        sq::insert_job(db, job_builder{7, job_status::retryable}.started(3h).finished(90min));
    }
    auto db = t.open();
    warden::set_status w{warden::job_id{7},
                         job_status::retryable,
                         1,
                         job_status::running,
                         std::nullopt,
                         warden::rule_id::reconcile,
                         "per-job lock held",
                         {warden::evidence_kind::lock, 0},
                         false};
    CHECK(sq::apply_one(db, w, now) == status::applied);
    CHECK(count(db, "SELECT count(*) FROM jobs WHERE id = 7 AND finished_at IS NOT NULL") == 1);
    w.expected_status = job_status::running;
    w.expected_version = 2;
    w.status = job_status::running;
    w.clears_finished_at = true;
    CHECK(sq::apply_one(db, w, now) == status::applied);
    CHECK(count(db, "SELECT count(*) FROM jobs WHERE id = 7 AND finished_at IS NULL") == 1);
}
