#pragma once
// Reading a snapshot (or one job) from a jobs database, in one read transaction.
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

// The tool options `db`'s mapping keeps in JSON columns, read from job_select's last columns
// (adapters/json_options.hpp); a bad value refuses the load, naming the job, table, column and key.
inline void read_json_options(const database& db, const statement& row, job& j) {
    const auto& m = db.mapping();
    if (m.json_fields.empty()) return;
    std::vector<std::optional<std::string>> cells;
    const int first = adapters::json_select_first(m);
    const int n = static_cast<int>(m.json_columns().size() + 3 * m.json_fields.size());
    for (int c = 0; c < n; ++c)
        cells.push_back(row.is_null(first + c) ? std::nullopt
                                               : std::optional<std::string>{row.text(first + c)});
    if (const auto bad = adapters::read_json_options(m, j, cells))
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
    snapshot s;
    s.now = now;
    s.locks = std::move(runtime.locks);
    s.unprobeable_locks = std::move(runtime.unprobeable_locks);
    s.processes = std::move(runtime.processes);
    s.running_set = std::move(runtime.running_set);
    s.host = runtime.host;
    const auto& m = db.mapping();
    statement jobs(db.handle(),
                   fmt::format("SELECT {}{} FROM {} ORDER BY {}", adapters::job_select(m),
                               adapters::json_select_sql(m, adapters::sql_dialect::sqlite), m.table,
                               m.column("id")));
    const int unknown_failure = column_count<job>(); // job_select's extra column
    while (jobs.step()) {
        s.jobs.push_back(read_job(jobs));
        read_json_options(db, jobs, s.jobs.back());
        if (m.failure_mapped)
            adapters::settle_unknown_failure(
                m, s.jobs.back(),
                jobs.is_null(unknown_failure)
                    ? std::nullopt
                    : std::optional<std::string>{jobs.text(unknown_failure)},
                &warnings);
    }
    adapters::settle_progress(s.jobs, runtime, warnings);
    read_history(db, m.starts, now, s.starts, warnings);
    read_history(db, m.recoveries, now, s.recoveries, warnings, true);
    return s;
}

} // namespace detail

// Reads every job and the start and recovery history of the last 24 h (and any record after
// `now`, so the validator can report a clock that went backwards), in one read transaction.
// History rows of a job that no longer exists are skipped, each job's reported in `warnings`.
[[nodiscard]] inline snapshot load_snapshot(database& db, timestamp now, runtime_facts runtime,
                                            std::vector<load_warning>* warnings = nullptr) {
    require_schema(db);
    std::vector<load_warning> found;
    db.exec("BEGIN");
    try {
        snapshot s = detail::read_snapshot(db, now, std::move(runtime), found);
        db.exec("COMMIT");
        if (warnings) *warnings = std::move(found);
        return s;
    } catch (...) {
        sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

// One job row by id, or nothing.
[[nodiscard]] inline std::optional<job> load_job(database& db, job_id id) {
    const auto& m = db.mapping();
    detail::statement st(db.handle(),
                         fmt::format("SELECT {}{} FROM {} WHERE {} = ?", adapters::job_select(m),
                                     adapters::json_select_sql(m, adapters::sql_dialect::sqlite),
                                     m.table, m.column("id")));
    st.bind(1, to_int(id));
    if (!st.step()) return std::nullopt;
    job j = detail::read_job(st);
    detail::read_json_options(db, st, j);
    const int unknown_failure = detail::column_count<job>();
    if (m.failure_mapped && !st.is_null(unknown_failure))
        adapters::settle_unknown_failure(m, j, st.text(unknown_failure), nullptr);
    return j;
}

} // namespace sqlite
} // namespace v0
} // namespace warden
