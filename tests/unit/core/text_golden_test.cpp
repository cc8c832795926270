#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "../../../examples/campaign.hpp"

// The dry-run text is what operators read and grep: a change to it must be deliberate. To accept
// a new rendering, copy the file this test writes next to the binary over tests/golden/.
TEST_CASE("the worked example's dry run matches its golden file", "[core][text][golden]") {
    const std::string actual = example::two_ticks();
    std::ifstream in(WARDEN_GOLDEN_DIR "/dry_run.txt");
    REQUIRE(in.good());
    std::stringstream expected;
    expected << in.rdbuf();
    if (actual != expected.str()) std::ofstream("dry_run.actual.txt") << actual;
    CHECK(actual == expected.str());
}

TEST_CASE("the dry run has the lines an operator needs", "[core][text]") {
    const std::string text = example::two_ticks();
    CHECK(
        text.find(
            "would set job 7 phac-20260101 retryable -> running (reconcile: per-job lock held)") !=
        std::string::npos);
    CHECK(text.find("blocked by daily_start_cap: start job 11 hc-news-20260101") !=
          std::string::npos);
    CHECK(text.find("would backfill job 9 phac-covid-20260101 campaign annual 2026") !=
          std::string::npos);
    CHECK(text.find("summary: ") != std::string::npos);
}
