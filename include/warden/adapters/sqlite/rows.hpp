#pragma once
// Rows in and out of the tables, as is: each row type's columns are its field list
// (core/fields.hpp), flattened (a job's tool options are columns of jobs), without the JSON-only
// fields. Binding and reading go by member type; the plain inserts here are what hosts'
// fixtures, the simulator and the examples use.
#include <warden/adapters/detail/columns.hpp>
#include <warden/adapters/sqlite/connection.hpp>
#include <warden/core/failure_class.hpp>
#include <warden/core/fields.hpp>
#include <warden/core/ids.hpp>
#include <warden/core/job.hpp>
#include <warden/core/job_status.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/core/time.hpp>
#include <warden/core/tool_options.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace warden {
inline namespace v0 {
namespace sqlite {

namespace detail {

// Shared with the PostgreSQL adapter (adapters/detail/columns.hpp).
using adapters::detail::column_count;
using adapters::detail::column_list;
using adapters::detail::failure_text;
using adapters::detail::for_each_column;
using adapters::detail::narrow;

template <class M>
void bind_member(statement& st, int at, const M& v) {
    if constexpr (std::is_same_v<M, job_id>) {
        st.bind(at, to_int(v));
    } else if constexpr (std::is_same_v<M, std::string>) {
        st.bind(at, std::string_view{v});
    } else if constexpr (std::is_same_v<M, std::optional<std::string>>) {
        st.bind(at, v ? std::optional<std::string_view>{*v} : std::nullopt);
    } else if constexpr (std::is_same_v<M, job_status>) {
        st.bind(at, to_string(v));
    } else if constexpr (std::is_same_v<M, campaign_kind>) {
        if (v == campaign_kind::annual)
            st.bind(at, std::string_view{"annual"});
        else
            st.bind_null(at);
    } else if constexpr (std::is_same_v<M, failure_class>) {
        st.bind(at, failure_text(v));
    } else if constexpr (std::is_same_v<M, timestamp> ||
                         std::is_same_v<M, std::optional<timestamp>>) {
        st.bind(at, v);
    } else if constexpr (std::is_same_v<M, bool>) {
        st.bind(at, std::int64_t{v ? 1 : 0});
    } else if constexpr (std::is_same_v<M, std::optional<bool>>) {
        st.bind(at, v ? std::optional<std::int64_t>{*v ? 1 : 0} : std::nullopt);
    } else if constexpr (std::is_integral_v<M>) {
        st.bind(at, std::int64_t{v});
    } else if constexpr (is_optional_v<M>) { // optional integers
        st.bind(at, v ? std::optional<std::int64_t>{*v} : std::nullopt);
    } else {
        static_assert(is_optional_v<M>, "no SQLite binding for this member type");
    }
}

template <class M>
void read_member(const statement& row, int col, M& out) {
    if constexpr (std::is_same_v<M, job_id>) {
        out = job_id{row.integer(col)};
    } else if constexpr (std::is_same_v<M, std::string>) {
        out = row.text(col);
    } else if constexpr (std::is_same_v<M, std::optional<std::string>>) {
        if (row.is_null(col))
            out.reset();
        else
            out = row.text(col);
    } else if constexpr (std::is_same_v<M, job_status>) {
        // The schema's CHECK admits only known statuses; an unknown one would still reach the
        // validator as an invalid enum value and block only this job.
        out = parse_job_status(row.text(col)).value_or(static_cast<job_status>(0xff));
    } else if constexpr (std::is_same_v<M, campaign_kind>) {
        out = row.is_null(col) ? campaign_kind::none : campaign_kind::annual;
    } else if constexpr (std::is_same_v<M, failure_class>) {
        out = row.is_null(col)
                  ? failure_class::none
                  : parse_failure_class(row.text(col)).value_or(failure_class::first_host_defined);
    } else if constexpr (std::is_same_v<M, timestamp>) {
        out = from_epoch_seconds(row.integer(col));
    } else if constexpr (std::is_same_v<M, std::optional<timestamp>>) {
        out = row.maybe_time(col);
    } else if constexpr (std::is_same_v<M, bool>) {
        out = row.integer(col) != 0;
    } else if constexpr (std::is_same_v<M, std::optional<bool>>) {
        if (const auto b = row.maybe_integer(col))
            out = *b != 0;
        else
            out.reset();
    } else if constexpr (std::is_same_v<M, std::int32_t>) {
        out = narrow(row.integer(col));
    } else if constexpr (std::is_integral_v<M>) {
        out = row.integer(col);
    } else if constexpr (std::is_same_v<M, std::optional<std::int32_t>>) {
        if (const auto n = row.maybe_integer(col))
            out = narrow(*n);
        else
            out.reset();
    } else if constexpr (is_optional_v<M>) {
        out = row.maybe_integer(col);
    } else {
        static_assert(is_optional_v<M>, "no SQLite reading for this member type");
    }
}

// Binds `row`'s columns to parameters first, first + 1, ...
template <has_fields T>
void bind_row(statement& st, int first, const T& row) {
    int at = first;
    for_each_column(row, [&](const auto&, const auto& member) { bind_member(st, at++, member); });
}

// Reads a T from columns first, first + 1, ... of a row selected by column_list<T>().
template <has_fields T>
[[nodiscard]] T read_row(const statement& st, int first = 0) {
    T row{};
    int col = first;
    for_each_column(row, [&](const auto&, auto& member) { read_member(st, col++, member); });
    return row;
}

// The jobs table's columns, as SELECT and INSERT name them.
inline const std::string job_columns = column_list<job>();

inline job read_job(const statement& row) {
    return read_row<job>(row);
}

// Inserts `row` into `table` as is, every column of its field list.
template <has_fields T>
void insert_row(database& db, std::string_view table, const T& row) {
    std::string marks;
    for (int i = column_count<T>(); i > 0; --i)
        marks += i > 1 ? "?," : "?";
    statement st(db.handle(),
                 fmt::format("INSERT INTO {} ({}) VALUES ({})", table, column_list<T>(), marks));
    bind_row(st, 1, row);
    st.run();
}

} // namespace detail

// Writes one job row as is (for hosts' fixtures, the simulator and the examples).
inline void insert_job(database& db, const job& j) {
    detail::insert_row(db, "jobs", j);
}

inline void record_start(database& db, job_id job, timestamp at) {
    detail::insert_row(db, "job_starts", start_record{job, at});
}

// `crawled_pages`: the job's count at the recovery (issue #17's progress circuit breaker).
inline void record_recovery(database& db, job_id job, timestamp at,
                            std::optional<std::int64_t> crawled_pages = std::nullopt) {
    detail::insert_row(db, "recovery_history", recovery_record{job, at, crawled_pages});
}

} // namespace sqlite
} // namespace v0
} // namespace warden
