#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;
using warden::process_origin;
using warden::runner_class;

namespace {
// The stalled job 5 (no guard: nothing else runs), and what its recovery does.
warden::snapshot stalled() {
    return world({job_builder{5, job_status::running}.started(5h).progress(2h)});
}

std::optional<warden::stop_job> stop_of(const warden::plan& p) {
    const auto stops = actions_of<warden::stop_job>(p);
    if (stops.empty()) return std::nullopt;
    return stops.front();
}

bool operator_needed(const warden::plan& p) {
    return std::any_of(p.anomalies.begin(), p.anomalies.end(), [](const warden::anomaly& a) {
        return a.kind == warden::anomaly_kind::stalled_runner_unknown;
    });
}
} // namespace

TEST_CASE("runner_class: nothing runs it: none, and a full recovery writes the row only",
          "[rules][runner_class]") {
    // Issue #16, item 10: no stop, no worker restart (before it: a stop of runner none, restart).
    const auto p = warden::decide(stalled(), {});
    CHECK_FALSE(stop_of(p));
    REQUIRE(actions_of<warden::set_status>(p).size() == 1);
    warden::config c;
    c.guards.runner_none_status_only = false;
    const auto stop = stop_of(warden::decide(stalled(), c));
    REQUIRE(stop);
    CHECK(stop->runner == runner_class::none);
    CHECK(stop->restart);
    CHECK(stop->pids.empty());
}

TEST_CASE("runner_class: a crawl under the worker is the worker's", "[rules][runner_class]") {
    auto s = stalled();
    add_process(s, 5, 5151);
    const auto stop = stop_of(warden::decide(s, {}));
    REQUIRE(stop);
    CHECK(stop->runner == runner_class::worker);
    CHECK(stop->pids == std::vector<std::int64_t>{5151});
}

TEST_CASE("runner_class: a systemd unit is stopped and restarted by name",
          "[rules][runner_class]") {
    auto s = stalled();
    add_process(s, 5, 5151, process_origin::systemd_unit, "crawl-5.service");
    const auto stop = stop_of(warden::decide(s, {}));
    REQUIRE(stop);
    CHECK(stop->runner == runner_class::systemd_unit);
    CHECK(stop->unit == "crawl-5.service");
    CHECK(stop->restart);
}

TEST_CASE("runner_class: a held lock is never none", "[rules][runner_class]") {
    auto s = stalled();
    hold_lock(s, 5);
    SECTION("worker alive: the worker's") {
        const auto stop = stop_of(warden::decide(s, {}));
        REQUIRE(stop);
        CHECK(stop->runner == runner_class::worker);
    }
    SECTION("worker down: unknown, so an operator is needed and nothing is written") {
        s.host.worker_alive = false;
        const auto p = warden::decide(s, {});
        CHECK(p.actions.empty());
        CHECK(p.blocked.empty());
        CHECK(operator_needed(p));
        CHECK(p.summary.stalled == 1);
    }
}

TEST_CASE("runner_class: the running set is the worker's only while the worker lives",
          "[rules][runner_class]") {
    auto s = stalled();
    s.running_set.push_back(warden::job_id{5});
    SECTION("alive: worker") {
        const auto stop = stop_of(warden::decide(s, {}));
        REQUIRE(stop);
        CHECK(stop->runner == runner_class::worker);
    }
    SECTION("down: stale memory, none") {
        s.host.worker_alive = false;
        CHECK_FALSE(stop_of(warden::decide(s, {}))); // runner none: the row only (issue #16)
        warden::config c;
        c.guards.runner_none_status_only = false;
        const auto stop = stop_of(warden::decide(s, c));
        REQUIRE(stop);
        CHECK(stop->runner == runner_class::none);
    }
}

TEST_CASE("runner_class: unknown is never stopped", "[rules][runner_class]") {
    auto s = stalled();
    SECTION("a process warden does not own, beside the worker's") {
        add_process(s, 5, 5151);
        add_process(s, 5, 5152, process_origin::other);
    }
    SECTION("the process list could not be read") {
        s.host.process_list_readable = false;
    }
    const auto p = warden::decide(s, {});
    CHECK(p.actions.empty());
    CHECK(p.blocked.empty());
    CHECK(operator_needed(p));
    CHECK(warden::to_int(p.anomalies.back().job) == 5);
    CHECK(p.summary.stalled == 1);
}

