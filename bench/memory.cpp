// Peak RSS of deciding N jobs, against the size of the snapshot itself. Prints one JSON object.
// The kernel's high-water mark (VmHWM) is reset after the snapshot is built (clear_refs 5), so
// the peak seen afterwards is the snapshot plus whatever decide() needed on top of it.
//   warden_bench_memory [N=1000000] [REPEATS=0]
// With REPEATS > 0 it also times decide and the plain scan (bench/scan.hpp) REPEATS times each,
// alternating, in this process's CPU time, and prints their medians per job: bench/run --huge uses
// this for 1e7 jobs, where one snapshot (~5.6 GiB) is all a process should hold.
#include <warden/core/validate.hpp>
#include <warden/warden.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <time.h>
#include <unordered_map>
#include <vector>

#include "generator.hpp"
#include "scan.hpp"

namespace {

std::int64_t status_kib(const char* key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::string prefix = std::string{key} + ":";
    while (std::getline(in, line))
        if (line.rfind(prefix, 0) == 0)
            return std::strtoll(line.c_str() + prefix.size(), nullptr, 10);
    return -1;
}

std::size_t heap(const std::string& s) {
    return s.capacity() > 15 ? s.capacity() + 1 : 0;
}

// Bytes the snapshot owns: its vectors' buffers and every heap-allocated string.
std::size_t deep_size(const warden::snapshot& s) {
    std::size_t bytes = sizeof s + s.jobs.capacity() * sizeof(warden::job) +
                        s.locks.capacity() * sizeof(warden::job_id) +
                        s.running_set.capacity() * sizeof(warden::job_id) +
                        s.processes.capacity() * sizeof(warden::process_fact) +
                        s.starts.capacity() * sizeof(warden::start_record);
    for (const auto& j : s.jobs) {
        bytes += heap(j.name) + heap(j.source) + heap(j.output_dir) + heap(j.last_error);
        if (j.last_stage) bytes += heap(*j.last_stage);
    }
    for (const auto& p : s.processes)
        bytes += heap(p.output_dir) + heap(p.cmdline);
    return bytes;
}

// The generator gives job i's process pid 10000 + i. Past 4,184,303 jobs that is above Linux's
// pid_max (2^22 - 1), which validate() rejects as a broken probe, a host-wide error: decide()
// would then decide nothing. No host has more pids than that, so at such N the processes are
// renumbered 10000 + their index (distinct, a parent link kept); below it nothing changes, so the
// snapshot is warden_bench's. Returns whether it renumbered.
bool keep_pids_valid(warden::snapshot& s) {
    bool over = false;
    for (const auto& p : s.processes)
        over = over || p.pid > warden::max_pid || (p.ppid && *p.ppid > warden::max_pid);
    if (!over) return false;
    std::unordered_map<std::int64_t, std::int64_t> renamed;
    renamed.reserve(s.processes.size());
    for (std::size_t k = 0; k < s.processes.size(); ++k)
        renamed.emplace(s.processes[k].pid, 10000 + static_cast<std::int64_t>(k));
    for (auto& p : s.processes) {
        p.pid = renamed.at(p.pid);
        if (p.ppid)
            if (const auto it = renamed.find(*p.ppid); it != renamed.end()) p.ppid = it->second;
    }
    return true;
}

double cpu_ns() {
    timespec t{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

} // namespace

int main(int argc, char** argv) {
    const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 0;
    const std::int64_t rss_start = status_kib("VmRSS");
    auto g = warden_bench::make_snapshot(n, 20260203);
    const bool renumbered = keep_pids_valid(g.snapshot);
    const std::int64_t rss_snapshot = status_kib("VmRSS");
    bool reset = false;
    {
        std::ofstream clear("/proc/self/clear_refs");
        reset = static_cast<bool>(clear << "5");
    }
    const std::int64_t hwm_before = status_kib("VmHWM");
    const warden::plan p = warden::decide(g.snapshot, g.config);
    const std::int64_t hwm_after = status_kib("VmHWM");
    // A host-wide error means decide() decided nothing: its figures would time an early return.
    std::size_t host_wide_errors = 0;
    for (const auto& e : p.errors)
        host_wide_errors += e.job ? 0 : 1;

    std::vector<double> decide_ns;
    std::vector<double> scan_ns;
    std::uint64_t sink = 0;
    for (int r = 0; r < repeats; ++r) {
        double t0 = cpu_ns();
        {
            // The plan's destruction is timed too, as throughput.cpp's bm_decide times it.
            const warden::plan again = warden::decide(g.snapshot, g.config);
            sink += again.actions.size();
        }
        decide_ns.push_back((cpu_ns() - t0) / static_cast<double>(n));
        t0 = cpu_ns();
        sink += warden_bench::scan(g.snapshot);
        scan_ns.push_back((cpu_ns() - t0) / static_cast<double>(n));
    }
    const auto med = [](std::vector<double> v) {
        return v.empty() ? 0.0 : warden_bench::median(std::move(v));
    };
    fmt::print("{{\"jobs\": {}, \"snapshot_bytes\": {}, \"rss_start_kib\": {}, "
               "\"rss_after_snapshot_kib\": {}, \"hwm_before_decide_kib\": {}, "
               "\"peak_rss_kib\": {}, \"hwm_reset\": {}, \"actions\": {}, \"errors\": {}, "
               "\"host_wide_errors\": {}, \"pids_renumbered\": {}, \"repeats\": {}, "
               "\"decide_ns_per_job\": {:.2f}, \"scan_ns_per_job\": {:.2f}, \"sink\": {}}}\n",
               n, deep_size(g.snapshot), rss_start, rss_snapshot, hwm_before, hwm_after,
               reset ? "true" : "false", p.actions.size(), p.errors.size(), host_wide_errors,
               renumbered ? "true" : "false", repeats, med(decide_ns), med(scan_ns), sink % 10);
    return host_wide_errors == 0 ? 0 : 1;
}
