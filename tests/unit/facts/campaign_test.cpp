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

TEST_CASE("facts/campaign: membership from metadata, else from the legacy stamp",
          "[facts][campaign]") {
    const warden::job meta = job_builder{1, job_status::queued, "anything"}.annual(2025);
    REQUIRE(warden::annual_campaign_of(meta));
    CHECK(warden::annual_campaign_of(meta)->year == 2025);
    CHECK(warden::is_annual(meta));

    const warden::job legacy = job_builder{2, job_status::queued, "phac-20260101"};
    REQUIRE(warden::annual_campaign_of(legacy));
    CHECK(warden::annual_campaign_of(legacy)->year == 2026);
    CHECK(warden::is_annual(legacy));

    const warden::job adhoc = job_builder{3, job_status::queued, "phac-20260102"};
    CHECK_FALSE(warden::annual_campaign_of(adhoc));
    CHECK_FALSE(warden::is_annual(adhoc));
}

TEST_CASE("facts/campaign: an annual row without a year has no year, not year 0",
          "[facts][campaign]") {
    warden::job j = job_builder{1, job_status::queued, "phac-20260101"}.annual(2026);
    j.campaign_year.reset();
    REQUIRE(warden::annual_campaign_of(j));
    CHECK_FALSE(warden::annual_campaign_of(j)->year); // the metadata wins over the name
    const warden::config c;
    REQUIRE(warden::queue_fill_campaign(c, j));
    CHECK_FALSE(warden::queue_fill_campaign(c, j)->year);
    SECTION("queue fill passes it over as a year mismatch and reports no year") {
        j.status = job_status::queued;
        const auto p = warden::decide(world({j}), fill_to(1));
        REQUIRE(p.skipped.size() == 1);
        CHECK(p.skipped[0].reason == warden::skip_reason::year_mismatch);
        CHECK_FALSE(p.skipped[0].campaign_year);
    }
    SECTION("a year that really is 0 is reported as 0") {
        j.campaign_year = 0;
        const auto p = warden::decide(world({j}), fill_to(1));
        REQUIRE(p.skipped.size() == 1);
        CHECK(p.skipped[0].reason == warden::skip_reason::year_mismatch);
        CHECK(p.skipped[0].campaign_year == 0);
    }
}

TEST_CASE("facts/campaign: queue fill sees legacy stamps only with legacy detection on",
          "[facts][campaign]") {
    const warden::job legacy = job_builder{1, job_status::queued, "phac-20260101"};
    warden::config c;
    REQUIRE(warden::queue_fill_campaign(c, legacy));
    CHECK(warden::queue_fill_campaign(c, legacy)->year == 2026);
    c.guards.legacy_detection = false;
    CHECK_FALSE(warden::queue_fill_campaign(c, legacy));
    CHECK(warden::is_annual(legacy)); // annual all the same: only queue fill is blind to it
    const warden::job meta = job_builder{2, job_status::queued}.annual(2026);
    REQUIRE(warden::queue_fill_campaign(c, meta));
    CHECK(warden::queue_fill_campaign(c, meta)->year == 2026);
}

TEST_CASE("facts/campaign: the target year is the configured one, else now's",
          "[facts][campaign]") {
    warden::config c;
    CHECK(warden::target_campaign_year(c, now) == 2026);
    CHECK(warden::target_campaign_year(c, warden::utc(2025, 12, 31, 23, 59)) == 2025);
    c.campaign_year = 2024;
    CHECK(warden::target_campaign_year(c, now) == 2024);
}

TEST_CASE("facts/campaign: the last path component ignores trailing slashes", "[facts][campaign]") {
    CHECK(warden::last_path_component("/srv/crawls/phac-20260101/") == "phac-20260101");
    CHECK(warden::last_path_component("/srv/crawls/phac-20260101") == "phac-20260101");
    CHECK(warden::last_path_component("phac") == "phac");
    CHECK(warden::last_path_component("/") == "");
    CHECK(warden::last_path_component("") == "");
}
