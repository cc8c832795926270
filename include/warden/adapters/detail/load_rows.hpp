#pragma once
// What the SQLite and the PostgreSQL adapters' loads (adapters/sqlite/load.hpp,
// adapters/postgres/load.hpp) share: the snapshot's runtime part, the jobs SELECT (job_select's
// columns and the JSON-kept options') and the reading of the columns job_select adds after
// warden's. Each adapter runs the statements and reads the cells.
#include <warden/adapters/detail/columns.hpp>
#include <warden/adapters/detail/transaction.hpp>
#include <warden/adapters/json_options.hpp>
#include <warden/adapters/load_types.hpp>
#include <warden/adapters/mapping.hpp>
#include <warden/core/job.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/core/time.hpp>

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden {
inline namespace v0 {
namespace adapters {
namespace detail {

// A snapshot at `now` holding what the host probed (`runtime`'s locks, processes, running set
// and host facts, moved out), before the database's rows are read into it.
[[nodiscard]] inline snapshot runtime_snapshot(timestamp now, runtime_facts& runtime) {
    snapshot s;
    s.now = now;
    s.locks = std::move(runtime.locks);
    s.unprobeable_locks = std::move(runtime.unprobeable_locks);
    s.processes = std::move(runtime.processes);
    s.running_set = std::move(runtime.running_set);
    s.host = runtime.host;
    return s;
}

// SELECT job_select's columns and the JSON-kept options' (json_select_sql, in `d`'s SQL) FROM the
// mapped jobs table, then `tail` (an ORDER BY or a WHERE).
[[nodiscard]] inline std::string jobs_select_sql(const table_mapping& m, sql_dialect d,
                                                 std::string_view tail) {
    return fmt::format("SELECT {}{} FROM {} {}", job_select(m), json_select_sql(m, d), m.table,
                       tail);
}

// The columns job_select and json_select_sql add after warden's, for the job `j` just read from
// the row: the tool options the mapping keeps in JSON columns (adapters/json_options.hpp), then
// the failure value failure_classes.read does not list (settle_unknown_failure, warned into
// `warnings` when given). `cell(c)` is the row's column c as text, nothing for NULL. Returns the
// error of a bad JSON value (naming the job, table, column and key), nothing settled after it.
template <class Cell>
[[nodiscard]] std::optional<std::string> read_job_tail(const table_mapping& m, job& j,
                                                       const Cell& cell,
                                                       std::vector<load_warning>* warnings) {
    if (!m.json_fields.empty()) {
        std::vector<std::optional<std::string>> cells;
        const int first = json_select_first(m);
        const int n = static_cast<int>(m.json_columns().size() + 3 * m.json_fields.size());
        for (int c = 0; c < n; ++c)
            cells.push_back(cell(first + c));
        if (auto bad = read_json_options(m, j, cells)) return bad;
    }
    if (m.failure_mapped) settle_unknown_failure(m, j, cell(column_count<job>()), warnings);
    return std::nullopt;
}

// A snapshot `read(found)` reads inside one read transaction (`tx`, as in_transaction takes it:
// the adapter's statements), its warnings put into `*warnings` (when given) once it committed.
// An exception abandons the transaction and is rethrown.
template <class Transaction, class Read>
[[nodiscard]] snapshot load_in(Transaction&& tx, std::vector<load_warning>* warnings, Read&& read) {
    std::vector<load_warning> found;
    snapshot s = in_transaction(std::forward<Transaction>(tx), [&] { return read(found); });
    if (warnings) *warnings = std::move(found);
    return s;
}

} // namespace detail
} // namespace adapters
} // namespace v0
} // namespace warden
