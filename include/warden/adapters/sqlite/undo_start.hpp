#pragma once
// When a start's command fails (issue 19): the row a plan moved to running must not sit there
// with nothing running until the orphan sweep fails it, and the start must not count against
// the daily start cap. docs/host-actions.md.
#include <warden/adapters/detail/undo_start.hpp>
#include <warden/adapters/mapping.hpp>
#include <warden/adapters/sqlite/apply.hpp>
#include <warden/adapters/sqlite/connection.hpp>
#include <warden/core/actions.hpp>
#include <warden/core/job.hpp>
#include <warden/core/time.hpp>

#include <fmt/format.h>

#include <string_view>

namespace warden {
inline namespace v0 {
namespace sqlite {

// Undoes a committed start_job whose launch failed, in one transaction: the row goes back to the
// status, started_at, finished_at and retry_count it had before the start (`before`: the row as
// read for the plan), with `reason` in last_error, and the start record the apply wrote at
// `started_at` is deleted, so the failed launch burns neither the daily start cap nor a retry.
// A compare-and-set on status running and the version the start wrote (`start.expected_version`
// + 1): if anything touched the row since (a worker that did start it, a completion), the undo is
// a conflict and nothing is written. Tool options the start wrote are kept (the next start
// writes them again).
[[nodiscard]] inline action_status undo_start(database& db, const start_job& start,
                                              const job& before, timestamp started_at,
                                              std::string_view reason) {
    return detail::in_transaction(db, [&] {
        detail::statement row(db.handle(),
                              adapters::detail::undo_start_sql(
                                  db.mapping(), adapters::sql_dialect::sqlite, "{running}"));
        row.bind(1, std::string_view{db.mapping().stored(before.status)})
            .bind(2, before.started_at)
            .bind(3, before.finished_at);
        row.bind(4, std::int64_t{before.retry_count}).bind(5, reason).bind(6, to_int(start.job));
        if (row.bind(7, start.expected_version + 1).bind(8, started_at).run() != 1)
            return action_status::conflict;
        const auto& h = db.mapping().starts;
        detail::statement history(
            db.handle(), fmt::format("DELETE FROM {0} WHERE rowid = (SELECT max(rowid) FROM {0} "
                                     "WHERE {1} = ?1 AND {2} = ?2)",
                                     h.table, h.column("job_id"), h.column("at")));
        history.bind(1, to_int(start.job)).bind(2, started_at).run();
        return action_status::applied;
    });
}

} // namespace sqlite
} // namespace v0
} // namespace warden
