#pragma once
// Reading a snapshot (or one job) from a jobs database, in one read transaction.
#include <warden/adapters/sqlite/connection.hpp>
#include <warden/adapters/sqlite/rows.hpp>
#include <warden/adapters/sqlite/schema.hpp>
#include <warden/core/job.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/core/time.hpp>

#include <fmt/format.h>
#include <sqlite3.h>

#include <optional>
#include <utility>
#include <vector>

namespace warden {
inline namespace v0 {
namespace sqlite {

// What the database cannot know: the runtime and the host, observed by the caller.
struct runtime_facts {
    std::vector<job_id> locks;
    std::vector<process_fact> processes;
    std::vector<job_id> running_set;
    host_facts host;
};

// Reads every job and the start and recovery history of the last 24 h (and any record after
// `now`, so the validator can report a clock that went backwards), in one read transaction.
[[nodiscard]] inline snapshot load_snapshot(database& db, timestamp now, runtime_facts runtime) {
    require_schema(db);
    snapshot s;
    s.now = now;
    s.locks = std::move(runtime.locks);
    s.processes = std::move(runtime.processes);
    s.running_set = std::move(runtime.running_set);
    s.host = runtime.host;
    db.exec("BEGIN");
    try {
        detail::statement jobs(db.handle(),
                               fmt::format("SELECT {} FROM jobs ORDER BY id", detail::job_columns));
        while (jobs.step())
            s.jobs.push_back(detail::read_job(jobs));
        detail::statement starts(
            db.handle(), "SELECT job_id, at FROM job_starts WHERE at > ? ORDER BY at, job_id");
        starts.bind(1, now - one_day);
        while (starts.step())
            s.starts.push_back(
                start_record{job_id{starts.integer(0)}, from_epoch_seconds(starts.integer(1))});
        detail::statement recoveries(
            db.handle(),
            "SELECT job_id, at FROM recovery_history WHERE at > ? ORDER BY at, job_id");
        recoveries.bind(1, now - one_day);
        while (recoveries.step())
            s.recoveries.push_back(recovery_record{job_id{recoveries.integer(0)},
                                                   from_epoch_seconds(recoveries.integer(1))});
        db.exec("COMMIT");
    } catch (...) {
        sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
    return s;
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
