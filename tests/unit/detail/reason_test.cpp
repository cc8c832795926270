// detail::reason (issue #22) replaced fmt::format in the rails' reasons and in format_rfc3339.
// Reasons are a contract compared byte for byte, so each piece must write what the fmt spec it
// replaced wrote: the expected strings below are fmt 9.1's output for that spec, pasted.
#include <warden/core/time.hpp>
#include <warden/detail/reason.hpp>
#include <warden/io/rfc3339.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

using warden::detail::fixed;
using warden::detail::reason;
using warden::detail::zero_padded;

TEST_CASE("reason concatenates text pieces of every string type", "[detail][reason]") {
    const std::string owned = "web";
    const std::string_view view = "crawl";
    CHECK(reason() == "");
    CHECK(reason("") == "");
    CHECK(reason(std::string{}, std::string_view{}, "") == "");
    CHECK(reason("source ", owned, " is paused") == "source web is paused");
    CHECK(reason(view, "/", owned, "/", "x") == "crawl/web/x");
    // A view is not read past its size (no terminating NUL assumed).
    CHECK(reason(std::string_view("abcdef", 3), "!") == "abc!");
    // Bytes above 0x7f and NULs inside a piece pass through unchanged.
    CHECK(reason(std::string_view("a\0b", 3), "\xC3\xA9") == std::string("a\0b\xC3\xA9", 5));
}

TEST_CASE("reason writes integers as fmt's {} does", "[detail][reason]") {
    CHECK(reason(0) == "0");
    CHECK(reason(7, " starts") == "7 starts");
    CHECK(reason(-1) == "-1");
    CHECK(reason(-10) == "-10");
    CHECK(reason(std::int32_t{2147483647}) == "2147483647");
    CHECK(reason(std::numeric_limits<std::int32_t>::min()) == "-2147483648");
    CHECK(reason(std::numeric_limits<std::int64_t>::max()) == "9223372036854775807");
    CHECK(reason(std::numeric_limits<std::int64_t>::min()) == "-9223372036854775808");
    CHECK(reason(std::numeric_limits<std::uint64_t>::max()) == "18446744073709551615");
    CHECK(reason(std::uint32_t{4294967295U}) == "4294967295");
    // fmt writes signed and unsigned char as numbers, not as characters.
    CHECK(reason(static_cast<signed char>(-128), " ", static_cast<unsigned char>(255)) ==
          "-128 255");
    CHECK(reason(short{-32768}) == "-32768");
    CHECK(reason("cap ", 3, ", ", std::int64_t{-4}, "/", 5U) == "cap 3, -4/5");
}

TEST_CASE("reason writes fixed{x, p} as fmt's {:.pf} does", "[detail][reason]") {
    CHECK(reason(fixed{85.0, 1}) == "85.0");
    CHECK(reason(fixed{0.0, 1}) == "0.0");
    CHECK(reason(fixed{-0.0, 1}) == "-0.0");
    CHECK(reason(fixed{100.0, 1}) == "100.0");
    // Rounded from the exact binary value, ties to even: 0.15 is 0.1499..., 0.25 is a tie,
    // 84.95 is 84.9500...03, 99.95 is 99.9500...03.
    CHECK(reason(fixed{0.05, 1}) == "0.1");
    CHECK(reason(fixed{0.15, 1}) == "0.1");
    CHECK(reason(fixed{0.25, 1}) == "0.2");
    CHECK(reason(fixed{0.35, 1}) == "0.3");
    CHECK(reason(fixed{-0.25, 1}) == "-0.2");
    CHECK(reason(fixed{84.95, 1}) == "85.0");
    CHECK(reason(fixed{84.94999999999999, 1}) == "84.9");
    CHECK(reason(fixed{99.95, 1}) == "100.0");
    CHECK(reason(fixed{-1e-7, 1}) == "-0.0");
    CHECK(reason(fixed{1e21, 1}) == "1000000000000000000000.0");
    CHECK(reason(fixed{2.5, 0}) == "2");
    CHECK(reason(fixed{0.045, 3}) == "0.045");
    CHECK(reason(fixed{std::numeric_limits<double>::infinity(), 1}) == "inf");
    CHECK(reason(fixed{-std::numeric_limits<double>::infinity(), 1}) == "-inf");
    CHECK(reason(fixed{std::numeric_limits<double>::quiet_NaN(), 1}) == "nan");
    CHECK(reason(fixed{-std::numeric_limits<double>::quiet_NaN(), 1}) == "-nan");
    CHECK(reason("disk ", fixed{91.25, 1}, "% used, at or above the threshold ", fixed{85.0, 1},
                 "%") == "disk 91.2% used, at or above the threshold 85.0%");
    // The largest double in full: 309 digits, then the point and the precision.
    const std::string max = reason(fixed{std::numeric_limits<double>::max(), 1});
    CHECK(max.size() == 311);
    CHECK(max.substr(0, 8) == "17976931");
    CHECK(max.substr(max.size() - 2) == ".0");
}

