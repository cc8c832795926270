#pragma once
// Reading a snapshot (or one job) from a jobs database, in one read transaction.
#include <warden/adapters/detail/load_rows.hpp>
#include <warden/adapters/json_options.hpp>
#include <warden/adapters/load_types.hpp>
#include <warden/adapters/sqlite/connection.hpp>
#include <warden/adapters/sqlite/rows.hpp>
#include <warden/adapters/sqlite/schema.hpp>
#include <warden/core/job.hpp>
#include <warden/core/job_status.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/core/time.hpp>
#include <warden/core/validate.hpp>

#include <fmt/format.h>
#include <sqlite3.h>

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
namespace sqlite {

// Shared with the PostgreSQL adapter (adapters/load_types.hpp).
using adapters::database_field;
using adapters::load_warning;
using adapters::null_progress;
using adapters::runtime_facts;

namespace detail {

// The columns job_select adds after warden's (adapters::detail::read_job_tail) for the job `j`
// just read from `row`; a bad JSON value refuses the load, naming the job, table, column and key.
inline void read_job_tail(const database& db, const statement& row, job& j,
                          std::vector<load_warning>* warnings) {
    const auto cell = [&](int c) {
        return row.is_null(c) ? std::nullopt : std::optional<std::string>{row.text(c)};
    };
    if (const auto bad = adapters::detail::read_job_tail(db.mapping(), j, cell, warnings))
        throw error(error_kind::other, *bad);
}

// One history table's rows of the last 24 h (and any after `now`); `whole`: every row. A row
// naming a job that has no jobs row is skipped with a warning (adapters::orphaned_history).
template <class Record>
void read_history(database& db, const adapters::history_mapping& h, timestamp now,
                  std::vector<Record>& out, std::vector<load_warning>& warnings,
                  bool whole = false) {
    // Read by the record's field list; the last column says whether the job's row is gone.
    statement rows(db.handle(), adapters::history_select_sql<Record>(db.mapping(), h, "?"));
    rows.bind(1, adapters::history_since(now, whole));
    const int orphaned_column = column_count<Record>();
    adapters::orphaned_history orphaned(h.table, warnings);
    while (rows.step()) {
        Record record = read_row<Record>(rows);
        if (rows.integer(orphaned_column) == 0)
            out.push_back(std::move(record));
        else
            orphaned.skip(record.job);
    }
    orphaned.finish();
}

// The snapshot, read inside whatever transaction the caller holds: load_snapshot's read
// transaction, or decide_and_apply's write transaction.
[[nodiscard]] inline snapshot read_snapshot(database& db, timestamp now, runtime_facts runtime,
                                            std::vector<load_warning>& warnings) {
    snapshot s = adapters::detail::runtime_snapshot(now, runtime);
    const auto& m = db.mapping();
    statement jobs(db.handle(), adapters::detail::jobs_select_sql(m, adapters::sql_dialect::sqlite,
                                                                  "ORDER BY " + m.column("id")));
    while (jobs.step()) {
        s.jobs.push_back(read_job(jobs));
        read_job_tail(db, jobs, s.jobs.back(), &warnings);
    }
    adapters::settle_progress(s.jobs, runtime, warnings);
    read_history(db, m.starts, now, s.starts, warnings);
    read_history(db, m.recoveries, now, s.recoveries, warnings, true);
    return s;
}

// SQLite's transaction for adapters/detail/transaction.hpp, opened by `begin_sql`: BEGIN for
// load_snapshot's read, BEGIN IMMEDIATE for a write (apply.hpp's immediate_transaction).
struct transaction {
    database& db;
    const char* begin_sql;
    void begin() { db.exec(begin_sql); }
    void commit() { db.exec("COMMIT"); }
    void roll_back() { db.exec("ROLLBACK"); }
    void abandon() noexcept { sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr); }
};

} // namespace detail

// Reads every job and the start and recovery history of the last 24 h (and any record after
// `now`, so the validator can report a clock that went backwards), in one read transaction.
// History rows of a job that no longer exists are skipped, each job's reported in `warnings`.
[[nodiscard]] inline snapshot load_snapshot(database& db, timestamp now, runtime_facts runtime,
                                            std::vector<load_warning>* warnings = nullptr) {
    require_schema(db);
    return adapters::detail::load_in(
        detail::transaction{db, "BEGIN"}, warnings, [&](std::vector<load_warning>& found) {
            return detail::read_snapshot(db, now, std::move(runtime), found);
        });
}

// One job row by id, or nothing.
[[nodiscard]] inline std::optional<job> load_job(database& db, job_id id) {
    const auto& m = db.mapping();
    detail::statement st(db.handle(),
                         adapters::detail::jobs_select_sql(m, adapters::sql_dialect::sqlite,
                                                           "WHERE " + m.column("id") + " = ?"));
    st.bind(1, to_int(id));
    if (!st.step()) return std::nullopt;
    job j = detail::read_job(st);
    detail::read_job_tail(db, st, j, nullptr);
    return j;
}

} // namespace sqlite
} // namespace v0
} // namespace warden
