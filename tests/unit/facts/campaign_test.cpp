#include <warden/facts/campaign.hpp>

#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;
using warden::legacy_annual_year;

TEST_CASE("legacy_annual: detects <name>-YYYY0101 before a word boundary",
          "[rails][legacy_annual]") {
    CHECK(legacy_annual_year(std::string_view{"phac-20260101"}) == 2026);
    CHECK(legacy_annual_year(std::string_view{"phac-20990101-retry1"}) == 2099);
    CHECK(legacy_annual_year(std::string_view{"phac-20260101.bak"}) == 2026);
    CHECK(legacy_annual_year(std::string_view{"hc-20260101 rerun"}) == 2026);
    // The first stamp that qualifies wins; near misses before it are skipped.
    CHECK(legacy_annual_year(std::string_view{"a-20260102-b-20250101"}) == 2025);
    CHECK(legacy_annual_year(std::string_view{"a-20250101-b-20260101"}) == 2025);
    CHECK(legacy_annual_year(std::string_view{"hc-news-19700101"}) == 1970);
    CHECK(legacy_annual_year(std::string_view{"x-99990101"}) == 9999);
}

TEST_CASE("legacy_annual: rejects other dates, bare dates and near misses",
          "[rails][legacy_annual]") {
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260102"}));
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20261101"}));
    CHECK_FALSE(legacy_annual_year(std::string_view{"20260101"}));
    CHECK_FALSE(legacy_annual_year(std::string_view{"-20260101"}));
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac20260101"}));
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-2026a101"}));
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-19690101"}));
    // No word boundary after the stamp.
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101_bak"}));
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-202601010"}));
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101x"}));
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-19690101-retry1"}));
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-2026010"}));
    CHECK_FALSE(legacy_annual_year(std::string_view{""}));
}

TEST_CASE("legacy_annual: falls back to the output dir's last component",
          "[rails][legacy_annual]") {
    warden::job j = job_builder{1, job_status::queued, "covid"};
    j.output_dir = "/srv/crawls/phac-covid-20250101/";
    CHECK(legacy_annual_year(j) == 2025);
    j.output_dir = "/srv/crawls-20250101/covid";
    CHECK_FALSE(legacy_annual_year(j));
}