TEST_CASE("reason writes fixed{x, p} exactly at every precision, past the stack buffer's 60 digits",
          "[detail][reason]") {
    // The piece used to clamp p to 60 silently: {:.61f} came out with 60 digits. printf's %.*f
    // is the reference at every precision, and fmt's {:.pf} where fmt writes every digit asked
    // for (fmt 9.1 stops at 767 digits in all, whatever p asks; printf and std::to_chars do not).
    for (const double x : {1.0 / 3.0, -2.5, 0.1, 1e-300, std::numeric_limits<double>::max(),
                           std::numeric_limits<double>::denorm_min()}) {
        for (const int p : {0, 1, 59, 60, 61, 100, 767, 1100}) {
            INFO("x = " << x << ", p = " << p);
            std::vector<char> printed(2000);
            const int n = std::snprintf(printed.data(), printed.size(), "%.*f", p, x);
            REQUIRE(n > 0);
            CHECK(reason(fixed{x, p}) ==
                  std::string_view(printed.data(), static_cast<std::size_t>(n)));
            if (p <= 100) CHECK(reason(fixed{x, p}) == fmt::format("{:.{}f}", x, p));
        }
    }
    CHECK(reason(fixed{0.5, 61}).size() == 63); // "0." and 61 digits
}

TEST_CASE("reason writes zero_padded{n, w} as fmt's {:0w} does", "[detail][reason]") {
    CHECK(reason(zero_padded{7, 2}) == "07");
    CHECK(reason(zero_padded{0, 2}) == "00");
    CHECK(reason(zero_padded{59, 2}) == "59");
    CHECK(reason(zero_padded{123, 2}) == "123"); // wider than the width: not cut
    CHECK(reason(zero_padded{1, 4}) == "0001");
    CHECK(reason(zero_padded{2026, 4}) == "2026");
    CHECK(reason(zero_padded{12345, 4}) == "12345");
    // The sign counts towards the width and the zeros go after it.
    CHECK(reason(zero_padded{-1, 4}) == "-001");
    CHECK(reason(zero_padded{-12345, 4}) == "-12345");
    CHECK(reason(zero_padded{5, 0}) == "5");
    CHECK(reason(zero_padded{std::numeric_limits<std::int64_t>::max(), 4}) ==
          "9223372036854775807");
    CHECK(reason(zero_padded{std::numeric_limits<std::int64_t>::min(), 4}) ==
          "-9223372036854775808");
}

TEST_CASE("format_rfc3339 pads every field as before", "[detail][reason][rfc3339]") {
    using warden::format_rfc3339;
    using warden::utc;
    CHECK(format_rfc3339(utc(2026, 2, 3, 12, 5, 9)) == "2026-02-03T12:05:09Z");
    CHECK(format_rfc3339(utc(1, 1, 1, 0, 0, 0)) == "0001-01-01T00:00:00Z");
    CHECK(format_rfc3339(utc(999, 9, 9, 9, 9, 9)) == "0999-09-09T09:09:09Z");
    CHECK(format_rfc3339(utc(9999, 12, 31, 23, 59, 59)) == "9999-12-31T23:59:59Z");
    CHECK(format_rfc3339(utc(1970, 1, 1, 0, 0, 0)) == "1970-01-01T00:00:00Z");
}
