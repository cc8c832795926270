#pragma once
// What a snapshot load takes besides the database, and what it reports, shared by the SQLite and
// the PostgreSQL adapter; and where a validation error of a loaded snapshot is in the database.
#include <warden/adapters/mapping.hpp>
#include <warden/core/ids.hpp>
#include <warden/core/job.hpp>
#include <warden/core/job_status.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/core/time.hpp>
#include <warden/core/validate.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden {
inline namespace v0 {
namespace adapters {

// What a NULL `jobs.last_progress_at` means (issue 19). The column is always there, so NULL is
// the only way a row can say "no progress report": by default it is read as no progress source
// at all (progress_known false, never judged stalled, a running row warned), as a JSON row with
// no progress field is. Reading it as "no progress seen yet" (judged from started_at) would have
// a host that never writes the column get every crawl older than stall_after restarted.
enum class null_progress {
    unknown,      // no progress source: progress_known false (the default)
    not_seen_yet, // the host writes the column itself: judged from started_at, as JSON null is
};

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
    // How a NULL jobs.last_progress_at of a row no progress fact names is read.
    null_progress null_last_progress = null_progress::unknown;
};

// A problem in the database that does not stop a tick, for the host to log.
struct load_warning {
    std::string table; // jobs, job_starts or recovery_history
    job_id job{};      // the job id the skipped rows name
    std::int64_t rows = 0;
    std::string message;
};

// The progress half of the rows just read: NULL last_progress_at read as `runtime` says, the
// host's progress facts written over the rows, and a warning for each running row still without
// any progress information (as the JSON reader warns about a running row with no progress field).
inline void settle_progress(std::vector<job>& jobs, const runtime_facts& runtime,
                            std::vector<load_warning>& warnings) {
    const bool null_is_unknown = runtime.null_last_progress == null_progress::unknown;
    if (null_is_unknown)
        for (job& j : jobs)
            if (!j.last_progress_at) j.progress_known = false;
    (void)overlay_progress(jobs, runtime.progress);
    if (!null_is_unknown) return;
    for (const job& j : jobs) {
        if (j.status != job_status::running || j.last_progress_at || j.progress_known) continue;
        const auto named = [&](const progress_fact& f) { return f.job == j.id; };
        if (std::any_of(runtime.progress.begin(), runtime.progress.end(), named)) continue;
        warnings.push_back(load_warning{
            "jobs", j.id, 1,
            fmt::format("jobs.last_progress_at where id = {}: running job with NULL "
                        "last_progress_at and no progress fact: read as progress_known false "
                        "(never judged stalled); write last_progress_at, or report the job's "
                        "progress (warden probe)",
                        to_int(j.id))});
    }
}

// A job row read through a mapping whose failure column is mapped (job_select's extra column):
// a host value failure_classes.read does not list is read as the mapping's `unknown` class, and
// said in a warning naming the job, the host's table and column, and the value.
inline void settle_unknown_failure(const table_mapping& m, job& j,
                                   const std::optional<std::string>& unknown,
                                   std::vector<load_warning>* warnings) {
    if (!unknown) return;
    j.failure = m.failure_unknown;
    if (!warnings) return;
    warnings->push_back(load_warning{
        m.table, j.id, 1,
        fmt::format("{}.{} where {} = {}: \"{}\" is not in the mapping's failure_classes.read: "
                    "read as {}",
                    m.table, m.column("failure_class"), m.column("id"), to_int(j.id), *unknown,
                    to_string(m.failure_unknown))});
}

// The history window's lower bound: the last 24 h (and any row after `now`), or every row
// (`whole`: the recovery history, which the progress circuit breaker reads past 24 h, issue #17).
// Clamped so that no `now` overflows here; one before the year 0001 is refused by validate_host.
[[nodiscard]] inline std::int64_t history_since(timestamp now, bool whole) {
    return whole ? std::numeric_limits<std::int64_t>::min()
                 : epoch_seconds(std::max(now, earliest_time) - one_day);
}

// The history rows of one table that name a job with no jobs row (a job deleted by a client that
// does not enforce foreign keys), skipped with one warning per job: such a row names nothing
// warden could write, and refusing the whole snapshot for it halted every tick until the row aged
// out of the window (issue 15). The skipped rows stop counting toward the daily caps, exactly as
// if the deletion had cascaded. Each adapter runs its own SELECT and row loop, calling skip() for
// each orphaned row and finish() after the last.
class orphaned_history {
  public:
    orphaned_history(std::string_view table, std::vector<load_warning>& warnings)
        : table_(table)
        , warnings_(warnings)
        , first_(warnings.size()) {}

    void skip(job_id job) {
        const auto same = [&](const load_warning& w) { return w.job == job; };
        const auto it = std::find_if(warnings_.begin() + static_cast<std::ptrdiff_t>(first_),
                                     warnings_.end(), same);
        if (it != warnings_.end())
            ++it->rows;
        else
            warnings_.push_back(load_warning{std::string{table_}, job, 1, {}});
    }
    // Words each warning this table's read added.
    void finish() {
        for (std::size_t k = first_; k < warnings_.size(); ++k) {
            load_warning& w = warnings_[k];
            w.message = fmt::format(
                "{}: {} row{} of job {} skipped: no jobs row has this id (deleted?); {} no longer "
                "count{} toward the daily cap",
                table_, w.rows, w.rows == 1 ? "" : "s", to_int(w.job), w.rows == 1 ? "it" : "they",
                w.rows == 1 ? "s" : "");
        }
    }

  private:
    std::string_view table_;
    std::vector<load_warning>& warnings_;
    std::size_t first_;
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
