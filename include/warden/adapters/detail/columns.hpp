#pragma once
// A row type's columns, shared by the SQLite and the PostgreSQL adapter: each row type's columns
// are its field list (core/fields.hpp), flattened (a job's tool options are columns of jobs),
// without the JSON-only fields.
#include <warden/core/failure_class.hpp>
#include <warden/core/fields.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace warden {
inline namespace v0 {
namespace adapters {
namespace detail {

// NULL for none; a warden class by name and a host class as "host_<n>", as JSON writes them. A
// value between the two ranges is no class at all, and NULL too.
[[nodiscard]] inline std::optional<std::string_view> failure_text(failure_class f) {
    if (f == failure_class::none) return std::nullopt;
    if (!parse_failure_class(to_string(f))) return std::nullopt;
    return to_string(f);
}

[[nodiscard]] inline std::int32_t narrow(std::int64_t v) {
    return static_cast<std::int32_t>(std::clamp<std::int64_t>(
        v, std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()));
}

// Calls f(field, member) for each column of `row` (a T or a const T), in field-list order, a
// nested field list's columns in its place.
template <class Row, class F>
void for_each_column(Row& row, F&& f) {
    using T = std::remove_const_t<Row>;
    for_each_field<T>([&](const auto& entry) {
        if (entry.has(json_only)) return;
        auto& member = row.*(entry.member);
        using M = std::remove_cvref_t<decltype(member)>;
        if constexpr (has_fields<M>)
            for_each_column(member, f);
        else
            f(entry, member);
    });
}

// "a, b, c": T's columns, as SELECT and INSERT name them.
template <has_fields T>
[[nodiscard]] std::string column_list() {
    std::string out;
    const T row{};
    for_each_column(row, [&](const auto& entry, const auto&) {
        if (!out.empty()) out += ", ";
        out += entry.name;
    });
    return out;
}

template <has_fields T>
[[nodiscard]] int column_count() {
    int n = 0;
    const T row{};
    for_each_column(row, [&](const auto&, const auto&) { ++n; });
    return n;
}

} // namespace detail
} // namespace adapters
} // namespace v0
} // namespace warden
