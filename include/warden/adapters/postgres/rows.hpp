#pragma once
// Rows in and out of the tables, as is: each row type's columns are its field list
// (adapters/detail/columns.hpp, shared with the SQLite adapter), values as PostgreSQL's text
// format carries them. The plain inserts here are what hosts' fixtures and the tests use.
#include <warden/adapters/detail/columns.hpp>
#include <warden/adapters/mapping.hpp>
#include <warden/adapters/postgres/connection.hpp>
#include <warden/core/failure_class.hpp>
#include <warden/core/fields.hpp>
#include <warden/core/ids.hpp>
#include <warden/core/job.hpp>
#include <warden/core/job_status.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/core/time.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace warden {
inline namespace v0 {
namespace postgres {

namespace detail {

using adapters::detail::column_count;
using adapters::detail::column_list;
using adapters::detail::failure_text;
using adapters::detail::for_each_column;
using adapters::detail::narrow;

template <class M>
void bind_member(params& p, const M& v) {
    if constexpr (std::is_same_v<M, job_id>) {
        p.add(to_int(v));
    } else if constexpr (std::is_same_v<M, std::string>) {
        p.add(std::string_view{v});
    } else if constexpr (std::is_same_v<M, std::optional<std::string>>) {
        p.add(v ? std::optional<std::string_view>{*v} : std::nullopt);
    } else if constexpr (std::is_same_v<M, job_status>) {
        p.add(to_string(v));
    } else if constexpr (std::is_same_v<M, campaign_kind>) {
        if (v == campaign_kind::annual)
            p.add(std::string_view{"annual"});
        else
            p.add_null();
    } else if constexpr (std::is_same_v<M, failure_class>) {
        p.add(failure_text(v));
    } else if constexpr (std::is_same_v<M, timestamp> ||
                         std::is_same_v<M, std::optional<timestamp>>) {
        p.add(v);
    } else if constexpr (std::is_same_v<M, bool>) {
        p.add(std::int64_t{v ? 1 : 0});
    } else if constexpr (std::is_same_v<M, std::optional<bool>>) {
        p.add(v ? std::optional<std::int64_t>{*v ? 1 : 0} : std::nullopt);
    } else if constexpr (std::is_integral_v<M>) {
        p.add(std::int64_t{v});
    } else if constexpr (is_optional_v<M>) { // optional integers
        p.add(v ? std::optional<std::int64_t>{*v} : std::nullopt);
    } else {
        static_assert(is_optional_v<M>, "no PostgreSQL binding for this member type");
    }
}

template <class M>
void read_member(const result& r, int row, int col, M& out) {
    if constexpr (std::is_same_v<M, job_id>) {
        out = job_id{r.integer(row, col)};
    } else if constexpr (std::is_same_v<M, std::string>) {
        out = r.text(row, col);
    } else if constexpr (std::is_same_v<M, std::optional<std::string>>) {
        if (r.is_null(row, col))
            out.reset();
        else
            out = r.text(row, col);
    } else if constexpr (std::is_same_v<M, job_status>) {
        // The CHECK admits only known statuses; an unknown one would still reach the validator
        // as an invalid enum value and block only this job.
        out = parse_job_status(r.text(row, col)).value_or(static_cast<job_status>(0xff));
    } else if constexpr (std::is_same_v<M, campaign_kind>) {
        out = r.is_null(row, col) ? campaign_kind::none : campaign_kind::annual;
    } else if constexpr (std::is_same_v<M, failure_class>) {
        out =
            r.is_null(row, col)
                ? failure_class::none
                : parse_failure_class(r.text(row, col)).value_or(failure_class::first_host_defined);
    } else if constexpr (std::is_same_v<M, timestamp>) {
        out = from_epoch_seconds(r.integer(row, col));
    } else if constexpr (std::is_same_v<M, std::optional<timestamp>>) {
        if (r.is_null(row, col))
            out.reset();
        else
            out = from_epoch_seconds(r.integer(row, col));
    } else if constexpr (std::is_same_v<M, bool>) {
        out = r.integer(row, col) != 0;
    } else if constexpr (std::is_same_v<M, std::optional<bool>>) {
        if (const auto b = r.maybe_integer(row, col))
            out = *b != 0;
        else
            out.reset();
    } else if constexpr (std::is_same_v<M, std::int32_t>) {
        out = narrow(r.integer(row, col));
    } else if constexpr (std::is_integral_v<M>) {
        out = r.integer(row, col);
    } else if constexpr (std::is_same_v<M, std::optional<std::int32_t>>) {
        if (const auto n = r.maybe_integer(row, col))
            out = narrow(*n);
        else
            out.reset();
    } else if constexpr (is_optional_v<M>) {
        out = r.maybe_integer(row, col);
    } else {
        static_assert(is_optional_v<M>, "no PostgreSQL reading for this member type");
    }
}

// Adds `row`'s columns as the next parameters.
template <has_fields T>
void bind_row(params& p, const T& row) {
    for_each_column(row, [&](const auto&, const auto& member) { bind_member(p, member); });
}

// Reads a T from columns first, first + 1, ... of row `row` selected by column_list<T>().
template <has_fields T>
[[nodiscard]] T read_row(const result& r, int row, int first = 0) {
    T out{};
    int col = first;
    for_each_column(out, [&](const auto&, auto& member) { read_member(r, row, col++, member); });
    return out;
}

// The jobs table's columns, as SELECT and INSERT name them.
inline const std::string job_columns = column_list<job>();

using adapters::job_select;
using adapters::quote_literal;

// A text[] parameter's value: {"a","b"} with quotes and backslashes escaped.
[[nodiscard]] inline std::string text_array(const std::vector<std::string>& values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        out += i ? ",\"" : "\"";
        for (const char c : values[i]) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    return out + "}";
}

// "$1, $2, ..., $n"
[[nodiscard]] inline std::string placeholders(int first, int n) {
    std::string out;
    for (int i = 0; i < n; ++i)
        out += fmt::format("{}${}", i ? ", " : "", first + i);
    return out;
}

// Inserts `row` into `table` as is, every column of its field list.
template <has_fields T>
void insert_row(connection& db, std::string_view table, const T& row) {
    params p;
    bind_row(p, row);
    db.exec(fmt::format("INSERT INTO {} ({}) VALUES ({})", table, column_list<T>(),
                        placeholders(1, column_count<T>())),
            p);
}

} // namespace detail

// Writes one job row as is (for hosts' fixtures and the tests).
inline void insert_job(connection& db, const job& j) {
    detail::insert_row(db, "jobs", j);
}

inline void record_start(connection& db, job_id job, timestamp at) {
    detail::insert_row(db, "job_starts", start_record{job, at});
}

inline void record_recovery(connection& db, job_id job, timestamp at,
                            std::optional<std::int64_t> crawled_pages = std::nullopt) {
    detail::insert_row(db, "recovery_history", recovery_record{job, at, crawled_pages});
}

} // namespace postgres
} // namespace v0
} // namespace warden
