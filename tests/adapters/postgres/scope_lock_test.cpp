// Several watchdogs, one database (issue 20, item 3): the per-scope advisory lock lets one
// session hold a scope; another skips; a killed holder frees it with its session.
#include <catch2/catch.hpp>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.hpp"

using namespace pgt;

TEST_CASE("postgres: one session holds a scope, another is refused at once", "[postgres][scope]") {
    fresh_db t;
    auto a = t.open();
    auto b = t.open();
    pg::scope_lock la(a, "crawl-host-1");
    pg::scope_lock lb(b, "crawl-host-1");
    pg::scope_lock other(b, "crawl-host-2");
    CHECK(la.try_acquire());
    CHECK(la.try_acquire()); // held: still true, not a second (stacked) lock
    CHECK_FALSE(lb.try_acquire());
    CHECK(other.try_acquire()); // another scope is independent
    la.release();
    CHECK(lb.try_acquire());
    CHECK_FALSE(la.try_acquire());
    lb.release();
    // Released exactly once: nothing of it is left in pg_locks.
    CHECK(count(a, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = "
                   "pg_backend_pid()") == 0);
}

TEST_CASE("postgres: a watchdog killed holding its scope frees it with its session",
          "[postgres][scope][crash]") {
    fresh_db t;
    int held[2];
    REQUIRE(::pipe(held) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(held[0]);
        try {
            auto db = t.open();
            pg::scope_lock lock(db, "source:hc");
            if (lock.try_acquire()) (void)::write(held[1], "x", 1);
            ::pause(); // holding it until killed
        } catch (...) {
        }
        ::_exit(0);
    }
    ::close(held[1]);
    char x = 0;
    REQUIRE(::read(held[0], &x, 1) == 1);
    ::close(held[0]);
    auto db = t.open();
    pg::scope_lock mine(db, "source:hc");
    CHECK_FALSE(mine.try_acquire()); // the other process holds it
    ::kill(pid, SIGKILL);
    int st = 0;
    ::waitpid(pid, &st, 0);
    CHECK(WIFSIGNALED(st));
    // The server notices the closed socket and ends the session; give it a moment.
    bool got = false;
    for (int i = 0; i < 100 && !got; ++i) {
        got = mine.try_acquire();
        if (!got) ::usleep(20000);
    }
    CHECK(got);
}
