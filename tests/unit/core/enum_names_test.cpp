// Issue #14: each enum's text has one owner, a constexpr name table that print, parse and count
// read; failure_class's text includes host-defined classes as "host_<n>".
#include <warden/core/actions.hpp>
#include <warden/core/failure_class.hpp>
#include <warden/core/job.hpp>
#include <warden/core/job_status.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/rule_id.hpp>
#include <warden/core/snapshot.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <string>

namespace {

// Every value prints as a distinct, non-empty name, and the value after the last prints as
// "unknown" (a table shorter than its enum would fail here or in its static_assert).
template <class Enum>
void names_are_distinct(int count) {
    std::set<std::string> seen;
    for (int i = 0; i < count; ++i) {
        const auto name = warden::to_string(static_cast<Enum>(i));
        CHECK_FALSE(name.empty());
        CHECK(seen.insert(std::string{name}).second);
    }
    CHECK(warden::to_string(static_cast<Enum>(count + 1)) == "unknown");
}

} // namespace

TEST_CASE("enum names: print and parse read one table per enum", "[core][enum_names]") {
    names_are_distinct<warden::job_status>(warden::job_status_count);
    names_are_distinct<warden::rule_id>(warden::rule_count);
    names_are_distinct<warden::process_origin>(warden::process_origin_count);
    names_are_distinct<warden::campaign_kind>(warden::campaign_kind_count);
    names_are_distinct<warden::evidence_kind>(warden::evidence_kind_count);
    names_are_distinct<warden::anomaly_kind>(warden::anomaly_kind_count);
    names_are_distinct<warden::skip_reason>(warden::skip_reason_count);
    for (int i = 0; i < warden::runner_class_count; ++i) // "unknown" is one of its names
        CHECK(warden::to_string(static_cast<warden::runner_class>(i)) ==
              warden::runner_class_names[i]);

    for (int i = 0; i < warden::job_status_count; ++i) {
        const auto s = static_cast<warden::job_status>(i);
        CHECK(warden::parse_job_status(warden::to_string(s)) == s);
    }
    CHECK(warden::parse_job_status("pending") == warden::job_status::queued);
    CHECK_FALSE(warden::parse_job_status("unknown").has_value());
    for (int i = 0; i < warden::rule_count; ++i) {
        const auto r = static_cast<warden::rule_id>(i);
        CHECK(warden::parse_rule_id(warden::to_string(r)) == r);
    }
    for (int i = 0; i < warden::process_origin_count; ++i) {
        const auto o = static_cast<warden::process_origin>(i);
        CHECK(warden::parse_process_origin(warden::to_string(o)) == o);
    }
    CHECK(warden::parse_campaign_kind("annual") == warden::campaign_kind::annual);
    CHECK(warden::parse_campaign_kind("none") == warden::campaign_kind::none);
    CHECK_FALSE(warden::parse_campaign_kind("Annual").has_value());
}

TEST_CASE("enum names: every failure class, host-defined ones included, round-trips as text",
          "[core][enum_names]") {
    using warden::failure_class;
    for (int i = 0; i < warden::failure_class_count; ++i) {
        const auto f = static_cast<failure_class>(i);
        CHECK(warden::parse_failure_class(warden::to_string(f)) == f);
    }
    for (int n = 64; n <= 255; ++n) {
        const auto f = static_cast<failure_class>(n);
        CHECK(warden::to_string(f) == "host_" + std::to_string(n));
        CHECK(warden::parse_failure_class(warden::to_string(f)) == f);
    }
    static_assert(warden::to_string(failure_class::first_host_defined) == "host_64");
    static_assert(warden::to_string(static_cast<failure_class>(255)) == "host_255");
    for (const char* bad : {"host_63", "host_256", "host_", "host_6x", "host_1000", "HOST_64", ""})
        CHECK_FALSE(warden::parse_failure_class(bad).has_value());
    CHECK(warden::to_string(static_cast<failure_class>(5)) == "host_defined"); // no class at all
}
