// The SQLite adapter's race and crash suite on PostgreSQL (issue 20, items 1 and 4): N appliers
// x M iterations racing on the same rows, with a checker that every action landed at most once;
// concurrent watchdogs that must never exceed the target; `kill -9` of an applier in the middle
// of its transaction, then a consistency check.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.hpp"
#include "support/builders.hpp"

using namespace wt;
using namespace pgt;

namespace {

pg::runtime_facts healthy() {
    pg::runtime_facts r;
    r.host = {true, false, 40.0};
    return r;
}

// Runs `body(k)` in `n` forked children released together; returns their exit codes.
template <class Body>
std::vector<int> run_children(int n, Body body) {
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    std::vector<pid_t> children;
    for (int k = 0; k < n; ++k) {
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            char go;
            ::close(ready[1]);
            (void)::read(ready[0], &go, 1);
            int code = 13;
            try {
                code = body(k);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "child %d: %s\n", k, e.what());
            }
            ::_exit(code);
        }
        children.push_back(pid);
    }
    ::close(ready[0]);
    ::close(ready[1]); // all start together
    std::vector<int> codes;
    for (const pid_t pid : children) {
        int st = 0;
        ::waitpid(pid, &st, 0);
        codes.push_back(WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    }
    return codes;
}

} // namespace

TEST_CASE("postgres: N appliers x M iterations, every action lands at most once",
          "[postgres][race]") {
    constexpr int jobs = 10, appliers = 4, iterations = 20;
    fresh_db t;
    {
        auto db = t.create();
        for (int id = 1; id <= jobs; ++id)
            pg::insert_job(db, job_builder{id, job_status::queued}.annual());
    }
    const auto dir =
        std::filesystem::temp_directory_path() / ("warden-pg-race-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto codes = run_children(appliers, [&](int k) {
        auto db = t.open(std::chrono::seconds{20});
        std::ofstream log(dir / std::to_string(k));
        std::mt19937_64 rng(static_cast<std::uint64_t>(k) * 7919u + 1);
        for (int it = 0; it < iterations; ++it) {
            // Decide on a snapshot, then apply separately: the racy two-step path, where only
            // the compare-and-set keeps two appliers from both landing a write.
            const auto s = pg::load_snapshot(db, now, healthy());
            warden::plan p;
            for (const auto& j : s.jobs) {
                if (rng() % 2) continue;
                if (j.status == job_status::queued)
                    p.actions.push_back(start_of(j));
                else if (j.status == job_status::running)
                    p.actions.push_back(warden::set_status{j.id,
                                                           j.status,
                                                           j.version,
                                                           job_status::queued,
                                                           std::nullopt,
                                                           warden::rule_id{},
                                                           "requeue",
                                                           {}});
            }
            const auto r = pg::apply(db, p, now);
            if (!r.committed) return 11;
            for (std::size_t i = 0; i < p.actions.size(); ++i) {
                if (r.actions[i] != pg::action_status::applied) continue;
                const bool start = std::holds_alternative<warden::start_job>(p.actions[i]);
                const auto version =
                    start ? std::get<warden::start_job>(p.actions[i]).expected_version
                          : std::get<warden::set_status>(p.actions[i]).expected_version;
                log << warden::to_int(warden::action_job(p.actions[i])) << ' ' << version << ' '
                    << start << '\n';
            }
        }
        return 0;
    });
    CHECK(codes == std::vector<int>(appliers, 0));

    // The checker: no observed (job, version) authorised two writes; each job's version moved
    // once per landed write; each landed start left exactly one start record.
    std::set<std::pair<std::int64_t, std::int64_t>> landed;
    std::map<std::int64_t, std::int64_t> writes, starts;
    std::int64_t total = 0;
    for (int k = 0; k < appliers; ++k) {
        std::ifstream in(dir / std::to_string(k));
        std::int64_t job = 0, version = 0;
        int start = 0;
        while (in >> job >> version >> start) {
            ++total;
            INFO("job " << job << " version " << version);
            CHECK(landed.insert({job, version}).second);
            ++writes[job];
            starts[job] += start;
        }
    }
    std::filesystem::remove_all(dir);
    CHECK(total > jobs); // the race had something to race on
    auto db = t.open();
    for (int id = 1; id <= jobs; ++id) {
        INFO("job " << id);
        CHECK(count(db, "SELECT version FROM jobs WHERE id = " + std::to_string(id)) ==
              1 + writes[id]);
        CHECK(count(db, "SELECT count(*) FROM job_starts WHERE job_id = " + std::to_string(id)) ==
              starts[id]);
    }
}

