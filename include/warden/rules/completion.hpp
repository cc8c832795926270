#pragma once
#include <warden/core/actions.hpp>
#include <warden/core/job.hpp>
#include <warden/core/time.hpp>

#include <cstdint>

namespace warden {
inline namespace v0 {

enum class completion_outcome : std::uint8_t {
    complete,          // apply `write`, then remove the job from the runtime running set
    already_completed, // idempotent repeat: nothing to write, report success
    not_running,       // the row moved (e.g. recovered or failed): do not overwrite it
};

struct completion {
    completion_outcome outcome{};
    set_status write; // meaningful only for `complete`
    std::int64_t pages = 0;
    timestamp completed_at{};
};

// B8, the worker side. Completion is one compare-and-set, running -> completed, with the row's
// version: never a status write followed by a separate completed_at write, which the orphan sweep
// could observe half-done. The order the host must keep: commit this write to the database first,
// then remove the job from the in-memory running set. The other order opens a window in which
// the sweep sees a running row with no runtime evidence and fails a finished job.
[[nodiscard]] inline completion complete(const job& j, std::int64_t pages, timestamp now) {
    completion c;
    c.pages = pages;
    c.completed_at = now;
    if (j.status == job_status::completed) {
        c.outcome = completion_outcome::already_completed;
        return c;
    }
    if (j.status != job_status::running) {
        c.outcome = completion_outcome::not_running;
        return c;
    }
    c.outcome = completion_outcome::complete;
    c.write = set_status{j.id,
                         job_status::running,
                         j.version,
                         job_status::completed,
                         failure_class::none,
                         rule_id::completion,
                         "crawl finished",
                         {evidence_kind::none, pages}};
    return c;
}

} // namespace v0
} // namespace warden
