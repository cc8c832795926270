#pragma once
#include <warden/core/enum_names.hpp>
#include <warden/core/ids.hpp>
#include <warden/core/job.hpp>
#include <warden/core/time.hpp>

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace warden {
inline namespace v0 {

// Who started a live process, as the host read it from the process tree (issue #8's runner
// classes). The default is the reference deployment, where the worker service runs every crawl;
// a host that runs crawls any other way must say so, or warden would stop what it does not own.
enum class process_origin : std::uint8_t {
    worker,       // descends from the worker service
    systemd_unit, // a systemd unit running this job (process_fact::unit names it)
    other,        // anything else that mentions the output dir: never stopped by warden
};

inline constexpr int process_origin_count = 3;

inline constexpr std::string_view process_origin_names[] = {"worker", "systemd_unit", "other"};
static_assert(std::size(process_origin_names) == process_origin_count &&
                  static_cast<int>(process_origin::other) + 1 == process_origin_count,
              "process_origin_names must name every origin, in order");

[[nodiscard]] constexpr std::string_view to_string(process_origin o) noexcept {
    return detail::name_in(process_origin_names, o);
}

[[nodiscard]] constexpr std::optional<process_origin>
parse_process_origin(std::string_view s) noexcept {
    return detail::parse_in<process_origin>(process_origin_names, s);
}

// A live OS process. Attribution to a job is by output_dir, which the host extracts from the
// command line: matching free text against every job would be quadratic and ambiguous.
struct process_fact {
    std::int64_t pid = 0;
    std::string output_dir;
    std::string cmdline;
    process_origin origin = process_origin::worker;
    std::string unit; // the systemd unit's name, when origin is systemd_unit
    // Last, so positional initialisers of the members above stay valid. The parent's pid as the
    // host read it (/proc/PID/stat); unknown (null) when the host did not read it. A crawl is
    // archive-tool and its `docker run` child: two processes on one dir that are one attempt
    // (issue #16, item 9), told apart from a double attempt by this link.
    std::optional<std::int64_t> ppid = std::nullopt;
    friend bool operator==(const process_fact&, const process_fact&) = default;
};

// A per-job lock whose probe failed (issue #19): the lock file or its directory could not be
// opened or locked (EACCES, EPERM, ENOENT of the directory, ...), so whether a runner holds it
// cannot be told. It counts as held, as production does since its 2026-02-06 fix: reading a
// failed probe as "not held" once let a stall sit for 20 hours behind a PermissionError.
struct unprobeable_lock {
    job_id job{};
    std::int32_t error_number = 0; // the probe's errno, for the operator
    friend bool operator==(const unprobeable_lock&, const unprobeable_lock&) = default;
};

// A job's progress as a host measured it outside the database (issue #19: `warden probe` runs
// progress_tracker with its memory in a state file). Loading it over the job's row replaces the
// row's last_progress_at, crawled_pages and progress_known, as progress_observation::apply_to does.
struct progress_fact {
    job_id job{};
    std::optional<timestamp> last_progress_at = std::nullopt;
    std::optional<std::int64_t> crawled_pages = std::nullopt;
    bool progress_known = false;
    std::string source; // the log it was read from, for the operator; decide() ignores it
    friend bool operator==(const progress_fact&, const progress_fact&) = default;
};

struct start_record {
    job_id job{};
    timestamp at{};
    friend bool operator==(const start_record&, const start_record&) = default;
};

// A stall recovery the watchdog carried out, persisted like a start (issue #8's recovery cap).
struct recovery_record {
    job_id job{};
    timestamp at{};
    // The job's crawled_pages when it was recovered (issue #17, the progress circuit breaker);
    // missing when the host had no count then.
    std::optional<std::int64_t> crawled_pages = std::nullopt;
    friend bool operator==(const recovery_record&, const recovery_record&) = default;
};

struct host_facts {
    bool sentinel_present = false; // absent sentinel = automation switched off: nothing is written
    bool deploy_lock_present = false; // the probe found the deploy lock held
    double disk_used_percent = 0.0;
    // The probe failed (issue #8): the lock file exists but whether a deploy holds it cannot be
    // told. It counts as held until deploy_lock_stale_after past its creation time: a deploy
    // that old has died, and a dead deploy must not stop the watchdog for ever.
    bool deploy_lock_unprobeable = false;
    std::optional<timestamp> deploy_lock_created_at = std::nullopt; // unknown: held, any age
    // Whether the worker service is up. A held per-job lock with no attributable process is the
    // worker's while it lives; with the worker down, whoever holds it is unknown (issue #8).
    bool worker_alive = true;
    // False when the host could not list processes: then no runner can be classified, and no
    // stalled job is stopped (an empty process list would otherwise read as "nothing runs it").
    bool process_list_readable = true;
    // Issue #21 item 5: the operator's pause switches, beside the sentinel. A job whose source
    // (or class) is listed is not started (rails/pause.hpp); everything else goes on.
    std::vector<std::string> paused_sources = {};
    std::vector<std::string> paused_classes = {};
    friend bool operator==(const host_facts&, const host_facts&) = default;
};

// Whether a deploy is taken to be in progress: held, or unprobeable and at most `stale_after`
// old. A lock exactly `stale_after` old is still held (issue #16 item 6: production's
// `age <= max`); one second later it is stale.
[[nodiscard]] constexpr bool deploy_lock_in_effect(const host_facts& h, timestamp now,
                                                   duration stale_after) noexcept {
    if (h.deploy_lock_present) return true;
    if (!h.deploy_lock_unprobeable) return false;
    return !h.deploy_lock_created_at || now - *h.deploy_lock_created_at <= stale_after;
}

// Writes each progress fact over its job's row; returns the indexes of the facts that name no job
// (a job deleted between the probe and the tick: the caller decides whether that is an error).
inline std::vector<std::size_t> overlay_progress(std::vector<job>& jobs,
                                                 const std::vector<progress_fact>& progress) {
    std::vector<std::size_t> unmatched;
    if (progress.empty()) return unmatched;
    std::unordered_map<job_id, std::size_t> at;
    at.reserve(jobs.size());
    for (std::size_t i = 0; i < jobs.size(); ++i)
        at.emplace(jobs[i].id, i);
    for (std::size_t k = 0; k < progress.size(); ++k) {
        const auto it = at.find(progress[k].job);
        if (it == at.end()) {
            unmatched.push_back(k);
            continue;
        }
        job& j = jobs[it->second];
        j.last_progress_at = progress[k].last_progress_at;
        j.crawled_pages = progress[k].crawled_pages;
        j.progress_known = progress[k].progress_known;
    }
    return unmatched;
}

// Everything decide() may look at, captured by the host at one instant. Two sources of truth
// side by side: the database rows (jobs, starts) and the runtime (locks, processes, running set).
struct snapshot {
    timestamp now{};
    std::vector<job> jobs;
    std::vector<job_id> locks;                       // per-job locks currently held
    std::vector<unprobeable_lock> unprobeable_locks; // probes that failed: taken as held
    std::vector<process_fact> processes;
    std::vector<job_id> running_set; // the worker's in-memory view of what it runs
    host_facts host;
    std::vector<start_record> starts; // persisted start history (B12: never an in-memory count)
    std::vector<recovery_record> recoveries; // persisted recovery history, likewise
    friend bool operator==(const snapshot&, const snapshot&) = default;
};

} // namespace v0
} // namespace warden
