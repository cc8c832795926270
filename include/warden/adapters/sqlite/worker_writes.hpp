#pragma once
// The writes a host's workers make outside a plan (a completion, a stage reached, an operator's
// status edit), each a compare-and-set in its own transaction.
#include <warden/adapters/detail/worker_writes.hpp>
#include <warden/adapters/mapping.hpp>
#include <warden/adapters/sqlite/apply.hpp>
#include <warden/adapters/sqlite/connection.hpp>
#include <warden/core/actions.hpp>
#include <warden/core/job_status.hpp>
#include <warden/core/time.hpp>
#include <warden/rules/completion.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace warden {
inline namespace v0 {
namespace sqlite {

using adapters::expected_row;

// A status change by hand (an operator's UPDATE) as a compare-and-set on the status and version
// the operator was shown: `conflict` when the row moved since, and nothing is written. The
// effects are a set_status action's (finished_at / completed_at on a terminal status).
[[nodiscard]] inline action_status edit_status(database& db, job_id job, expected_row expected,
                                               job_status to, timestamp now) {
    return apply_one(db, adapters::detail::edit_status_write(job, expected, to), now);
}

// The SQL form of warden::complete (rules/completion.hpp), in one transaction: one UPDATE ...
// WHERE id = ? AND status = 'running' AND version = ?, running -> completed; the outcomes as
// adapters::detail::complete_write says (never a 0-row UPDATE reported as success, B7).
[[nodiscard]] inline completion_outcome complete(database& db, job_id job,
                                                 std::int64_t expected_version, timestamp now) {
    return detail::in_transaction(db, [&] {
        detail::plan_writer writer(db, now);
        return adapters::detail::complete_write(job, expected_version, writer, [&] {
            detail::statement status(db.handle(),
                                     adapters::detail::completion_status_sql(db.mapping(), "?"));
            status.bind(1, to_int(job));
            return status.step() && status.text(0) == "completed";
        });
    });
}

// Records that a job reached a stage, as a compare-and-set: jobs.last_stage (and has_outputs,
// when `outputs`; it is never cleared) and the stage history change in one transaction, and only
// while the row is in the expected status and version. `conflict`: the row moved; nothing is
// written. The two separate, blind writes of incident B7 cannot happen through this function.
[[nodiscard]] inline action_status record_stage(database& db, job_id job, std::string_view stage,
                                                timestamp at, expected_row expected,
                                                bool outputs = false) {
    return detail::in_transaction(db, [&] {
        detail::statement row(db.handle(), adapters::mapped_sql(db.mapping(), R"sql(
UPDATE {T} SET {last_stage} = ?1, {has_outputs} = max({has_outputs}, ?2), {version} = {version} + 1
WHERE {id} = ?3 AND {expected} AND {version} = ?5)sql",
                                                                "?4"));
        row.bind(1, stage).bind(2, std::int64_t{outputs ? 1 : 0}).bind(3, to_int(job));
        if (row.bind(4, to_string(expected.status)).bind(5, expected.version).run() != 1)
            return action_status::conflict;
        detail::statement history(
            db.handle(), "INSERT OR REPLACE INTO job_stages (job_id, stage, at) VALUES (?, ?, ?)");
        history.bind(1, to_int(job)).bind(2, stage).bind(3, at).run();
        return action_status::applied;
    });
}

} // namespace sqlite
} // namespace v0
} // namespace warden
