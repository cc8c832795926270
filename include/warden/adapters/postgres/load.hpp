#pragma once
// Reading a snapshot (or one job) from a PostgreSQL jobs database, in one read transaction
// (REPEATABLE READ: every table read at the same moment).
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

// The tool options `db`'s mapping keeps in JSON columns, read from job_select's last columns
// (adapters/json_options.hpp); a bad value refuses the load, naming the job, table, column and key.
inline void read_json_options(const connection& db, const result& r, int row, job& j) {
    const auto& m = db.mapping();
    if (m.json_fields.empty()) return;
    std::vector<std::optional<std::string>> cells;
    const int first = adapters::json_select_first(m);
    const int n = static_cast<int>(m.json_columns().size() + 3 * m.json_fields.size());
    for (int c = 0; c < n; ++c)
        cells.push_back(r.is_null(row, first + c)
                            ? std::nullopt
                            : std::optional<std::string>{r.text(row, first + c)});
    if (const auto bad = adapters::read_json_options(m, j, cells))
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
    snapshot s;
    s.now = now;
    s.locks = std::move(runtime.locks);
    s.unprobeable_locks = std::move(runtime.unprobeable_locks);
    s.processes = std::move(runtime.processes);
    s.running_set = std::move(runtime.running_set);
    s.host = runtime.host;
    const auto& m = db.mapping();
    const result jobs = db.exec(fmt::format(
        "SELECT {}{} FROM {} ORDER BY {}", job_select(m),
        adapters::json_select_sql(m, adapters::sql_dialect::postgres), m.table, m.column("id")));
    s.jobs.reserve(static_cast<std::size_t>(jobs.rows()));
    const int unknown_failure = column_count<job>(); // job_select's extra column
    for (int i = 0; i < jobs.rows(); ++i) {
        s.jobs.push_back(read_row<job>(jobs, i));
        read_json_options(db, jobs, i, s.jobs.back());
        if (m.failure_mapped)
            adapters::settle_unknown_failure(
                m, s.jobs.back(),
                jobs.is_null(i, unknown_failure)
                    ? std::nullopt
                    : std::optional<std::string>{jobs.text(i, unknown_failure)},
                &warnings);
    }
    adapters::settle_progress(s.jobs, runtime, warnings);
    read_history(db, m.starts, now, s.starts, warnings);
    read_history(db, m.recoveries, now, s.recoveries, warnings, true);
    return s;
}

} // namespace detail

// Reads every job and the start and recovery history (as the SQLite adapter's load_snapshot),
// in one REPEATABLE READ, READ ONLY transaction: the three tables as of one moment.
[[nodiscard]] inline snapshot load_snapshot(connection& db, timestamp now, runtime_facts runtime,
                                            std::vector<load_warning>* warnings = nullptr) {
    require_schema(db);
    std::vector<load_warning> found;
    db.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    try {
        snapshot s = detail::read_snapshot(db, now, std::move(runtime), found);
        db.exec("COMMIT");
        if (warnings) *warnings = std::move(found);
        return s;
    } catch (...) {
        db.roll_back();
        throw;
    }
}

// One job row by id, or nothing.
[[nodiscard]] inline std::optional<job> load_job(connection& db, job_id id) {
    params p;
    p.add(to_int(id));
    const auto& m = db.mapping();
    const result r =
        db.exec(fmt::format("SELECT {}{} FROM {} WHERE {} = $1::bigint", detail::job_select(m),
                            adapters::json_select_sql(m, adapters::sql_dialect::postgres), m.table,
                            m.column("id")),
                p);
    if (r.rows() == 0) return std::nullopt;
    job j = detail::read_row<job>(r, 0);
    detail::read_json_options(db, r, 0, j);
    const int unknown_failure = detail::column_count<job>();
    if (m.failure_mapped && !r.is_null(0, unknown_failure))
        adapters::settle_unknown_failure(m, j, r.text(0, unknown_failure), nullptr);
    return j;
}

} // namespace postgres
} // namespace v0
} // namespace warden
