// Issue #17, item 5: a recovery also sweeps the source's other stalled jobs nothing runs.
#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

namespace {

job_builder stalled(std::int64_t id, std::string source = "hc") {
    return std::move(
        job_builder{id, job_status::running}.started(3h).progress(2h).source(std::move(source)));
}

std::vector<std::int64_t> retried(const warden::plan& p) {
    std::vector<std::int64_t> ids;
    for (const auto& w : actions_of<warden::set_status>(p))
        if (w.status == job_status::retryable) ids.push_back(warden::to_int(w.job));
    return ids;
}

} // namespace

TEST_CASE("same-source sweep: the other stalled jobs nothing runs are marked retryable",
          "[rules][stall_recovery][issue17]") {
    auto s = world({stalled(1), stalled(2), stalled(3), stalled(4, "phac")});
    const warden::plan p = warden::decide(s, {});
    CHECK(retried(p) == std::vector<std::int64_t>{1, 2, 3});
    for (const auto& w : actions_of<warden::set_status>(p))
        if (warden::to_int(w.job) != 1) {
            CHECK(w.reason == "no progress (same-source sweep: nothing runs it)");
            CHECK(w.rule == warden::rule_id::stall_recovery);
        }
    // Status change only: job 1's tool options, nothing for the swept jobs, no runner action.
    CHECK(actions_of<warden::stop_job>(p).empty());
    for (const auto& o : actions_of<warden::set_tool_options>(p))
        CHECK(warden::to_int(o.job) == 1);
    CHECK(p.summary.stalled == 4);
    // phac's job 4 waits its turn, like any stall past recoveries_per_tick.
    REQUIRE(p.blocked.size() >= 1);
    CHECK(warden::to_int(warden::action_job(p.blocked[0].proposed)) == 4);
}

TEST_CASE("same-source sweep: up to same_source_recoveries_limit", "[rules][issue17]") {
    std::vector<warden::job> jobs;
    for (int id = 1; id <= 8; ++id)
        jobs.push_back(stalled(id));
    auto s = world(jobs);
    CHECK(retried(warden::decide(s, {})).size() == 6); // the recovered one and five more
    warden::config c;
    c.same_source_recoveries_limit = 2;
    CHECK(retried(warden::decide(s, c)) == std::vector<std::int64_t>{1, 2, 3});
    c.same_source_recoveries_limit = 0; // off
    CHECK(retried(warden::decide(s, c)) == std::vector<std::int64_t>{1});
}

TEST_CASE("same-source sweep: never a job something runs", "[rules][issue17]") {
    auto s = world({stalled(1), stalled(2), stalled(3), stalled(4)});
    hold_lock(s, 2);         // worker
    add_process(s, 3, 3333); // worker process
    s.running_set.push_back(warden::job_id{4});
    CHECK(retried(warden::decide(s, {})) == std::vector<std::int64_t>{1});
}

TEST_CASE("same-source sweep: each through the rails", "[rules][issue17]") {
    // Job 2 reached its daily recovery cap: refused, reported, not counted against the limit.
    auto s = world({stalled(1), stalled(2), stalled(3)});
    for (int k = 1; k <= 3; ++k)
        s.recoveries.push_back({warden::job_id{2}, now - std::chrono::hours{k}});
    warden::config c;
    c.same_source_recoveries_limit = 1;
    const warden::plan p = warden::decide(s, c);
    CHECK(retried(p) == std::vector<std::int64_t>{1, 3});
    const auto refused = blocked_of<warden::set_status>(p);
    REQUIRE(refused.size() == 1);
    CHECK(warden::to_int(refused[0].first.job) == 2);
    CHECK(refused[0].second.rail == "daily_recovery_cap");
}

TEST_CASE("same-source sweep: nothing when the recovery itself is refused", "[rules][issue17]") {
    // Job 1 reached its daily recovery cap: refused, so it sweeps nothing; job 2 is then the
    // first recovery of the tick, recovered as itself, and sweeps job 3.
    auto s = world({stalled(1), stalled(2), stalled(3)});
    for (int k = 1; k <= 3; ++k)
        s.recoveries.push_back({warden::job_id{1}, now - std::chrono::hours{k}});
    const warden::plan p = warden::decide(s, {});
    CHECK(retried(p) == std::vector<std::int64_t>{2, 3});
    for (const auto& w : actions_of<warden::set_status>(p))
        CHECK(w.reason == (warden::to_int(w.job) == 2
                               ? "no progress (nothing runs it: row only)"
                               : "no progress (same-source sweep: nothing runs it)"));
}

TEST_CASE("same-source sweep: a dry run files what apply mode would do", "[rules][issue17]") {
    auto s = world({stalled(1), stalled(2)});
    s.host.sentinel_present = false;
    const warden::plan p = warden::decide(s, {});
    CHECK(p.actions.empty());
    CHECK(blocked_of<warden::set_status>(p).size() == 2);
}

TEST_CASE("same-source sweep: the config key is validated", "[rules][issue17]") {
    warden::config c;
    c.same_source_recoveries_limit = -1;
    const auto errors = warden::validate(c);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].field == "config.same_source_recoveries_limit");
}