TEST_CASE("postgres: concurrent watchdogs and host writes never exceed the target",
          "[postgres][race][aggregate]") {
    for (int round = 0; round < 3; ++round) {
        fresh_db t;
        {
            auto db = t.create();
            for (int id = 1; id <= 8; ++id)
                pg::insert_job(db, job_builder{id, job_status::queued}.annual().queued(
                                       std::chrono::hours{48 + id}));
        }
        const int target = 1 + round;
        const auto codes = run_children(3, [&](int k) {
            auto db = t.open(std::chrono::seconds{20});
            std::mt19937_64 rng(static_cast<std::uint64_t>(round * 10 + k));
            for (int tick = 0; tick < 10; ++tick) {
                if (k == 2) { // the host: move a queued row to the front
                    db.exec("UPDATE jobs SET queued_at = queued_at - 3600 * " +
                            std::to_string(1 + rng() % 100) +
                            ", version = version + 1 WHERE status = 'queued' AND id = " +
                            std::to_string(1 + rng() % 8));
                    continue;
                }
                warden::config c;
                c.ensure_min_running_jobs = target;
                (void)pg::decide_and_apply(db, now, healthy(), [&](const warden::snapshot& s) {
                    return warden::decide(s, c);
                });
            }
            return 0;
        });
        CHECK(codes == std::vector<int>(3, 0));
        auto db = t.open();
        CHECK(count(db, "SELECT count(*) FROM jobs WHERE status = 'running'") == target);
        CHECK(count(db, "SELECT count(*) FROM job_starts") == target);
        CHECK(count(db, "SELECT count(*) FROM (SELECT job_id FROM job_starts GROUP BY job_id "
                        "HAVING count(*) > 1) AS twice") == 0);
    }
}

TEST_CASE("postgres: kill -9 in the middle of apply leaves before, never between",
          "[postgres][crash]") {
    fresh_db t;
    {
        auto db = t.create();
        for (int id = 1; id <= 30; ++id)
            pg::insert_job(db, job_builder{id, job_status::queued}.stage("persist").outputs());
    }
    const auto p = [&] {
        auto db = t.open();
        return warden::decide(pg::load_snapshot(db, now, healthy()), {});
    }();
    REQUIRE(p.actions.size() == 30);
    for (const std::size_t crash_after : {std::size_t{0}, std::size_t{14}, std::size_t{29}}) {
        INFO("killed after action " << crash_after);
        int reached[2];
        REQUIRE(::pipe(reached) == 0);
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(reached[0]);
            try {
                auto db = t.open();
                pg::apply_options o;
                o.after_each = [&](std::size_t i, pg::action_status) {
                    if (i == crash_after) {
                        (void)::write(reached[1], "x", 1);
                        ::pause(); // wait to be killed mid-transaction
                    }
                };
                (void)pg::apply(db, p, now, o);
            } catch (...) {
            }
            ::_exit(0);
        }
        ::close(reached[1]);
        char x;
        REQUIRE(::read(reached[0], &x, 1) == 1);
        ::close(reached[0]);
        auto db = t.open(std::chrono::seconds{20});
        // While it waits, its uncommitted writes are invisible.
        CHECK(count(db, "SELECT count(*) FROM jobs WHERE status = 'completed'") == 0);
        ::kill(pid, SIGKILL);
        int st = 0;
        ::waitpid(pid, &st, 0);
        CHECK(WIFSIGNALED(st));
        // The consistency check: killed before COMMIT, the transaction never happened.
        CHECK(count(db, "SELECT count(*) FROM jobs WHERE status = 'completed'") == 0);
        CHECK(count(db, "SELECT count(*) FROM jobs WHERE version = 1") == 30);
        CHECK(count(db, "SELECT count(*) FROM jobs WHERE completed_at IS NOT NULL") == 0);
    }
    // The same plan still applies cleanly afterwards: the dead session's row locks are gone
    // (the apply waits for them up to its lock_timeout).
    auto db = t.open(std::chrono::seconds{20});
    CHECK(pg::apply(db, p, now).applied == 30);
    CHECK(count(db, "SELECT count(*) FROM jobs WHERE status = 'completed' AND version = 2") == 30);
}
