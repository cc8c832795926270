#pragma once
// When a start's command fails (issue 19, issue 20 item 3), on PostgreSQL: as the SQLite
// adapter's undo_start (sqlite/undo_start.hpp), through the connection's mapping.
// docs/host-actions.md, docs/postgres.md.
#include <warden/adapters/detail/undo_start.hpp>
#include <warden/adapters/postgres/apply.hpp>
#include <warden/adapters/postgres/connection.hpp>
#include <warden/adapters/postgres/rows.hpp>
#include <warden/core/actions.hpp>
#include <warden/core/job.hpp>
#include <warden/core/time.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <string_view>

namespace warden {
inline namespace v0 {
namespace postgres {

// Undoes a committed start_job whose launch failed, in one transaction: the row goes back to the
// status (the value the mapping stores for it), started_at, finished_at and retry_count it had
// before the start (`before`: the row as read for the plan), with `reason` in last_error, and one
// start record the apply wrote at `started_at` is deleted, so the failed launch burns neither the
// daily start cap nor a retry. A compare-and-set on a running status, the version the start wrote
// (`start.expected_version` + 1) and its started_at: if anything touched the row since (a worker
// that did start it, a completion), the undo is a conflict and nothing is written. Tool options
// the start wrote are kept (the next start writes them again).
[[nodiscard]] inline action_status undo_start(connection& db, const start_job& start,
                                              const job& before, timestamp started_at,
                                              std::string_view reason) {
    return detail::in_transaction(db, [&] {
        const adapters::table_mapping& m = db.mapping();
        params p;
        p.add(m.stored(before.status)).add(before.started_at).add(before.finished_at);
        p.add(std::int64_t{before.retry_count}).add(reason).add(to_int(start.job));
        p.add(start.expected_version + 1).add(started_at);
        p.add(detail::text_array(m.reads_as(job_status::running)));
        const auto row =
            db.exec_prepared(adapters::detail::undo_start_sql(m, adapters::sql_dialect::postgres,
                                                              "{status} = ANY($9::text[])"),
                             p);
        if (row.affected() != 1) return action_status::conflict;
        params h;
        h.add(to_int(start.job)).add(started_at);
        // job_starts has no key: one of the rows the start wrote, by its physical address; in the
        // table and columns the mapping names (history.job_starts), where the start wrote it.
        db.exec_prepared(fmt::format("DELETE FROM {0} WHERE ctid = (SELECT ctid FROM {0} WHERE "
                                     "{1} = $1::bigint AND {2} = $2::bigint LIMIT 1)",
                                     m.starts.table, m.starts.column("job_id"),
                                     m.starts.column("at")),
                         h);
        return action_status::applied;
    });
}

} // namespace postgres
} // namespace v0
} // namespace warden
