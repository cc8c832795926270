// WARDEN_ASSERT fires where the code used to trust silently. Each case runs the broken call in a
// forked child (a death test): the child must die of SIGABRT having printed file:line and the
// message to stderr; the parent process, and so the rest of the suite, goes on.
#include <warden/detail/assert.hpp>
#include <warden/detail/dir_index.hpp>
#include <warden/detail/id_index.hpp>
#include <warden/facts/context.hpp>
#include <warden/rules/proposal.hpp>

#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "../../support/builders.hpp"

static_assert(WARDEN_ASSERTS_ON, "the test targets define WARDEN_ENABLE_ASSERTS");

namespace {

struct death {
    bool aborted = false;
    std::string stderr_text;
};

// Runs `f` in a child process with stderr captured.
template <class F>
death run_in_child(F f) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        ::dup2(fds[1], STDERR_FILENO);
        // Catch's own SIGABRT handler would report the abort as a failed test in the child.
        std::signal(SIGABRT, SIG_DFL);
        f();
        ::_exit(0); // survived: the assert did not fire
    }
    ::close(fds[1]);
    death d;
    char buf[512];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
        d.stderr_text.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    d.aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
    return d;
}

warden::set_status any_write() {
    return warden::set_status{warden::job_id{1},
                              warden::job_status::running,
                              1,
                              warden::job_status::retryable,
                              std::nullopt,
                              warden::rule_id::stall_recovery,
                              "test",
                              {warden::evidence_kind::none, 0}};
}

} // namespace

TEST_CASE("WARDEN_ASSERT: a false condition prints file, line and message, then aborts",
          "[detail][assert]") {
    const int line = __LINE__ + 1;
    const death d = run_in_child([] { WARDEN_ASSERT(1 + 1 == 3, "arithmetic is broken"); });
    CHECK(d.aborted);
    CHECK_THAT(d.stderr_text, Catch::Matchers::Contains("assert_test.cpp:" + std::to_string(line) +
                                                        ": warden assertion failed: 1 + 1 == 3: "
                                                        "arithmetic is broken"));
}

TEST_CASE("WARDEN_ASSERT: a true condition does nothing", "[detail][assert]") {
    const death d = run_in_child([] { WARDEN_ASSERT(1 + 1 == 2, "never printed"); });
    CHECK_FALSE(d.aborted);
    CHECK(d.stderr_text.empty());
}

TEST_CASE("WARDEN_ASSERT: proposal::add past its fixed capacity", "[detail][assert]") {
    SECTION("up to capacity: fine") {
        const death d = run_in_child([] {
            warden::proposal p;
            for (std::size_t k = 0; k < warden::proposal::capacity; ++k)
                p.add(any_write());
        });
        CHECK_FALSE(d.aborted);
    }
    SECTION("one more: the assert fires instead of writing past the array") {
        const death d = run_in_child([] {
            warden::proposal p;
            for (std::size_t k = 0; k <= warden::proposal::capacity; ++k)
                p.add(any_write());
        });
        CHECK(d.aborted);
        CHECK_THAT(d.stderr_text, Catch::Matchers::Contains("proposal full"));
    }
}

TEST_CASE("WARDEN_ASSERT: the id index's probe loop never spins on a full table",
          "[detail][assert]") {
    SECTION("as many ids as it was sized for, and misses: fine") {
        const death d = run_in_child([] {
            warden::detail::id_index ids(2);
            (void)ids.insert(warden::job_id{1}, 0);
            (void)ids.insert(warden::job_id{2}, 1);
            if (ids.find(warden::job_id{3}) != warden::detail::id_index::npos) std::abort();
        });
        CHECK_FALSE(d.aborted);
    }
    SECTION("more ids than slots: the insert that finds no free slot fires") {
        const death d = run_in_child([] {
            warden::detail::id_index ids(0); // 2 slots
            for (std::int64_t id = 1; id <= 3; ++id)
                (void)ids.insert(warden::job_id{id}, static_cast<std::uint32_t>(id));
        });
        CHECK(d.aborted);
        CHECK_THAT(d.stderr_text, Catch::Matchers::Contains("id_index.hpp"));
    }
}

TEST_CASE("WARDEN_ASSERT: an index into the facts past the jobs", "[detail][assert]") {
    const auto s = wt::world({wt::job_builder{1, warden::job_status::queued}});
    const warden::config c;
    SECTION("in range: fine") {
        const death d = run_in_child([&] {
            const std::vector<warden::job_facts> facts(1);
            const warden::decision_context ctx{s, c, facts};
            if (warden::to_int(ctx.subject_at(0).row.id) != 1) std::abort();
        });
        CHECK_FALSE(d.aborted);
    }
    SECTION("past the end") {
        const death d = run_in_child([&] {
            const std::vector<warden::job_facts> facts(1);
            const warden::decision_context ctx{s, c, facts};
            (void)ctx.subject_at(1);
        });
        CHECK(d.aborted);
        CHECK_THAT(d.stderr_text, Catch::Matchers::Contains("job index out of range"));
    }
    SECTION("facts of another snapshot") {
        const death d = run_in_child([&] {
            const std::vector<warden::job_facts> facts(2);
            const warden::decision_context ctx{s, c, facts};
            (void)ctx.subject_at(0);
        });
        CHECK(d.aborted);
        CHECK_THAT(d.stderr_text, Catch::Matchers::Contains("facts built for another snapshot"));
    }
}
