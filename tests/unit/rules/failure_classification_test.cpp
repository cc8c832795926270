#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;
using warden::failure_class;

TEST_CASE("failure_classification: invalid arguments stop the retries",
          "[rules][failure_classification]") {
    auto s = world({job_builder{1, job_status::retryable}.error(
        "zimit: error: unrecognized arguments: --pageLimit=abc")});
    const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].expected_status == job_status::retryable);
    CHECK(writes[0].status == job_status::failed);
    CHECK(writes[0].failure == failure_class::infra_error_config);
    CHECK(writes[0].rule == warden::rule_id::failure_classification);
}

TEST_CASE("failure_classification: a failed job only gets its class, case-insensitively",
          "[rules][failure_classification]") {
    auto s = world({job_builder{1, job_status::failed}.error("Invalid Argument: --scope")});
    const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].status == job_status::failed);
    CHECK(writes[0].failure == failure_class::infra_error_config);
}

TEST_CASE("failure_classification: other errors, other statuses and classified jobs are left alone",
          "[rules][failure_classification]") {
    auto s = world({job_builder{1, job_status::retryable}.error("connection reset by peer"),
                    job_builder{2, job_status::queued}.error("unrecognized arguments: -x"),
                    job_builder{3, job_status::failed}
                        .error("unrecognized arguments: -x")
                        .failure(failure_class::infra_error_config),
                    job_builder{4, job_status::retryable}});
    CHECK(warden::decide(s, {}).actions.empty());
}

TEST_CASE("failure_classification: a retryable job already classed a config error still fails",
          "[rules][failure_classification]") {
    auto s = world({job_builder{1, job_status::retryable}
                        .error("unrecognized arguments: -x")
                        .failure(failure_class::infra_error_config)});
    const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].status == job_status::failed);
    CHECK(writes[0].failure == failure_class::infra_error_config);
}

TEST_CASE("failure_classification: a job with a live attempt is left to reconcile",
          "[rules][failure_classification][reconcile]") {
    // The error belongs to an earlier attempt; failing the running crawl would be drift.
    auto s = world(
        {job_builder{1, job_status::retryable}.started(10min).progress(1min).error(
             "unrecognized arguments: -x"),
         job_builder{2, job_status::retryable}.started(10min).error("unrecognized arguments: -x")});
    hold_lock(s, 1);
    const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(writes.size() == 2);
    CHECK(writes[0].rule == warden::rule_id::reconcile);
    CHECK(writes[0].status == job_status::running);
    CHECK(writes[1].rule == warden::rule_id::failure_classification);
    CHECK(warden::to_int(writes[1].job) == 2);
}

TEST_CASE("failure_classification: a classed retryable job fails whatever its last_error says",
          "[rules][failure_classification]") {
    // Queue fill never starts it: left retryable it would sit there for ever.
    auto s =
        world({job_builder{1, job_status::retryable}.failure(failure_class::infra_error_config),
               job_builder{2, job_status::retryable}
                   .error("connection reset by peer")
                   .failure(failure_class::infra_error_config)});
    const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(writes.size() == 2);
    for (const auto& w : writes) {
        CHECK(w.status == job_status::failed);
        CHECK(w.reason == "classed a config error: a retry cannot succeed");
    }
}

TEST_CASE("failure_classification: a live process alone also means a live attempt",
          "[rules][failure_classification]") {
    auto s = world(
        {job_builder{1, job_status::retryable}.started(10min).error("unrecognized arguments: -x")});
    add_process(s, 1, 101);
    const auto p = warden::decide(s, {});
    CHECK(actions_of<warden::set_status>(p).size() == 1);
    CHECK(actions_of<warden::set_status>(p)[0].rule == warden::rule_id::reconcile);
}

TEST_CASE("failure_classification: a config-error job is never started by queue fill",
          "[rules][failure_classification][queue_fill]") {
    warden::config c;
    c.ensure_min_running_jobs = 1;
    auto s = world({job_builder{1, job_status::retryable}.annual().failure(
        failure_class::infra_error_config)});
    CHECK(started_ids(warden::decide(s, c)).empty());
}

TEST_CASE("failure_classification: the guard switch turns it off",
          "[rules][failure_classification]") {
    warden::config c;
    c.guards.classify_config_errors = false;
    auto s = world({job_builder{1, job_status::retryable}.error("unrecognized arguments: -x")});
    CHECK(warden::decide(s, c).actions.empty());
}

// Issue #16 item 4: production's worker checks infra markers before config markers. Storage
// may recover, so a row whose error names a storage failure stays retryable.
TEST_CASE("failure_classification: infra markers win over config markers",
          "[rules][failure_classification]") {
    const char* const infra[] = {
        "Permission denied",
        "OSError: [Errno 107] Transport endpoint is not connected",
        "[errno 107] ENOTCONN",
        "Stale file handle",
        "write failed: No space left on device",
        "Input/output error",
    };
    for (const char* marker : infra) {
        CAPTURE(marker);
        const std::string error =
            std::string{marker} + "\nzimit: error: unrecognized arguments: --x";
        auto s = world({job_builder{1, job_status::retryable}.error(error).failure(
            failure_class::infra_error)});
        CHECK(warden::decide(s, {}).actions.empty());
        CHECK_FALSE(warden::is_config_error(warden::config{}, error));
        CHECK(warden::is_infra_error(warden::config{}, error));
    }
}

TEST_CASE("failure_classification: the config marker alone still fails the row",
          "[rules][failure_classification]") {
    // The boundary: the same row without the infra line is a config error.
    auto s = world({job_builder{1, job_status::retryable}
                        .error("zimit: error: unrecognized arguments: --x")
                        .failure(failure_class::infra_error)});
    const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].failure == failure_class::infra_error_config);
}

TEST_CASE("failure_classification: infra_error_patterns is configurable, case-insensitively",
          "[rules][failure_classification][config]") {
    warden::config c;
    c.infra_error_patterns = {"NFS SERVER NOT RESPONDING"};
    const std::string error = "nfs server not responding; unrecognized arguments: --x";
    CHECK(warden::is_infra_error(c, error));
    CHECK_FALSE(warden::is_config_error(c, error));
    c.infra_error_patterns.clear(); // no infra markers: the config marker decides
    CHECK(warden::is_config_error(c, error));
    // A host that classed the row a config error is believed whatever the text says.
    auto s = world({job_builder{1, job_status::retryable}
                        .error("Permission denied")
                        .failure(failure_class::infra_error_config)});
    CHECK(actions_of<warden::set_status>(warden::decide(s, {})).size() == 1);
}

TEST_CASE("failure_classification: a row in the worker's running set is left to reconcile",
          "[rules][failure_classification][running_set]") {
    // Review 7 finding 3 (f6b_classify_running_set.json): last_error is the previous attempt's.
    auto s = world({job_builder{1, job_status::retryable}.error(
        "zimit: error: unrecognized arguments: --pageLimit=abc")});
    s.running_set.push_back(warden::job_id{1});
    CHECK(actions_of<warden::set_status>(warden::decide(s, {})).empty());
    s.running_set.clear();
    const auto writes = actions_of<warden::set_status>(warden::decide(s, {}));
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].failure == failure_class::infra_error_config);
}