TEST_CASE("runner_class: an unknown runner does not hold queue fill back, nor use the tick's "
          "recovery",
          "[rules][runner_class][queue_fill]") {
    auto s = world({job_builder{5, job_status::running}.started(5h).progress(2h),
                    job_builder{6, job_status::running}.started(5h).progress(2h),
                    job_builder{7, job_status::queued}.annual()});
    add_process(s, 5, 5151, process_origin::other);
    warden::config c;
    c.ensure_min_running_jobs = 3;
    const auto p = warden::decide(s, c);
    CHECK(operator_needed(p));
    const auto writes = actions_of<warden::set_status>(p);
    REQUIRE(writes.size() == 1); // job 6 recovered: 5's anomaly did not spend the budget
    CHECK(warden::to_int(writes[0].job) == 6);
    CHECK(started_ids(p).empty()); // 6's recovery holds queue fill this tick
    SECTION("with 6 healthy, the unknown 5 alone does not hold it") {
        s.jobs[1].last_progress_at = now - 1min;
        CHECK(started_ids(warden::decide(s, c)) == std::vector<std::int64_t>{7});
    }
}

TEST_CASE("runner_class: inside the start grace an unknown runner is not reported yet",
          "[rules][runner_class][grace_window]") {
    warden::config c;
    c.stall_after = 5min;
    auto s = world({job_builder{5, job_status::running}.started(c.start_grace).progress(10min)});
    s.host.process_list_readable = false;
    CHECK(warden::decide(s, c).anomalies.empty());
    s.jobs[0].started_at = now - c.start_grace - 1s;
    CHECK(operator_needed(warden::decide(s, c)));
}

TEST_CASE("runner_class: reconcile does not stop a stale attempt it cannot name the runner of",
          "[rules][runner_class][reconcile]") {
    auto s = world({job_builder{7, job_status::retryable}.started(5h).progress(2h)});
    hold_lock(s, 7);
    SECTION("worker alive: the stale attempt is stopped, runner worker") {
        const auto p = warden::decide(s, {});
        const auto stop = stop_of(p);
        REQUIRE(stop);
        CHECK(stop->rule == warden::rule_id::reconcile);
        CHECK(stop->runner == runner_class::worker);
        CHECK_FALSE(stop->restart);
    }
    SECTION("worker down: nothing, and an operator is asked for") {
        s.host.worker_alive = false;
        const auto p = warden::decide(s, {});
        CHECK(p.actions.empty());
        CHECK(operator_needed(p));
    }
    SECTION("fresh progress: reconciled to running, whatever the runner") {
        s.host.worker_alive = false;
        s.jobs[0].last_progress_at = now - 1min;
        const auto p = warden::decide(s, {});
        CHECK(actions_of<warden::set_status>(p).size() == 1);
        CHECK_FALSE(operator_needed(p));
    }
}

TEST_CASE("facts/runner_class: attributable_pids names the job's processes in snapshot order",
          "[facts][runner_class]") {
    auto s = world({job_builder{5, job_status::running}, job_builder{6, job_status::running}});
    add_process(s, 5, 501);
    add_process(s, 6, 601);
    add_process(s, 5, 502);
    const warden::config c;
    const warden::tick_facts t = warden::build_facts(s, c);
    const warden::decision_context chained = t.context(s, c);
    CHECK(warden::attributable_pids(chained, chained.subject_at(0)) ==
          std::vector<std::int64_t>{501, 502});
    CHECK(warden::attributable_pids(chained, chained.subject_at(1)) ==
          std::vector<std::int64_t>{601});
    SECTION("without the chain, the search finds the same") {
        const warden::decision_context searched{s, c, t.jobs};
        CHECK(warden::attributable_pids(searched, searched.subject_at(0)) ==
              std::vector<std::int64_t>{501, 502});
    }
    SECTION("a job without an output dir has none") {
        s.jobs[0].output_dir.clear();
        const warden::tick_facts t2 = warden::build_facts(s, c);
        const auto ctx = t2.context(s, c);
        CHECK(warden::attributable_pids(ctx, ctx.subject_at(0)).empty());
    }
}
