// Recap's third repair (issue #17, docs/rules/consistency_repair.md): a queued (pending) job stuck
// mid-pipeline, not updated for stale_pipeline_after_minutes, is failed.
#include <warden/engine.hpp>

#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

namespace {

warden::snapshot stuck(duration updated_ago, std::string stage = "summarize") {
    auto s = world({job_builder{3, job_status::queued}.stage(std::move(stage))});
    s.jobs[0].updated_at = now - updated_ago;
    return s;
}

std::vector<warden::set_status> repairs(const warden::plan& p) {
    std::vector<warden::set_status> out;
    for (const auto& st : actions_of<warden::set_status>(p))
        if (st.rule == warden::rule_id::consistency_repair) out.push_back(st);
    return out;
}

} // namespace

TEST_CASE("stale pipeline: a pending job stuck mid-pipeline past the bound is failed by CAS",
          "[rules][consistency_repair][stale_pipeline]") {
    auto s = stuck(61min);
    const auto p = warden::decide(s, {});
    const auto r = repairs(p);
    REQUIRE(r.size() == 1);
    CHECK(r[0].expected_status == job_status::queued);
    CHECK(r[0].expected_version == 1);
    CHECK(r[0].status == job_status::failed);
    CHECK(r[0].failure == warden::failure_class::infra_error);
    CHECK(r[0].evidence == warden::evidence{warden::evidence_kind::stale_update, 61 * 60});
    CHECK(std::string(r[0].reason).find("stale_pipeline") == 0);
    CHECK(warden::outcome_of(p, s) == warden::tick_reason::state_repaired);
}

TEST_CASE("stale pipeline: boundaries and what keeps a job", "[rules][consistency_repair]") {
    SECTION("exactly stale_pipeline_after: not older, kept") {
        CHECK(repairs(warden::decide(stuck(60min), {})).empty());
    }
    SECTION("one second past: failed") {
        CHECK(repairs(warden::decide(stuck(60min + 1s), {})).size() == 1);
    }
    SECTION("the config key moves the bound") {
        warden::config c;
        c.stale_pipeline_after = std::chrono::minutes{120};
        CHECK(repairs(warden::decide(stuck(90min), c)).empty());
        CHECK(repairs(warden::decide(stuck(121min), c)).size() == 1);
    }
    SECTION("no updated_at: never") {
        auto s = stuck(5h);
        s.jobs[0].updated_at.reset();
        CHECK(repairs(warden::decide(s, {})).empty());
    }
    SECTION("no last_stage: a job that never started its pipeline waits") {
        auto s = stuck(5h);
        s.jobs[0].last_stage.reset();
        CHECK(repairs(warden::decide(s, {})).empty());
    }
    SECTION("the final stage is B7's repair, not this one") {
        auto s = stuck(5h, "persist");
        const auto r = repairs(warden::decide(s, {}));
        REQUIRE(r.size() == 1);
        CHECK(r[0].evidence.kind == warden::evidence_kind::final_stage);
    }
    SECTION("a lock shows it alive") {
        auto s = stuck(5h);
        hold_lock(s, 3);
        s.jobs[0].started_at = now - 5h;
        CHECK(repairs(warden::decide(s, {})).empty());
    }
    SECTION("a process shows it alive") {
        auto s = stuck(5h);
        add_process(s, 3, 4242);
        CHECK(repairs(warden::decide(s, {})).empty());
    }
    SECTION("a running-set entry shows it alive") {
        auto s = stuck(5h);
        s.running_set.push_back(warden::job_id{3});
        CHECK(repairs(warden::decide(s, {})).empty());
    }
    SECTION("other statuses are not this repair's") {
        for (const auto st : {job_status::retryable, job_status::failed}) {
            auto s = stuck(5h);
            s.jobs[0].status = st;
            CHECK(repairs(warden::decide(s, {})).empty());
        }
    }
    SECTION("the consistency_repair guard switch turns it off") {
        warden::config c;
        c.guards.consistency_repair = false;
        CHECK(repairs(warden::decide(stuck(5h), c)).empty());
    }
}

TEST_CASE("stale pipeline: updated_at after now and a bad config are named",
          "[rules][consistency_repair][validate]") {
    auto s = stuck(-1min);
    const auto p = warden::decide(s, {});
    REQUIRE(p.errors.size() == 1);
    CHECK(p.errors[0].field == "jobs[0].updated_at");
    warden::config c;
    c.stale_pipeline_after = std::chrono::minutes{0};
    const auto errors = warden::validate(c);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].field == "config.stale_pipeline_after");
}
