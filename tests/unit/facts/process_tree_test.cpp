// Issue #16, item 9: archive-tool and its `docker run ... zimit` child are one attempt.
#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

namespace {

void add_child(warden::snapshot& s, std::int64_t job, std::int64_t pid, std::int64_t ppid) {
    add_process(s, job, pid);
    s.processes.back().ppid = ppid;
}

// A waiting row whose crawl still runs as a tree of processes on its dir.
warden::snapshot tree_world() {
    auto s = world({job_builder{7, job_status::retryable}.started(2h).progress(2min)});
    add_child(s, 7, 100, 1);   // archive-tool, under init (its parent is not on the dir)
    add_child(s, 7, 200, 100); // docker run ... zimit
    return s;
}

} // namespace

TEST_CASE("one process tree on the dir is one attempt: reconciled", "[facts][reconcile][issue16]") {
    const warden::plan p = warden::decide(tree_world(), {});
    CHECK(p.anomalies.empty());
    const auto writes = actions_of<warden::set_status>(p);
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].status == job_status::running);
    CHECK(writes[0].reason == "one live process tree in its output_dir");
    CHECK(writes[0].evidence == warden::evidence{warden::evidence_kind::process, 100});
}

TEST_CASE("a deeper tree, listed child first, is one attempt", "[facts][issue16]") {
    auto s = world({job_builder{7, job_status::queued}.started(2h).progress(2min)});
    add_child(s, 7, 300, 200);
    add_child(s, 7, 200, 100);
    add_child(s, 7, 100, 1);
    add_child(s, 7, 301, 200);
    const auto facts = warden::build_facts(s, {});
    CHECK(facts.jobs[0].one_process_tree);
}

TEST_CASE("processes that are not one tree are several_processes", "[facts][issue16]") {
    SECTION("two roots: a possible double attempt") {
        auto s = world({job_builder{7, job_status::retryable}.started(2h).progress(2min)});
        add_child(s, 7, 100, 1);
        add_child(s, 7, 200, 1);
        const warden::plan p = warden::decide(s, {});
        CHECK(p.actions.empty());
        REQUIRE(p.anomalies.size() == 1);
        CHECK(p.anomalies[0].kind == warden::anomaly_kind::several_processes);
    }
    SECTION("a parent unknown") {
        auto s = tree_world();
        s.processes[1].ppid.reset();
        CHECK_FALSE(warden::build_facts(s, {}).jobs[0].one_process_tree);
        CHECK(warden::decide(s, {}).actions.empty());
    }
    SECTION("a ppid cycle beside a root") {
        auto s = tree_world();
        add_child(s, 7, 300, 400);
        add_child(s, 7, 400, 300);
        CHECK_FALSE(warden::build_facts(s, {}).jobs[0].one_process_tree);
    }
    SECTION("a cycle alone") {
        auto s = world({job_builder{7, job_status::retryable}.started(2h).progress(2min)});
        add_child(s, 7, 300, 400);
        add_child(s, 7, 400, 300);
        CHECK_FALSE(warden::build_facts(s, {}).jobs[0].one_process_tree);
    }
    SECTION("the guard off (the bug): a tree is ambiguous") {
        warden::config c;
        c.guards.process_tree_is_one_attempt = false;
        const warden::plan p = warden::decide(tree_world(), c);
        CHECK(p.actions.empty());
        REQUIRE(p.anomalies.size() == 1);
        CHECK(p.anomalies[0].kind == warden::anomaly_kind::several_processes);
    }
}

TEST_CASE("a single process is still the fallback, with or without a ppid", "[facts][issue16]") {
    auto s = world({job_builder{7, job_status::retryable}.started(2h).progress(2min)});
    add_child(s, 7, 100, 1);
    CHECK_FALSE(warden::build_facts(s, {}).jobs[0].one_process_tree); // fewer than two
    const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].reason == "one live process in its output_dir");
}

TEST_CASE("a stop names every pid of the tree", "[facts][stall_recovery][issue16]") {
    // The tree's attempt stalled: reconcile stops it, naming both processes.
    auto s = tree_world();
    s.jobs[0].last_progress_at = now - 2h;
    const auto stops = actions_of<warden::stop_job>(warden::decide(s, {}));
    REQUIRE(stops.size() == 1);
    CHECK(stops[0].pids == std::vector<std::int64_t>{100, 200});
    // And a running row's stall recovery likewise.
    s.jobs[0].status = job_status::running;
    const auto recovery = actions_of<warden::stop_job>(warden::decide(s, {}));
    REQUIRE(recovery.size() == 1);
    CHECK(recovery[0].pids == std::vector<std::int64_t>{100, 200});
    CHECK(recovery[0].restart);
}

TEST_CASE("a ppid no pid can have is a host-wide error naming the field", "[facts][issue16]") {
    auto s = tree_world();
    s.processes[1].ppid = -3;
    const warden::plan p = warden::decide(s, {});
    CHECK(p.actions.empty());
    REQUIRE(p.errors.size() == 1);
    CHECK(p.errors[0].field == "processes[1].ppid");
    s.processes[1].ppid = 0; // the kernel's own: a real parent
    CHECK(warden::decide(s, {}).errors.empty());
}
