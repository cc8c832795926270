#pragma once
// `warden probe` as a library (docs/host.md): the runtime half of a snapshot read from a Linux
// host, driven by the host config's "probe" section. Every fact whose probe fails is reported
// as failed (an unprobeable lock, process_list_readable false, a warning), never as "fine".
#include <warden/core/job.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/core/time.hpp>
#include <warden/host/config.hpp>
#include <warden/host/detail/posix.hpp>
#include <warden/host/flock_probe.hpp>
#include <warden/host/proc.hpp>
#include <warden/host/progress_state.hpp>
#include <warden/progress.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <utility>
#include <vector>

namespace warden {
inline namespace v0 {
namespace host {

struct job_progress {
    job_id job{};
    progress_observation observation;
};

struct probe_result {
    std::vector<job_id> locks;
    std::vector<unprobeable_lock> unprobeable_locks;
    std::vector<process_fact> processes;
    host_facts host;
    std::vector<job_progress> progress;
    std::vector<std::string> warnings; // for the operator (stderr, the journal)
};

// The job's lock path: `{id}`, `{name}` and `{output_dir}` substituted; empty when the template
// names a field the job leaves empty (there is no file to probe).
[[nodiscard]] inline std::string lock_path_for(std::string_view tmpl, const job& j) {
    std::string out;
    std::size_t at = 0;
    while (at < tmpl.size()) {
        const auto open = tmpl.find('{', at);
        if (open == std::string_view::npos) {
            out.append(tmpl.substr(at));
            break;
        }
        out.append(tmpl.substr(at, open - at));
        const std::string_view rest = tmpl.substr(open);
        std::string_view value;
        std::size_t used = 0;
        std::string id;
        if (rest.starts_with("{id}")) {
            id = std::to_string(to_int(j.id));
            value = id;
            used = 4;
        } else if (rest.starts_with("{name}")) {
            value = j.name;
            used = 6;
        } else if (rest.starts_with("{output_dir}")) {
            value = j.output_dir;
            used = 12;
        } else {
            out += '{';
            at = open + 1;
            continue;
        }
        if (value.empty()) return {};
        out.append(value);
        at = open + used;
    }
    return out;
}

namespace detail {

inline void probe_job_locks(const probe_config& c, std::span<const job> jobs, probe_result& r) {
    if (c.job_lock_path.empty()) return;
    for (const job& j : jobs) {
        const std::string path = lock_path_for(c.job_lock_path, j);
        if (path.empty()) {
            r.warnings.push_back(
                fmt::format("job {}: the lock path template names an empty field, lock not probed",
                            to_int(j.id)));
            continue;
        }
        const lock_probe p = probe_lock(path);
        if (p.state == lock_state::held) r.locks.push_back(j.id);
        if (p.state == lock_state::unprobeable) {
            r.unprobeable_locks.push_back({j.id, p.error_number});
            r.warnings.push_back(fmt::format("job {}: lock {} unprobeable ({}): taken as held",
                                             to_int(j.id), path, std::strerror(p.error_number)));
        }
    }
}

inline void probe_deploy_lock(const probe_config& c, probe_result& r) {
    if (c.deploy_lock_path.empty()) return;
    struct stat st {};
    if (::stat(c.deploy_lock_path.c_str(), &st) != 0) {
        if (errno == ENOENT) return;           // no file: no deploy
        r.host.deploy_lock_unprobeable = true; // age unknown: held, any age
        r.warnings.push_back(fmt::format("deploy lock {}: {}: unprobeable", c.deploy_lock_path,
                                         std::strerror(errno)));
        return;
    }
    r.host.deploy_lock_created_at = from_epoch_seconds(static_cast<std::int64_t>(st.st_mtime));
    const lock_probe p = probe_lock(c.deploy_lock_path);
    r.host.deploy_lock_present = p.state == lock_state::held;
    if (p.state == lock_state::unprobeable) {
        r.host.deploy_lock_unprobeable = true;
        r.warnings.push_back(fmt::format("deploy lock {}: {}: unprobeable", c.deploy_lock_path,
                                         std::strerror(p.error_number)));
    }
    // Only an unprobeable lock's age matters (host_facts); a free one's mtime is history.
    if (!r.host.deploy_lock_unprobeable) r.host.deploy_lock_created_at.reset();
}

inline void probe_disk(const probe_config& c, probe_result& r) {
    if (c.disk_path.empty()) return;
    struct statvfs st {};
    if (::statvfs(c.disk_path.c_str(), &st) != 0 || st.f_blocks == 0) {
        // An unknown disk is taken as full: no start may fill it further.
        r.host.disk_used_percent = 100.0;
        r.warnings.push_back(fmt::format("disk {}: {}: taken as 100% used", c.disk_path,
                                         std::strerror(errno != 0 ? errno : EINVAL)));
        return;
    }
    const double total = static_cast<double>(st.f_blocks);
    r.host.disk_used_percent = 100.0 * (total - static_cast<double>(st.f_bavail)) / total;
}

inline void probe_sentinel(const probe_config& c, probe_result& r) {
    if (c.sentinel_path.empty()) return;
    struct stat st {};
    if (::stat(c.sentinel_path.c_str(), &st) == 0) {
        r.host.sentinel_present = true;
    } else if (errno != ENOENT) {
        // Unknown is absent: automation stays off until the operator can show the file.
        r.warnings.push_back(
            fmt::format("sentinel {}: {}: taken as absent", c.sentinel_path, std::strerror(errno)));
    }
}

// The worker's main pid, if the host config names the worker and it is found.
inline std::optional<std::int64_t> worker_main_pid(const probe_config& c, const process_table& t,
                                                   probe_result& r) {
    const worker_config& w = c.worker;
    if (!w.main_pid_file.empty()) {
        const auto text = read_file(w.main_pid_file, 64);
        if (text.error != 0) {
            if (text.error != ENOENT)
                r.warnings.push_back(fmt::format("worker pid file {}: {}", w.main_pid_file,
                                                 std::strerror(text.error)));
            return std::nullopt;
        }
        std::string_view s = text.text;
        while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
            s.remove_suffix(1);
        const auto pid = parse_pid(s);
        if (!pid)
            r.warnings.push_back(fmt::format("worker pid file {}: not a pid", w.main_pid_file));
        return pid;
    }
    if (!w.unit.empty()) return unit_main_pid(t, w.unit);
    return std::nullopt;
}

inline void probe_progress(const probe_config& c, std::span<const job> jobs, timestamp now,
                           probe_result& r) {
    const progress_config& pc = c.progress;
    if (pc.state_file.empty()) return;
    progress_tracker tracker(pc.first_seen ? progress_source_choice::first_seen
                                           : progress_source_choice::freshest);
    const auto saved = read_file(pc.state_file, std::size_t{64} << 20);
    if (saved.error == 0) {
        if (auto error = restore_progress_state(tracker, saved.text))
            r.warnings.push_back(
                fmt::format("progress state {}: {}: starting afresh", pc.state_file, *error));
    } else if (saved.error != ENOENT) {
        r.warnings.push_back(fmt::format("progress state {}: {}: starting afresh", pc.state_file,
                                         std::strerror(saved.error)));
    }
    // Tracked: running jobs, and waiting jobs whose attempt may still run (reconcile reads their
    // progress). Every other job is forgotten, so the file stays bounded.
    std::vector<job_id> keep;
    for (const job& j : jobs) {
        const bool attempt = j.started_at && !j.finished_at && is_waiting(j.status);
        if (j.status != job_status::running && !attempt) continue;
        keep.push_back(j.id);
        const auto readings = read_progress_sources(pc, j.output_dir, r.warnings);
        r.progress.push_back({j.id, tracker.observe(j.id, now, readings)});
    }
    for (const auto& m : tracker.memory())
        if (std::find(keep.begin(), keep.end(), m.job) == keep.end()) tracker.forget(m.job);
    if (!pc.save_state) return;
    if (const int e = write_file_atomically(pc.state_file, progress_state_json(tracker)))
        r.warnings.push_back(
            fmt::format("progress state {}: not written: {}", pc.state_file, std::strerror(e)));
}

} // namespace detail

// Probes the host for `jobs` at `now`. `proc_root` is /proc except in tests of odd layouts.
[[nodiscard]] inline probe_result probe(const probe_config& c, std::span<const job> jobs,
                                        timestamp now, const std::string& proc_root = "/proc") {
    probe_result r;
    detail::probe_job_locks(c, jobs, r);
    const process_table table = read_process_table(proc_root, true);
    r.host.process_list_readable = table.readable;
    if (!table.readable)
        r.warnings.push_back(fmt::format("{}: {}: process list not readable", proc_root,
                                         std::strerror(table.error_number)));
    if (c.processes.output_dir_patterns.empty()) {
        // No way to tell a crawl: an empty list would read as "nothing runs any job".
        r.host.process_list_readable = false;
        r.warnings.push_back("probe.processes.output_dir_patterns is empty: no process can be "
                             "attributed, process list reported unreadable");
    }
    const auto worker = detail::worker_main_pid(c, table, r);
    r.host.worker_alive = worker && process_alive(*worker);
    r.processes = attribute_processes(table, c.processes, worker);
    detail::probe_deploy_lock(c, r);
    detail::probe_disk(c, r);
    detail::probe_sentinel(c, r);
    detail::probe_progress(c, jobs, now, r);
    return r;
}

} // namespace host
} // namespace v0
} // namespace warden
