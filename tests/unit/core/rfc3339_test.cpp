#include <warden/io/rfc3339.hpp>

#include <catch2/catch.hpp>

using warden::parse_rfc3339;
using warden::utc;

TEST_CASE("rfc3339: parses UTC, offsets and fractions", "[core][rfc3339]") {
    CHECK(parse_rfc3339("2026-02-03T12:00:00Z") == utc(2026, 2, 3, 12));
    CHECK(parse_rfc3339("2026-02-03t12:00:00z") == utc(2026, 2, 3, 12));
    CHECK(parse_rfc3339("2026-02-03T14:30:00+02:30") == utc(2026, 2, 3, 12));
    CHECK(parse_rfc3339("2026-02-03T07:00:00-05:00") == utc(2026, 2, 3, 12));
    CHECK(parse_rfc3339("2026-02-03T12:00:00.999Z") == utc(2026, 2, 3, 12));
    CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == warden::from_epoch_seconds(0));
}

TEST_CASE("rfc3339: rejects malformed and impossible times", "[core][rfc3339]") {
    for (const char* bad : {"", "2026-02-03", "2026-02-03T12:00:00", "2026-02-30T12:00:00Z",
                            "2026-13-01T00:00:00Z", "2026-02-03T24:00:00Z", "2026-02-03T12:00:00.Z",
                            "2026-02-03T12:00:00+2:00", "2026-02-03T12:00:00Zjunk", "yesterday"})
        CHECK_FALSE(parse_rfc3339(bad));
}

TEST_CASE("rfc3339: formatting round-trips", "[core][rfc3339]") {
    for (auto t : {utc(2026, 2, 3, 12), utc(1999, 12, 31, 23, 59, 59), utc(2024, 2, 29)}) {
        CHECK(parse_rfc3339(warden::format_rfc3339(t)) == t);
    }
    CHECK(warden::format_rfc3339(utc(2026, 2, 3, 12, 5, 9)) == "2026-02-03T12:05:09Z");
}
