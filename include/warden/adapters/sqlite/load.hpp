#pragma once
// Reading a snapshot (or one job) from a jobs database, in one read transaction.
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

// One history table's rows of the last 24 h (and any after `now`). A row naming a job that has
// no jobs row (a job deleted by a client that does not enforce foreign keys) is skipped with a
// warning: it names nothing warden could write, and refusing the whole snapshot for it halted
// every tick until the row aged out of the window (issue 15). The skipped rows stop counting
// toward the daily caps, exactly as if the deletion had cascaded.
// `whole`: every row, whatever its age (the recovery history: the progress circuit breaker looks
// past 24 h, issue #17).
template <class Record>
void read_history(database& db, std::string_view table, timestamp now, std::vector<Record>& out,
                  std::vector<load_warning>& warnings, bool whole = false) {
    // Read by the record's field list; its columns (job_id, at) name nothing in `jobs`, so they
    // need no table prefix. The last column says whether the job's row is gone.
    statement rows(db.handle(),
                   fmt::format("SELECT {}, j.id IS NULL FROM {} AS h LEFT JOIN jobs AS j ON j.id = "
                               "h.job_id WHERE h.at > ? ORDER BY h.at, h.job_id",
                               column_list<Record>(), table));
    // Clamped so that no `now` overflows here; one before the year 0001 is refused by
    // validate_host anyway.
    rows.bind(1, whole ? std::int64_t{std::numeric_limits<std::int64_t>::min()}
                       : epoch_seconds(std::max(now, earliest_time) - one_day));
    const int orphaned_column = column_count<Record>();
    const std::size_t first_warning = warnings.size();
    while (rows.step()) {
        Record record = read_row<Record>(rows);
        if (rows.integer(orphaned_column) == 0) {
            out.push_back(std::move(record));
            continue;
        }
        const job_id job = record.job;
        auto same = [&](const load_warning& w) { return w.job == job; };
        const auto it = std::find_if(warnings.begin() + static_cast<std::ptrdiff_t>(first_warning),
                                     warnings.end(), same);
        if (it != warnings.end())
            ++it->rows;
        else
            warnings.push_back(load_warning{std::string{table}, job, 1, {}});
    }
    for (std::size_t k = first_warning; k < warnings.size(); ++k)
        warnings[k].message = fmt::format(
            "{}: {} row{} of job {} skipped: no jobs row has this id (deleted?); {} no longer "
            "count{} toward the daily cap",
            table, warnings[k].rows, warnings[k].rows == 1 ? "" : "s", to_int(warnings[k].job),
            warnings[k].rows == 1 ? "it" : "they", warnings[k].rows == 1 ? "s" : "");
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
    statement jobs(db.handle(), fmt::format("SELECT {} FROM jobs ORDER BY id", job_columns));
    while (jobs.step())
        s.jobs.push_back(read_job(jobs));
    adapters::settle_progress(s.jobs, runtime, warnings);
    read_history(db, "job_starts", now, s.starts, warnings);
    read_history(db, "recovery_history", now, s.recoveries, warnings, true);
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
    detail::statement st(db.handle(),
                         fmt::format("SELECT {} FROM jobs WHERE id = ?", detail::job_columns));
    st.bind(1, to_int(id));
    if (!st.step()) return std::nullopt;
    return detail::read_job(st);
}

} // namespace sqlite
} // namespace v0
} // namespace warden
