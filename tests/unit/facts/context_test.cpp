#include <warden/facts/context.hpp>

#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

TEST_CASE("facts/context: live evidence is a held lock or a live process", "[facts][context]") {
    warden::job_facts f;
    CHECK_FALSE(f.has_live_evidence());
    f.in_running_set = true; // the worker's memory alone is no evidence
    CHECK_FALSE(f.has_live_evidence());
    f.lock_held = true;
    CHECK(f.has_live_evidence());
    f.lock_held = false;
    f.process_count = 1;
    CHECK(f.has_live_evidence());
}

TEST_CASE("facts/context: the guard is active while a job progresses", "[facts][context]") {
    warden::guard_evidence g;
    CHECK_FALSE(g.active());
    g.progressing = 1;
    CHECK(g.active());
}

TEST_CASE("facts/context: subject_at pairs a row with its own facts", "[facts][context]") {
    const auto s = world({job_builder{4, job_status::queued}, job_builder{7, job_status::running}});
    const warden::config c;
    std::vector<warden::job_facts> facts(2);
    facts[1].lock_held = true;
    const warden::decision_context ctx{s, c, facts};
    const warden::subject second = ctx.subject_at(1);
    CHECK(warden::to_int(second.row.id) == 7);
    CHECK(second.facts.lock_held);
    CHECK(&second.facts == &facts[1]);
    CHECK_FALSE(ctx.subject_at(0).facts.lock_held);
}
