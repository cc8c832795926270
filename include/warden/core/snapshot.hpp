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
    // The parent's pid (issue #16, item 9): a crawl is archive-tool and its `docker run` child,
    // two processes on one dir that are one attempt. Unknown when the host did not read it.
    std::optional<std::int64_t> ppid = std::nullopt;
    friend bool operator==(const process_fact&, const process_fact&) = default;
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
    friend bool operator==(const host_facts&, const host_facts&) = default;
};

// Whether a deploy is taken to be in progress: held, or unprobeable and younger than
// `stale_after` (strict: at exactly stale_after the lock is stale).
[[nodiscard]] constexpr bool deploy_lock_in_effect(const host_facts& h, timestamp now,
                                                   duration stale_after) noexcept {
    if (h.deploy_lock_present) return true;
    if (!h.deploy_lock_unprobeable) return false;
    return !h.deploy_lock_created_at || now - *h.deploy_lock_created_at < stale_after;
}

// Everything decide() may look at, captured by the host at one instant. Two sources of truth
// side by side: the database rows (jobs, starts) and the runtime (locks, processes, running set).
struct snapshot {
    timestamp now{};
    std::vector<job> jobs;
    std::vector<job_id> locks; // per-job locks currently held
    std::vector<process_fact> processes;
    std::vector<job_id> running_set; // the worker's in-memory view of what it runs
    host_facts host;
    std::vector<start_record> starts; // persisted start history (B12: never an in-memory count)
    std::vector<recovery_record> recoveries; // persisted recovery history, likewise
    friend bool operator==(const snapshot&, const snapshot&) = default;
};

} // namespace v0
} // namespace warden
