#pragma once
#include <warden/detail/assert.hpp>

#include <charconv>
#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace warden {
inline namespace v0 {
namespace detail {

// Issue #22: the reasons rails, rules and the engine write into a plan are built here rather
// than with fmt::format, so a TU that only decides does not pay for <fmt/format.h>. The text is
// the contract (tests and docs compare it byte for byte), and each piece renders exactly what
// the fmt spec it replaced rendered: a string or string_view as `{}`, an integer as `{}`,
// `fixed(x, p)` as `{:.pf}`, `zero_padded(n, w)` as `{:0w}`. A double without a spec (`{}`,
// fmt's shortest round trip with its own switch to exponents) has no piece on purpose: no
// reason prints one, and a piece that got it subtly wrong would change the contract unseen.

// A double with p digits after the point, as fmt's `{:.pf}` (and printf's `%.pf`) writes it:
// correctly rounded from the exact binary value, "-" kept on a negative zero, "nan" and "inf".
struct fixed {
    double value;
    int precision;
};

// An integer zero-padded to at least `width` characters, sign included, as fmt's `{:0w}`.
struct zero_padded {
    long long value;
    int width;
};

template <typename T>
concept reason_integer = std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char> &&
                         !std::same_as<T, wchar_t> && !std::same_as<T, char8_t> &&
                         !std::same_as<T, char16_t> && !std::same_as<T, char32_t>;

// Appends one piece. Integers go through std::to_chars (what fmt's `{}` writes: decimal, a '-'
// for negatives, no grouping); 20 digits and a sign fit every 64-bit value.
inline void append_piece(std::string& out, std::string_view text) {
    out.append(text);
}

template <reason_integer T>
void append_piece(std::string& out, T value) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, r.ptr);
}

inline void append_piece(std::string& out, fixed f) {
    // fmt refuses a negative precision at compile time; here it is a bug in the caller. With
    // asserts off it writes no digits after the point rather than printf's default of six.
    WARDEN_ASSERT(f.precision >= 0, "fixed{x, p} needs p >= 0");
    const int precision = f.precision < 0 ? 0 : f.precision;
    // The longest fixed double is 309 integer digits, a sign, a point and the precision: every
    // precision is written exactly (as fmt does), on the stack up to 60 digits, the only size a
    // reason uses, and in a buffer sized for it above that.
    constexpr int stack_precision = 60;
    char buf[320 + stack_precision];
    if (precision <= stack_precision) {
        const auto r =
            std::to_chars(buf, buf + sizeof buf, f.value, std::chars_format::fixed, precision);
        if (r.ec == std::errc{}) out.append(buf, r.ptr);
        return;
    }
    std::string big(320 + static_cast<std::size_t>(precision), '\0');
    const auto r = std::to_chars(big.data(), big.data() + big.size(), f.value,
                                 std::chars_format::fixed, precision);
    if (r.ec == std::errc{}) out.append(big.data(), r.ptr);
}

inline void append_piece(std::string& out, zero_padded z) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, z.value);
    const std::string_view digits(buf, static_cast<std::size_t>(r.ptr - buf));
    const bool negative = z.value < 0;
    if (negative) out.push_back('-');
    const std::size_t have = digits.size();
    if (z.width > 0 && static_cast<std::size_t>(z.width) > have)
        out.append(static_cast<std::size_t>(z.width) - have, '0');
    out.append(negative ? digits.substr(1) : digits);
}

template <typename T>
concept reason_piece = std::convertible_to<const T&, std::string_view> ||
    reason_integer<std::remove_cvref_t<T>> || std::same_as<std::remove_cvref_t<T>, fixed> ||
    std::same_as<std::remove_cvref_t<T>, zero_padded>;

// The pieces of a reason, concatenated: reason("cap ", 3, " of ", name) == "cap 3 of web".
template <reason_piece... Pieces>
[[nodiscard]] std::string reason(const Pieces&... pieces) {
    std::string out;
    (append_piece(out, pieces), ...);
    return out;
}

} // namespace detail
} // namespace v0
} // namespace warden
