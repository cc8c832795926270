#pragma once
// What the SQLite and the PostgreSQL adapters' worker writes (adapters/sqlite/worker_writes.hpp,
// adapters/postgres/worker_writes.hpp) share: the expected row of a compare-and-set, the
// set_status an operator's edit and a completion write, and how a completion that wrote no row
// is told apart (a repeat, or a row that moved). Each adapter runs the statements.
#include <warden/adapters/apply_result.hpp>
#include <warden/adapters/mapping.hpp>
#include <warden/core/actions.hpp>
#include <warden/core/job_status.hpp>
#include <warden/rules/completion.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace warden {
inline namespace v0 {
namespace adapters {

// The state a compare-and-set expects the row in.
struct expected_row {
    job_status status{};
    std::int64_t version = 0;
};

namespace detail {

// A status change by hand (an operator's UPDATE): a set_status on the status and version the
// operator was shown, by no rule.
[[nodiscard]] inline set_status edit_status_write(job_id job, expected_row expected,
                                                  job_status to) {
    return set_status{job,          expected.status, expected.version, to,
                      std::nullopt, rule_id{},       "edited by hand", {}};
}

// The SQL form of warden::complete (rules/completion.hpp): running -> completed at the version
// the worker holds. `write(action)` runs it through the adapter's plan writer inside the
// adapter's transaction; when it wrote no row, `completed()` reads whether the row is completed
// (SELECT completion_status_sql). `complete` when this call wrote the row; `already_completed`
// when it was completed before (a repeat), nothing written; `not_running` when the row is not
// completed (it moved: recovered, failed, edited, or another version), a conflict, nothing
// written. Never a 0-row UPDATE reported as success (B7).
template <class Write, class Completed>
[[nodiscard]] completion_outcome complete_write(job_id job, std::int64_t expected_version,
                                                Write&& write, Completed&& completed) {
    const set_status done{job,
                          job_status::running,
                          expected_version,
                          job_status::completed,
                          failure_class::none,
                          rule_id::completion,
                          "crawl finished",
                          {}};
    if (std::forward<Write>(write)(done) == action_status::applied)
        return completion_outcome::complete;
    return std::forward<Completed>(completed)() ? completion_outcome::already_completed
                                                : completion_outcome::not_running;
}

// The row's status as warden's name, the id the parameter `id_param` (?1 or $1) names.
[[nodiscard]] inline std::string completion_status_sql(const table_mapping& m,
                                                       std::string_view id_param) {
    return mapped_sql(m, "SELECT {status_read} FROM {T} WHERE {id} = " + std::string{id_param});
}

} // namespace detail
} // namespace adapters
} // namespace v0
} // namespace warden
