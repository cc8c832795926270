#pragma once
#include <warden/core/ids.hpp>
#include <warden/core/job.hpp>
#include <warden/core/time.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace warden {
inline namespace v0 {

// A live OS process. Attribution to a job is by output_dir, which the host extracts from the
// command line: matching free text against every job would be quadratic and ambiguous.
struct process_fact {
    std::int64_t pid = 0;
    std::string output_dir;
    std::string cmdline;
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
    bool deploy_lock_present = false;
    double disk_used_percent = 0.0;
    friend bool operator==(const host_facts&, const host_facts&) = default;
};

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
