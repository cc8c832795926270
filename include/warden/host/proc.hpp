#pragma once
// Crawl processes from /proc (docs/host.md): each process's argv (/proc/PID/cmdline), parent
// (/proc/PID/stat) and systemd unit (/proc/PID/cgroup), then attribution: the output dir from
// the host's argv patterns, and the origin (a job unit by its cgroup, the worker by the ppid
// chain to its main pid, else other).
#include <warden/core/snapshot.hpp>
#include <warden/host/config.hpp>
#include <warden/host/detail/posix.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <dirent.h>
#include <fnmatch.h>
#include <optional>
#include <signal.h>
#include <string>
#include <string_view>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace warden {
inline namespace v0 {
namespace host {

struct os_process {
    std::int64_t pid = 0;
    std::int64_t ppid = 0;
    std::vector<std::string> argv;
    std::string unit; // the systemd unit of its cgroup ("" when none)
};

struct process_table {
    std::vector<os_process> processes; // by pid, ascending
    // False when /proc could not be listed or some process's files could not be read (EACCES,
    // EPERM): then an empty match is no evidence that nothing runs a job.
    bool readable = true;
    int error_number = 0;
};

namespace detail {

[[nodiscard]] inline std::optional<std::int64_t> parse_pid(std::string_view s) {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v <= 0) return std::nullopt;
    return v;
}

// The ppid from /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces and ')'.
[[nodiscard]] inline std::optional<std::int64_t> stat_ppid(std::string_view stat) {
    const auto close = stat.rfind(')');
    if (close == std::string_view::npos || close + 4 > stat.size()) return std::nullopt;
    std::string_view rest = stat.substr(close + 2); // "S ppid ..."
    const auto space = rest.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(space + 1);
    const auto end = rest.find(' ');
    std::int64_t v = 0;
    const auto sv = rest.substr(0, end);
    const auto [p, ec] = std::from_chars(sv.data(), sv.data() + sv.size(), v);
    if (ec != std::errc{} || p != sv.data() + sv.size() || v < 0) return std::nullopt;
    return v;
}

// The systemd unit a cgroup path lies in: its deepest component ending in .service or .scope.
[[nodiscard]] inline std::string cgroup_unit(std::string_view cgroup_file) {
    std::string_view chosen;
    std::size_t at = 0;
    while (at < cgroup_file.size()) {
        auto nl = cgroup_file.find('\n', at);
        if (nl == std::string_view::npos) nl = cgroup_file.size();
        const std::string_view line = cgroup_file.substr(at, nl - at);
        at = nl + 1;
        // "0::/path" (v2) or "1:name=systemd:/path" (v1): the systemd hierarchy names the unit.
        const auto first = line.find(':');
        const auto second = first == std::string_view::npos ? first : line.find(':', first + 1);
        if (second == std::string_view::npos) continue;
        const std::string_view controllers = line.substr(first + 1, second - first - 1);
        if (!controllers.empty() && controllers != "name=systemd") continue;
        chosen = line.substr(second + 1);
        if (controllers.empty()) break; // v2 wins
    }
    std::string_view unit;
    std::size_t from = 0;
    while (from <= chosen.size()) {
        auto slash = chosen.find('/', from);
        if (slash == std::string_view::npos) slash = chosen.size();
        const std::string_view part = chosen.substr(from, slash - from);
        if (part.ends_with(".service") || part.ends_with(".scope")) unit = part;
        from = slash + 1;
    }
    return std::string{unit};
}

[[nodiscard]] inline bool unreadable(int e) noexcept {
    return e == EACCES || e == EPERM;
}

// Whether the procfs at `mount_point` hides other users' processes from us (mounted with
// hidepid=1/2, "noaccess" or "invisible", and we are not root): then they are not even listed,
// and a list that looks complete is not. `mountinfo` is /proc/self/mountinfo's text.
[[nodiscard]] inline bool hides_processes(std::string_view mountinfo, std::string_view mount_point,
                                          bool root) {
    if (root) return false;
    std::size_t at = 0;
    while (at < mountinfo.size()) {
        auto nl = mountinfo.find('\n', at);
        if (nl == std::string_view::npos) nl = mountinfo.size();
        const std::string_view line = mountinfo.substr(at, nl - at);
        at = nl + 1;
        // "id parent major:minor root mount-point options ... - fstype source super-options"
        std::size_t field = 0, from = 0;
        std::string_view point;
        while (from < line.size() && field < 5) {
            auto sp = line.find(' ', from);
            if (sp == std::string_view::npos) sp = line.size();
            if (field == 4) point = line.substr(from, sp - from);
            ++field;
            from = sp + 1;
        }
        const auto dash = line.find(" - proc ");
        if (point != mount_point || dash == std::string_view::npos) continue;
        const std::string_view super = line.substr(dash);
        for (const std::string_view hidden :
             {"hidepid=1", "hidepid=2", "hidepid=noaccess", "hidepid=invisible"})
            if (super.find(hidden) != std::string_view::npos) return true;
    }
    return false;
}

} // namespace detail

// Lists every process under `proc_root`. `with_units`: read each cgroup file too (needed for
// job units and a worker named by its unit).
[[nodiscard]] inline process_table read_process_table(const std::string& proc_root = "/proc",
                                                      bool with_units = true) {
    process_table out;
    DIR* dir = ::opendir(proc_root.c_str());
    if (!dir) {
        out.readable = false;
        out.error_number = errno;
        return out;
    }
    const auto mountinfo = detail::read_file(proc_root + "/self/mountinfo", 1 << 20);
    if (mountinfo.error == 0 &&
        detail::hides_processes(mountinfo.text, proc_root, ::geteuid() == 0)) {
        out.readable = false;
        out.error_number = EACCES;
    }
    std::vector<std::int64_t> pids;
    while (const dirent* e = ::readdir(dir))
        if (auto pid = detail::parse_pid(e->d_name)) pids.push_back(*pid);
    ::closedir(dir);
    std::sort(pids.begin(), pids.end());
    constexpr std::size_t max_file = 1 << 20;
    for (const std::int64_t pid : pids) {
        const std::string base = proc_root + "/" + std::to_string(pid);
        const auto stat = detail::read_file(base + "/stat", 4096);
        const auto cmdline = detail::read_file(base + "/cmdline", max_file);
        for (const int err : {stat.error, cmdline.error})
            if (detail::unreadable(err)) {
                out.readable = false;
                out.error_number = err;
            }
        if (stat.error != 0 || cmdline.error != 0) continue; // exited meanwhile
        os_process p;
        p.pid = pid;
        p.ppid = detail::stat_ppid(stat.text).value_or(0);
        std::size_t at = 0;
        while (at < cmdline.text.size()) {
            auto nul = cmdline.text.find('\0', at);
            if (nul == std::string::npos) nul = cmdline.text.size();
            p.argv.emplace_back(cmdline.text, at, nul - at);
            at = nul + 1;
        }
        if (with_units) {
            const auto cgroup = detail::read_file(base + "/cgroup", 65536);
            if (detail::unreadable(cgroup.error)) {
                out.readable = false;
                out.error_number = cgroup.error;
            }
            if (cgroup.error == 0) p.unit = detail::cgroup_unit(cgroup.text);
        }
        out.processes.push_back(std::move(p));
    }
    return out;
}

// The output dir one of `patterns` finds in `argv`, trailing slashes removed; empty if none.
[[nodiscard]] inline std::string
extract_output_dir(const std::vector<std::string>& argv,
                   const std::vector<output_dir_pattern>& patterns) {
    for (const auto& pattern : patterns) {
        const auto& pa = pattern.args;
        for (std::size_t start = 0; start + pa.size() <= argv.size(); ++start) {
            std::string found;
            bool ok = true;
            for (std::size_t k = 0; k < pa.size() && ok; ++k) {
                const std::string& t = pa[k];
                const std::string& a = argv[start + k];
                const auto hole = t.find("{output_dir}");
                if (hole == std::string::npos) {
                    ok = a == t;
                    continue;
                }
                const std::string_view prefix(t.data(), hole);
                const std::string_view suffix = std::string_view(t).substr(hole + 12);
                ok = a.size() > prefix.size() + suffix.size() && a.starts_with(prefix) &&
                     a.ends_with(suffix);
                if (ok) found = a.substr(prefix.size(), a.size() - prefix.size() - suffix.size());
            }
            while (ok && found.size() > 1 && found.back() == '/')
                found.pop_back();
            if (ok && !found.empty()) return found;
        }
    }
    return {};
}

// Whether `pid`'s chain of parents reaches `ancestor` (itself included), at most 64 hops.
[[nodiscard]] inline bool
descends_from(std::int64_t pid, std::int64_t ancestor,
              const std::unordered_map<std::int64_t, std::int64_t>& parent) {
    for (int hop = 0; hop < 64 && pid > 0; ++hop) {
        if (pid == ancestor) return true;
        const auto it = parent.find(pid);
        if (it == parent.end() || it->second == pid) return false;
        pid = it->second;
    }
    return false;
}

// The main pid of the unit `unit`: its process whose parent is outside the unit (the smallest
// pid if several), as systemd's MainPID is for a simple service.
[[nodiscard]] inline std::optional<std::int64_t> unit_main_pid(const process_table& t,
                                                               std::string_view unit) {
    std::unordered_map<std::int64_t, const os_process*> by_pid;
    for (const auto& p : t.processes)
        by_pid.emplace(p.pid, &p);
    for (const auto& p : t.processes) {
        if (p.unit != unit) continue;
        const auto parent = by_pid.find(p.ppid);
        if (parent == by_pid.end() || parent->second->unit != unit) return p.pid;
    }
    return std::nullopt;
}

// The crawl processes of `t`: those whose command line passes `cmdline_contains` and names an
// output dir by a pattern, with their ppid and origin.
[[nodiscard]] inline std::vector<process_fact>
attribute_processes(const process_table& t, const process_config& c,
                    std::optional<std::int64_t> worker_main_pid) {
    std::unordered_map<std::int64_t, std::int64_t> parent;
    for (const auto& p : t.processes)
        parent.emplace(p.pid, p.ppid);
    std::vector<process_fact> out;
    for (const auto& p : t.processes) {
        std::string cmdline;
        for (const auto& a : p.argv) {
            if (!cmdline.empty()) cmdline += ' ';
            cmdline += a;
        }
        if (!c.cmdline_contains.empty() &&
            std::none_of(
                c.cmdline_contains.begin(), c.cmdline_contains.end(),
                [&](const std::string& s) { return cmdline.find(s) != std::string::npos; }))
            continue;
        std::string dir = extract_output_dir(p.argv, c.output_dir_patterns);
        if (dir.empty()) continue;
        process_fact f;
        f.pid = p.pid;
        f.ppid = p.ppid;
        f.output_dir = std::move(dir);
        f.cmdline = std::move(cmdline);
        const bool job_unit =
            !p.unit.empty() && std::any_of(c.job_unit_globs.begin(), c.job_unit_globs.end(),
                                           [&](const std::string& g) {
                                               return ::fnmatch(g.c_str(), p.unit.c_str(), 0) == 0;
                                           });
        if (job_unit) {
            f.origin = process_origin::systemd_unit;
            f.unit = p.unit;
        } else if (worker_main_pid && descends_from(p.pid, *worker_main_pid, parent)) {
            f.origin = process_origin::worker;
        } else {
            f.origin = process_origin::other;
        }
        out.push_back(std::move(f));
    }
    return out;
}

// Whether `pid` names a live process (kill(pid, 0): EPERM is alive, just not ours).
[[nodiscard]] inline bool process_alive(std::int64_t pid) {
    if (pid <= 0) return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

} // namespace host
} // namespace v0
} // namespace warden
