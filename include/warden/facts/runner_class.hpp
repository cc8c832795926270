#pragma once
#include <warden/core/actions.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/detail/assert.hpp>
#include <warden/facts/context.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

namespace warden {
inline namespace v0 {

// Calls `f(process)` for every live process whose output_dir is the job's, in snapshot order.
// Follows the per-dir chain built once per tick; a scan per job would make decide() quadratic.
template <class F>
void for_each_process(const decision_context& ctx, const subject& subj, F f) {
    const auto& processes = ctx.snapshot.processes;
    if (subj.row.output_dir.empty() || subj.facts.process_count == 0) return;
    if (ctx.next_process.size() != processes.size()) { // no chain: search
        for (const auto& p : processes)
            if (p.output_dir == subj.row.output_dir) f(p);
        return;
    }
    WARDEN_ASSERT(subj.facts.first_process < processes.size(),
                  "a job with processes has no first process");
    for (std::uint32_t i = subj.facts.first_process; i < processes.size(); i = ctx.next_process[i])
        f(processes[i]);
}

// Every live process whose output_dir is the job's, in snapshot order: what a stop_job names.
[[nodiscard]] inline std::vector<std::int64_t> attributable_pids(const decision_context& ctx,
                                                                 const subject& subj) {
    std::vector<std::int64_t> pids;
    pids.reserve(subj.facts.process_count);
    for_each_process(ctx, subj, [&](const process_fact& p) { pids.push_back(p.pid); });
    return pids;
}

struct job_runner {
    runner_class runner = runner_class::none;
    std::string_view unit; // the systemd unit's name, for runner systemd_unit
};

// What runs this job (issue #8). A process warden cannot attribute to the worker or a unit makes
// the runner unknown, whatever else runs: stopping the others would leave it running. A held lock
// is never `none` (the production watchdog once soft-recovered a job under a live worker because
// it looked at processes only): the worker's while the worker lives, else unknown.
[[nodiscard]] inline job_runner classify_runner(const decision_context& ctx, const subject& s) {
    const host_facts& host = ctx.snapshot.host;
    if (!host.process_list_readable) return {runner_class::unknown, {}};
    bool worker = false;
    bool other = false;
    const process_fact* unit = nullptr;
    for_each_process(ctx, s, [&](const process_fact& p) {
        switch (p.origin) {
        case process_origin::worker: worker = true; break;
        case process_origin::systemd_unit:
            if (!unit) unit = &p;
            break;
        case process_origin::other: other = true; break;
        }
    });
    if (other) return {runner_class::unknown, {}};
    if (unit) return {runner_class::systemd_unit, unit->unit};
    if (worker) return {runner_class::worker, {}};
    if (s.facts.lock_held)
        return {host.worker_alive ? runner_class::worker : runner_class::unknown, {}};
    // A dead worker's running set is stale memory, not a runner.
    if (s.facts.in_running_set && host.worker_alive) return {runner_class::worker, {}};
    return {runner_class::none, {}};
}

} // namespace v0
} // namespace warden
