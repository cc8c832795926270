#pragma once
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/core/validate.hpp>
#include <warden/detail/id_index.hpp>
#include <warden/rails/context.hpp>

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace warden {
inline namespace v0 {
namespace detail {

// Marks a referenced job invalid, or reports the dangling reference. A dangling lock or start
// record is reported but does not stop the tick: there is no row it could corrupt.
inline std::uint32_t resolve_reference(const id_index& ids, job_id id, std::string field,
                                       std::vector<validation_error>& errors) {
    const std::uint32_t at = ids.find(id);
    if (at == id_index::npos)
        errors.push_back(validation_error{id, std::move(field), "no job with this id"});
    return at;
}

// One pass over each side table, joining it to the jobs by id or by output_dir. Per-job checks
// run here too, so an invalid job is known before any rule looks at it.
inline std::vector<job_facts> build_facts(const snapshot& s, std::vector<validation_error>& errors,
                                          plan_summary& summary) {
    const std::size_t n = s.jobs.size();
    std::vector<job_facts> facts(n);
    id_index ids(n);
    for (std::size_t i = 0; i < n; ++i) {
        const job& j = s.jobs[i];
        const std::size_t before = errors.size();
        validate_job(s, i, errors);
        if (errors.size() != before) facts[i].valid = false;
        if (is_known(j.status)) ++summary.by_status[static_cast<std::size_t>(j.status)];
        const std::uint32_t first = ids.insert(j.id, static_cast<std::uint32_t>(i));
        if (first != id_index::npos) {
            // Which row is real cannot be known: neither is written.
            facts[i].valid = false;
            facts[first].valid = false;
            errors.push_back(validation_error{j.id, fmt::format("jobs[{}].id", i),
                                              fmt::format("duplicate of jobs[{}].id", first)});
        }
    }

    if (!s.processes.empty()) {
        struct dir_entry {
            std::uint32_t processes = 0;
            std::int64_t first_pid = 0;
            std::uint32_t claims = 0;
        };
        std::unordered_map<std::string_view, dir_entry> dirs;
        dirs.reserve(s.processes.size());
        for (const auto& p : s.processes) {
            if (p.output_dir.empty()) continue;
            dir_entry& e = dirs[p.output_dir];
            if (e.processes++ == 0) e.first_pid = p.pid;
        }
        std::vector<const dir_entry*> claimed(n, nullptr);
        for (std::size_t i = 0; i < n; ++i) {
            if (s.jobs[i].output_dir.empty()) continue;
            const auto it = dirs.find(s.jobs[i].output_dir);
            if (it == dirs.end()) continue;
            ++it->second.claims;
            facts[i].process_count = it->second.processes;
            facts[i].first_pid = it->second.first_pid;
            claimed[i] = &it->second;
        }
        for (std::size_t i = 0; i < n; ++i)
            if (claimed[i] && claimed[i]->claims > 1) facts[i].shared_output_dir = true;
    }

    for (std::size_t k = 0; k < s.locks.size(); ++k) {
        const auto at =
            resolve_reference(ids, s.locks[k], fmt::format("locks[{}].job_id", k), errors);
        if (at != id_index::npos) facts[at].lock_held = true;
    }
    for (std::size_t k = 0; k < s.running_set.size(); ++k) {
        const auto at =
            resolve_reference(ids, s.running_set[k], fmt::format("running_set[{}]", k), errors);
        if (at != id_index::npos) facts[at].in_running_set = true;
    }
    const timestamp window_start = s.now - one_day;
    for (std::size_t k = 0; k < s.starts.size(); ++k) {
        const start_record& r = s.starts[k];
        const auto at = resolve_reference(ids, r.job, fmt::format("starts[{}].job_id", k), errors);
        if (at == id_index::npos) continue;
        if (r.at > s.now || r.at < earliest_time) {
            facts[at].valid = false;
            errors.push_back(validation_error{r.job, fmt::format("starts[{}].at", k),
                                              r.at > s.now ? "after now: the clock went backwards"
                                                           : "before the year 0001"});
        } else if (r.at > window_start) {
            ++facts[at].starts_last_24h;
            ++summary.starts_last_24h;
        }
    }
    return facts;
}

} // namespace detail
} // namespace v0
} // namespace warden
