// Peak RSS of deciding N jobs, against the size of the snapshot itself. Prints one JSON object.
// The kernel's high-water mark (VmHWM) is reset after the snapshot is built (clear_refs 5), so
// the peak seen afterwards is the snapshot plus whatever decide() needed on top of it.
#include <warden/warden.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "generator.hpp"

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

} // namespace

int main(int argc, char** argv) {
    const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
    const std::int64_t rss_start = status_kib("VmRSS");
    const auto g = warden_bench::make_snapshot(n, 20260203);
    const std::int64_t rss_snapshot = status_kib("VmRSS");
    bool reset = false;
    {
        std::ofstream clear("/proc/self/clear_refs");
        reset = static_cast<bool>(clear << "5");
    }
    const std::int64_t hwm_before = status_kib("VmHWM");
    const warden::plan p = warden::decide(g.snapshot, g.config);
    const std::int64_t hwm_after = status_kib("VmHWM");
    fmt::print("{{\"jobs\": {}, \"snapshot_bytes\": {}, \"rss_start_kib\": {}, "
               "\"rss_after_snapshot_kib\": {}, \"hwm_before_decide_kib\": {}, "
               "\"peak_rss_kib\": {}, \"hwm_reset\": {}, \"actions\": {}}}\n",
               n, deep_size(g.snapshot), rss_start, rss_snapshot, hwm_before, hwm_after,
               reset ? "true" : "false", p.actions.size());
    return 0;
}
