#pragma once
// What a snapshot load takes besides the database, and what it reports, shared by the SQLite and
// the PostgreSQL adapter; and where a validation error of a loaded snapshot is in the database.
#include <warden/core/ids.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/core/validate.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace warden {
inline namespace v0 {
namespace adapters {

// What the database cannot know: the runtime and the host, observed by the caller.
struct runtime_facts {
    std::vector<job_id> locks;
    std::vector<unprobeable_lock> unprobeable_locks; // probes that failed: taken as held
    std::vector<process_fact> processes;
    std::vector<job_id> running_set;
    host_facts host;
    // Progress measured by the host (warden probe's "progress"), written over the rows read; a
    // fact naming no row (the job was deleted since the probe) is dropped.
    std::vector<progress_fact> progress;
};

// A problem in the database that does not stop a tick, for the host to log.
struct load_warning {
    std::string table; // job_starts or recovery_history
    job_id job{};      // the job id the skipped rows name
    std::int64_t rows = 0;
    std::string message;
};

// Where a validation error of a snapshot loaded from a database is in it: the table, column and
// job id, as SQL names them (`jobs.retry_count where id = 17`, `job_starts.at where job_id = 17`),
// rather than the engine's path into a document that does not exist (`jobs[3].retry_count`). An
// error about what the caller supplied (config, host, locks, processes, running_set) keeps its
// path.
[[nodiscard]] inline std::string database_field(const validation_error& e) {
    struct table_of {
        std::string_view prefix, table, id_column;
    };
    static constexpr table_of tables[] = {{"jobs[", "jobs", "id"},
                                          {"starts[", "job_starts", "job_id"},
                                          {"recoveries[", "recovery_history", "job_id"}};
    const std::string_view field = e.field;
    for (const auto& t : tables) {
        if (!e.job || field.substr(0, t.prefix.size()) != t.prefix) continue;
        const std::size_t close = field.find("].");
        if (close == std::string_view::npos) continue;
        std::string_view column = field.substr(close + 2);
        if (column.substr(0, 13) == "tool_options.") column.remove_prefix(13);
        return fmt::format("{}.{} where {} = {}", t.table, column, t.id_column, to_int(*e.job));
    }
    return e.field;
}

} // namespace adapters
} // namespace v0
} // namespace warden
