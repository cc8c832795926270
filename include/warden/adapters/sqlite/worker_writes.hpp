#pragma once
// The writes a host's workers make outside a plan (a completion, a stage reached, an operator's
// status edit), each a compare-and-set in its own transaction.
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

// The state a compare-and-set expects the row in.
struct expected_row {
    job_status status{};
    std::int64_t version = 0;
};

// A status change by hand (an operator's UPDATE) as a compare-and-set on the status and version
// the operator was shown: `conflict` when the row moved since, and nothing is written. The
// effects are a set_status action's (finished_at / completed_at on a terminal status).
[[nodiscard]] inline action_status edit_status(database& db, job_id job, expected_row expected,
                                               job_status to, timestamp now) {
    return apply_one(db,
                     set_status{job,
                                expected.status,
                                expected.version,
                                to,
                                std::nullopt,
                                rule_id{},
                                "edited by hand",
                                {}},
                     now);
}

// The SQL form of warden::complete (rules/completion.hpp): one
// UPDATE ... WHERE id = ? AND status = 'running' AND version = ?, running -> completed. Idempotent:
// `complete` when this call wrote the row; `already_completed` when it was completed before (a
// repeat), nothing written; `not_running` when 0 rows matched and the row is not completed (it
// moved: recovered, failed, edited, or another version), a conflict, nothing written. Never a
// 0-row UPDATE reported as success (B7).
[[nodiscard]] inline completion_outcome complete(database& db, job_id job,
                                                 std::int64_t expected_version, timestamp now) {
    return detail::in_transaction(db, [&] {
        detail::plan_writer writer(db, now);
        const set_status write{job,
                               job_status::running,
                               expected_version,
                               job_status::completed,
                               failure_class::none,
                               rule_id::completion,
                               "crawl finished",
                               {}};
        if (writer(write) == action_status::applied) return completion_outcome::complete;
        detail::statement status(
            db.handle(),
            adapters::mapped_sql(db.mapping(), "SELECT {status_read} FROM {T} WHERE {id} = ?"));
        status.bind(1, to_int(job));
        const bool completed = status.step() && status.text(0) == "completed";
        return completed ? completion_outcome::already_completed : completion_outcome::not_running;
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
