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

// Issue #16 item 5: production's \b is Unicode-aware, so a letter or digit of any script after
// the stamp continues the word. The strings are spelled in bytes so the test does not depend on
// the source file's encoding.
TEST_CASE("legacy_annual: a letter or digit of any script after the stamp continues the word",
          "[rails][legacy_annual][utf8]") {
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101\xC3\xA9"})); // é, Latin-1
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101\xC3\x9F"})); // ß
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101\xCE\xB1"})); // α, Greek
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101\xD0\xB6"})); // ж, Cyrillic
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101\xD7\x90"})); // א, Hebrew
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101\xD9\xA3"})); // ٣, Arabic digit
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101\xE0\xA4\x95"})); // क, Devanagari
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101\xE4\xB8\xAD"})); // 中, CJK
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101\xEF\xBC\x91"})); // １, fullwidth
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101\xC2\xB2"})); // ², Python isalnum
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101\xE2\x91\xA0"})); // ①, numeric
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101\xF0\x90\x8C\xB0"})); // 𐌰, Gothic
}

TEST_CASE("legacy_annual: punctuation, spaces and symbols beyond ASCII end the word",
          "[rails][legacy_annual][utf8]") {
    CHECK(legacy_annual_year(std::string_view{"phac-20260101\xE2\x80\x94retry"}) == 2026); // —
    CHECK(legacy_annual_year(std::string_view{"phac-20260101\xC2\xA0x"}) == 2026);         // NBSP
    CHECK(legacy_annual_year(std::string_view{"phac-20260101\xC2\xBB"}) == 2026);          // »
    CHECK(legacy_annual_year(std::string_view{"phac-20260101\xE3\x80\x82"}) == 2026);      // 。
    CHECK(legacy_annual_year(std::string_view{"phac-20260101\xE3\x80\x80"}) ==
          2026); // ideographic space
    CHECK(legacy_annual_year(std::string_view{"phac-20260101\xEF\xBC\x88"}) == 2026); // （
    CHECK(legacy_annual_year(std::string_view{"phac-20260101\xD8\x8C"}) == 2026); // Arabic comma
    CHECK(legacy_annual_year(std::string_view{"phac-20260101\xE0\xA5\xA4"}) ==
          2026); // Devanagari danda
    CHECK(legacy_annual_year(std::string_view{"phac-20260101\xF0\x9F\x98\x80"}) == 2026); // 😀
    CHECK(legacy_annual_year(std::string_view{"phac-20260101\xE2\x82\xAC"}) == 2026);     // €
    // A combining mark is not alphanumeric for Python either, so \b holds before it.
    CHECK(legacy_annual_year(std::string_view{"phac-20260101\xCC\x81"}) == 2026);
}

TEST_CASE("legacy_annual: bytes that are not valid UTF-8 after the stamp continue the word",
          "[rails][legacy_annual][utf8]") {
    // A name warden cannot read proves no boundary: not annual, never started on a guess.
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101\xC3"}));         // truncated
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101\xE2\x80"}));     // truncated
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101\x80"}));         // continuation
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101\xFF"}));         // never valid
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101\xC0\xAE"}));     // overlong '.'
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101\xE0\x80\xAE"})); // overlong '.'
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101\xED\xA0\x80"})); // surrogate
    CHECK_FALSE(
        legacy_annual_year(std::string_view{"phac-20260101\xF4\x90\x80\x80"})); // > U+10FFFF
    CHECK_FALSE(legacy_annual_year(std::string_view{"phac-20260101\xC3(x"}));   // bad continuation
    // A later stamp with a clean boundary still qualifies.
    CHECK(legacy_annual_year(std::string_view{"a-20250101\xFF-b-20260101"}) == 2026);
}

TEST_CASE("detail::decode_utf8: code points, lengths and rejections", "[detail][utf8]") {
    using warden::detail::decode_utf8;
    CHECK(decode_utf8("A")->value == U'A');
    CHECK(decode_utf8("\xC3\xA9")->value == 0xE9);
    CHECK(decode_utf8("\xC3\xA9")->length == 2);
    CHECK(decode_utf8("\xE4\xB8\xAD")->value == 0x4E2D);
    CHECK(decode_utf8("\xF0\x9F\x98\x80")->value == 0x1F600);
    CHECK(decode_utf8("\xF0\x9F\x98\x80")->length == 4);
    CHECK(decode_utf8("\xF4\x8F\xBF\xBF")->value == 0x10FFFF);
    CHECK_FALSE(decode_utf8(""));
    CHECK_FALSE(decode_utf8("\xF0\x8F\xBF\xBF")); // overlong 4-byte
    CHECK_FALSE(decode_utf8("\xF5\x80\x80\x80"));
    static_assert(warden::detail::decode_utf8("\xC3\xA9")->value == 0xE9);
    static_assert(!warden::detail::continues_word(""));
    static_assert(warden::detail::continues_word("_"));
    static_assert(!warden::detail::continues_word("-"));
}

// Issue #16 item 8: production's _infer_annual_campaign_year takes a campaign_year of 1970 or
// later as an annual campaign even without campaign_kind.
TEST_CASE("facts/campaign: a campaign_year without a kind is annual for that year",
          "[facts][campaign]") {
    warden::job j = job_builder{1, job_status::queued, "anything"};
    j.campaign_year = 2026;
    REQUIRE(warden::annual_campaign_of(j));
    CHECK(warden::annual_campaign_of(j)->year == 2026);
    CHECK(warden::is_annual(j));
    CHECK(warden::backfill_year(j) == 2026);
    warden::config c;
    c.guards.legacy_detection = false; // metadata, not naming: the B3 guard does not hide it
    REQUIRE(warden::queue_fill_campaign(c, j));
    CHECK(warden::queue_fill_campaign(c, j)->year == 2026);

    SECTION("the row's year wins over its name's stamp, as in production") {
        j.name = "phac-20250101";
        CHECK(warden::annual_campaign_of(j)->year == 2026);
        CHECK(warden::backfill_year(j) == 2026);
    }
    SECTION("boundary: 1970 counts, 1969 is no campaign") {
        j.campaign_year = 1970;
        CHECK(warden::annual_campaign_of(j)->year == 1970);
        j.campaign_year = 1969;
        CHECK_FALSE(warden::annual_campaign_of(j));
        CHECK_FALSE(warden::is_annual(j));
        j.name = "phac-20250101"; // legacy naming still applies
        CHECK(warden::annual_campaign_of(j)->year == 2025);
    }
}
