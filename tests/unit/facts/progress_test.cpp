#include <warden/facts/progress.hpp>

#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;
using warden::progress_age;
using warden::progress_is_stale;

TEST_CASE("facts/progress: the age runs from the newer of progress and start",
          "[facts][progress]") {
    SECTION("progress after the start") {
        const warden::job j = job_builder{1, job_status::running}.started(3h).progress(20min);
        CHECK(progress_age(j, now) == 20min);
    }
    SECTION("a restart after the last progress: judged from the restart") {
        const warden::job j = job_builder{1, job_status::running}.started(5min).progress(2h);
        CHECK(progress_age(j, now) == 5min);
    }
    SECTION("only a start") {
        const warden::job j = job_builder{1, job_status::running}.started(7min);
        CHECK(progress_age(j, now) == 7min);
    }
    SECTION("only progress") {
        const warden::job j = job_builder{1, job_status::queued}.progress(9min);
        CHECK(progress_age(j, now) == 9min);
    }
}

TEST_CASE("facts/progress: no age without evidence or without progress information",
          "[facts][progress]") {
    warden::job j = job_builder{1, job_status::running};
    CHECK_FALSE(progress_age(j, now));
    CHECK_FALSE(progress_is_stale(j, now, 1s));
    j = job_builder{1, job_status::running}.started(5h).progress(5h);
    j.progress_known = false;
    CHECK_FALSE(progress_age(j, now));
    CHECK_FALSE(progress_is_stale(j, now, 1s)); // unknown is never stale
}

TEST_CASE("facts/progress: stale is inclusive at stall_after", "[facts][progress]") {
    const warden::config c;
    const auto at = [&](duration ago) {
        return progress_is_stale(job_builder{1, job_status::running}.started(5h).progress(ago), now,
                                 c.stall_after);
    };
    CHECK_FALSE(at(c.stall_after - 1s));
    CHECK(at(c.stall_after));
    CHECK(at(c.stall_after + 1s));
}
