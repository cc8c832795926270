#pragma once
// The one text of each value of an enum whose values run 0..count-1: the enum's header holds a
// constexpr table of names, and print, parse and count all read that table (issue #14).
#include <cstddef>
#include <optional>
#include <string_view>

namespace warden {
inline namespace v0 {
namespace detail {

// The name of `e`, or `otherwise` for a value outside the table (a host's cast, a corrupt row).
template <class Enum, std::size_t N>
[[nodiscard]] constexpr std::string_view name_in(const std::string_view (&names)[N], Enum e,
                                                 std::string_view otherwise = "unknown") noexcept {
    const auto i = static_cast<std::size_t>(e);
    return i < N ? names[i] : otherwise;
}

// The value named `text`, or nothing.
template <class Enum, std::size_t N>
[[nodiscard]] constexpr std::optional<Enum> parse_in(const std::string_view (&names)[N],
                                                     std::string_view text) noexcept {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == text) return static_cast<Enum>(i);
    return std::nullopt;
}

} // namespace detail
} // namespace v0
} // namespace warden
