#pragma once
#include <warden/core/enum_names.hpp>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

namespace warden {
inline namespace v0 {

// Hosts extend the set with their own values from first_host_defined upwards; warden treats
// them as opaque (rendered "host_<n>") and never retries or classifies on them.
enum class failure_class : std::uint8_t {
    none,
    transient,
    infra_error,
    infra_error_config,
    orphaned,
    first_host_defined = 64,
};

// The warden-defined classes, in enum order.
inline constexpr std::string_view failure_class_names[] = {
    "none", "transient", "infra_error", "infra_error_config", "orphaned",
};
inline constexpr int failure_class_count = 5; // warden's own; host classes are 64..255
static_assert(std::size(failure_class_names) == failure_class_count &&
                  static_cast<int>(failure_class::orphaned) + 1 == failure_class_count,
              "failure_class_names must name every warden-defined failure class, in order");

namespace detail {

// "host_64" .. "host_255", built once at compile time so that to_string can hand out a view.
struct host_class_texts {
    static constexpr int first = static_cast<int>(failure_class::first_host_defined);
    static constexpr int count = 256 - first;
    char text[count][9]{}; // "host_255" and its NUL

    constexpr host_class_texts() {
        for (int n = first; n < 256; ++n) {
            char* out = text[n - first];
            const char prefix[] = "host_";
            for (int i = 0; i < 5; ++i)
                out[i] = prefix[i];
            int at = 5;
            if (n >= 100) out[at++] = static_cast<char>('0' + n / 100);
            out[at++] = static_cast<char>('0' + n / 10 % 10);
            out[at++] = static_cast<char>('0' + n % 10);
        }
    }
    [[nodiscard]] constexpr std::string_view operator[](int n) const noexcept {
        const char* p = text[n - first];
        return std::string_view{p, n >= 100 ? std::size_t{8} : std::size_t{7}};
    }
};
inline constexpr host_class_texts host_class_text{};

} // namespace detail

// The text every format writes (JSON, SQLite, text reports): a warden class by its name, a host
// class as "host_<n>". A value between the two ranges is no class at all.
[[nodiscard]] constexpr std::string_view to_string(failure_class f) noexcept {
    const int n = static_cast<int>(f);
    if (n >= detail::host_class_texts::first) return detail::host_class_text[n];
    return detail::name_in(failure_class_names, f, "host_defined");
}

// Reads what to_string writes: a warden class by name, or "host_<n>" with n in 64..255.
[[nodiscard]] constexpr std::optional<failure_class>
parse_failure_class(std::string_view s) noexcept {
    if (auto known = detail::parse_in<failure_class>(failure_class_names, s)) return known;
    constexpr std::string_view prefix = "host_";
    if (s.size() <= prefix.size() || s.size() > prefix.size() + 3 || !s.starts_with(prefix))
        return std::nullopt;
    int n = 0;
    for (const char c : s.substr(prefix.size())) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + (c - '0');
    }
    if (n < detail::host_class_texts::first || n > 255) return std::nullopt;
    return static_cast<failure_class>(n);
}

} // namespace v0
} // namespace warden
