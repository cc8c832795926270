#pragma once
// The writes a host's workers make outside a plan (a completion, a stage reached, an operator's
// status edit), each a compare-and-set in its own transaction: the PostgreSQL counterparts of
// adapters/sqlite/worker_writes.hpp, statement for statement, through the connection's mapping.
// The simulator's PostgreSQL store (sim/include/warden/sim/sql_db.hpp) writes through them.
#include <warden/adapters/detail/worker_writes.hpp>
#include <warden/adapters/mapping.hpp>
#include <warden/adapters/postgres/apply.hpp>
#include <warden/adapters/postgres/connection.hpp>
#include <warden/core/actions.hpp>
#include <warden/core/job_status.hpp>
#include <warden/core/time.hpp>
#include <warden/rules/completion.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace warden {
inline namespace v0 {
namespace postgres {

using adapters::expected_row;

// A status change by hand (an operator's UPDATE) as a compare-and-set on the status and version
// the operator was shown: `conflict` when the row moved since, and nothing is written. The
// effects are a set_status action's (finished_at / completed_at on a terminal status).
[[nodiscard]] inline action_status edit_status(connection& db, job_id job, expected_row expected,
                                               job_status to, timestamp now) {
    return apply_one(db, adapters::detail::edit_status_write(job, expected, to), now);
}

// The SQL form of warden::complete (rules/completion.hpp), in one transaction: one UPDATE ...
// WHERE id = ? AND status = 'running' AND version = ?, running -> completed; the outcomes as
// adapters::detail::complete_write says (never a 0-row UPDATE reported as success, B7).
[[nodiscard]] inline completion_outcome complete(connection& db, job_id job,
                                                 std::int64_t expected_version, timestamp now) {
    return detail::in_transaction(db, [&] {
        detail::plan_writer writer(db, now);
        return adapters::detail::complete_write(job, expected_version, writer, [&] {
            params p;
            p.add(to_int(job));
            const result status =
                db.exec(adapters::detail::completion_status_sql(db.mapping(), "$1"), p);
            return status.rows() == 1 && status.text(0, 0) == "completed";
        });
    });
}

// Records that a job reached a stage, as a compare-and-set: the row's last_stage (and
// has_outputs, when `outputs`; it is never cleared) and the stage history (job_stages) change in
// one transaction, and only while the row is in the expected status and version. `conflict`: the
// row moved; nothing is written. The two separate, blind writes of incident B7 cannot happen
// through this function.
[[nodiscard]] inline action_status record_stage(connection& db, job_id job, std::string_view stage,
                                                timestamp at, expected_row expected,
                                                bool outputs = false) {
    return detail::in_transaction(db, [&] {
        params p;
        p.add(stage).add(std::int64_t{outputs ? 1 : 0}).add(to_int(job));
        p.add(to_string(expected.status)).add(expected.version);
        const result row = db.exec(adapters::mapped_sql(db.mapping(), R"sql(
UPDATE {T} SET {last_stage} = $1::text, {has_outputs} = GREATEST({has_outputs}, $2::smallint),
    {version} = {version} + 1
WHERE {id} = $3::bigint AND {expected} AND {version} = $5::bigint
    AND {version} < 9223372036854775807)sql",
                                                        "$4::text"),
                                   p);
        if (row.affected() != 1) return action_status::conflict;
        params h;
        h.add(to_int(job)).add(stage).add(at);
        db.exec("INSERT INTO job_stages (job_id, stage, at) VALUES ($1::bigint, $2::text, "
                "$3::bigint) ON CONFLICT (job_id, stage) DO UPDATE SET at = EXCLUDED.at",
                h);
        return action_status::applied;
    });
}

} // namespace postgres
} // namespace v0
} // namespace warden
