#pragma once
#include <algorithm>
#include <string_view>

namespace warden {
inline namespace v0 {
namespace detail {

[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// ASCII case-insensitive substring search: error text from CLIs is English and std::regex would
// cost more to compile than the whole engine.
[[nodiscard]] constexpr bool contains_ignoring_case(std::string_view haystack,
                                                    std::string_view needle) noexcept {
    if (needle.empty()) return true;
    const auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                                [](char a, char b) { return ascii_lower(a) == ascii_lower(b); });
    return it != haystack.end();
}

} // namespace detail
} // namespace v0
} // namespace warden
