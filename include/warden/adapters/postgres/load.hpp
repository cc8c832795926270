#pragma once
// Reading a snapshot (or one job) from a PostgreSQL jobs database, in one read transaction
// (REPEATABLE READ: every table read at the same moment).
#include <warden/adapters/detail/load_rows.hpp>
#include <warden/adapters/json_options.hpp>
#include <warden/adapters/load_types.hpp>
#include <warden/adapters/postgres/connection.hpp>
#include <warden/adapters/postgres/rows.hpp>
#include <warden/adapters/postgres/schema.hpp>
#include <warden/core/job.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/core/time.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden {
inline namespace v0 {
namespace postgres {

using adapters::database_field;
using adapters::load_warning;
using adapters::null_progress;
using adapters::runtime_facts;

namespace detail {

// The columns job_select adds after warden's (adapters::detail::read_job_tail) for the job `j`
// just read from row `row` of `r`; a bad JSON value refuses the load, naming the job, table,
// column and key.
inline void read_job_tail(const connection& db, const result& r, int row, job& j,
                          std::vector<load_warning>* warnings) {
    const auto cell = [&](int c) {
        return r.is_null(row, c) ? std::nullopt : std::optional<std::string>{r.text(row, c)};
    };
    if (const auto bad = adapters::detail::read_job_tail(db.mapping(), j, cell, warnings))
        throw error(error_kind::other, *bad);
}

// One history table's rows of the last 24 h (and any after `now`); `whole`: every row. A row
// naming a job that has no jobs row is skipped with a warning (adapters::orphaned_history).
template <class Record>
void read_history(connection& db, const adapters::history_mapping& h, timestamp now,
                  std::vector<Record>& out, std::vector<load_warning>& warnings,
                  bool whole = false) {
    params p;
    p.add(adapters::history_since(now, whole));
    const result rows =
        db.exec(adapters::history_select_sql<Record>(db.mapping(), h, "$1::bigint"), p);
    const int orphaned_column = column_count<Record>();
    adapters::orphaned_history orphaned(h.table, warnings);
    for (int i = 0; i < rows.rows(); ++i) {
        Record record = read_row<Record>(rows, i);
        if (rows.integer(i, orphaned_column) == 0)
            out.push_back(std::move(record));
        else
            orphaned.skip(record.job);
    }
    orphaned.finish();
}

// The snapshot, read inside whatever transaction the caller holds.
[[nodiscard]] inline snapshot read_snapshot(connection& db, timestamp now, runtime_facts runtime,
                                            std::vector<load_warning>& warnings) {
    snapshot s = adapters::detail::runtime_snapshot(now, runtime);
    const auto& m = db.mapping();
    const result jobs = db.exec(adapters::detail::jobs_select_sql(
        m, adapters::sql_dialect::postgres, "ORDER BY " + m.column("id")));
    s.jobs.reserve(static_cast<std::size_t>(jobs.rows()));
    for (int i = 0; i < jobs.rows(); ++i) {
        s.jobs.push_back(read_row<job>(jobs, i));
        read_job_tail(db, jobs, i, s.jobs.back(), &warnings);
    }
    adapters::settle_progress(s.jobs, runtime, warnings);
    read_history(db, m.starts, now, s.starts, warnings);
    read_history(db, m.recoveries, now, s.recoveries, warnings, true);
    return s;
}

// load_snapshot's read transaction (adapters::detail::in_transaction's statements): every
// table read at the same moment.
struct read_transaction {
    connection& db;
    void begin() { db.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }
    void commit() { db.exec("COMMIT"); }
    void roll_back() { db.exec("ROLLBACK"); }
    void abandon() noexcept { db.roll_back(); }
};

} // namespace detail

// Reads every job and the start and recovery history (as the SQLite adapter's load_snapshot),
// in one REPEATABLE READ, READ ONLY transaction: the three tables as of one moment.
[[nodiscard]] inline snapshot load_snapshot(connection& db, timestamp now, runtime_facts runtime,
                                            std::vector<load_warning>* warnings = nullptr) {
    require_schema(db);
    return adapters::detail::load_in(
        detail::read_transaction{db}, warnings, [&](std::vector<load_warning>& found) {
            return detail::read_snapshot(db, now, std::move(runtime), found);
        });
}

// One job row by id, or nothing.
[[nodiscard]] inline std::optional<job> load_job(connection& db, job_id id) {
    params p;
    p.add(to_int(id));
    const auto& m = db.mapping();
    const result r =
        db.exec(adapters::detail::jobs_select_sql(m, adapters::sql_dialect::postgres,
                                                  "WHERE " + m.column("id") + " = $1::bigint"),
                p);
    if (r.rows() == 0) return std::nullopt;
    job j = detail::read_row<job>(r, 0);
    detail::read_job_tail(db, r, 0, j, nullptr);
    return j;
}

} // namespace postgres
} // namespace v0
} // namespace warden
