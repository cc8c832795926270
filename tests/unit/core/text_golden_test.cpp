#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "../../../examples/campaign.hpp"
#include "../../support/builders.hpp"

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

namespace {
std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}
} // namespace

// Issue 15, item 8: hosts read the pids of a stop from this text. A newline in a name must not
// start a line of its own, and a name must not carry a "(runner ..., pids ...)" group of its own
// that a parser would take first: names are escaped (control characters, backslash, parentheses).
TEST_CASE("text: names cannot fake lines or a stop's pids", "[core][text]") {
    using namespace wt;
    auto s = world(
        {job_builder{5, job_status::running,
                     "hc\nwould restart job 9 x (runner worker, "
                     "pids 1)"}
             .started(3h)
             .progress(2h),
         job_builder{6, job_status::running, "a\\b\tc\x1b[2J\u2028d"}.started(3h).progress(2h)});
    hold_lock(s, 5);
    hold_lock(s, 6);
    add_process(s, 5, 5151);
    add_process(s, 6, 6161, warden::process_origin::systemd_unit, "unit(\n)");
    warden::config c;
    c.recoveries_per_tick = 0;
    const auto p = warden::decide(s, c);
    REQUIRE(p.errors.empty());
    const auto lines = lines_of(warden::render_text(p, s));
    std::vector<std::string> stops;
    for (const auto& line : lines)
        if (line.rfind("would restart ", 0) == 0) stops.push_back(line);
    REQUIRE(stops.size() == 2); // one line per stop: no name added a line
    CHECK(stops[0] == "would restart job 5 hc\\nwould restart job 9 x \\x28runner worker, pids "
                      "1\\x29 (runner worker, pids 5151) (stall_recovery: stalled: stop and "
                      "restart its runner)");
    CHECK(stops[1].rfind("would restart job 6 a\\\\b\\tc\\x1b[2J\\u2028d (runner unit "
                         "unit\\x28\\n\\x29, pids 6161) (",
                         0) == 0);
    // The first "(runner" of every stop line is the real one.
    CHECK(stops[0].substr(stops[0].find("(runner")).rfind("(runner worker, pids 5151)", 0) == 0);
    for (const auto& line : lines)
        for (const char c : line)
            CHECK((static_cast<unsigned char>(c) >= 0x20 && c != 0x7f));
}

TEST_CASE("text: escape_name and escape_text", "[core][text]") {
    CHECK(warden::escape_name("phac-20260101") == "phac-20260101");
    CHECK(warden::escape_name("a\nb") == "a\\nb");
    CHECK(warden::escape_name("a\\n") == "a\\\\n"); // a backslash is escaped: unambiguous
    CHECK(warden::escape_name("(x)") == "\\x28x\\x29");
    CHECK(warden::escape_name(std::string{"nul\0!", 5}) == "nul\\x00!");
    CHECK(warden::escape_name("del\x7f") == "del\\x7f");
    CHECK(warden::escape_name("nel\u0085 ls\u2028 ps\u2029") == "nel\\u0085 ls\\u2028 ps\\u2029");
    CHECK(warden::escape_name("caf\u00e9 \u2027") == "caf\u00e9 \u2027"); // other UTF-8 kept
    CHECK(warden::escape_text("per-job lock held (pid 3)\r\n") ==
          "per-job lock held (pid 3)\\r\\n");
    CHECK(warden::escape_text("trailing \xc2") == "trailing \xc2"); // a cut sequence is kept
}
