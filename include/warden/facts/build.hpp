#pragma once
#include <warden/core/config.hpp>
#include <warden/core/job_status.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/core/validate.hpp>
#include <warden/detail/dir_index.hpp>
#include <warden/detail/id_index.hpp>
#include <warden/detail/reason.hpp>
#include <warden/facts/concurrency.hpp>
#include <warden/facts/context.hpp>
#include <warden/facts/liveness.hpp>
#include <warden/facts/progress.hpp>
#include <warden/facts/progress_circuit.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace warden {
inline namespace v0 {

// Everything one tick knows about its snapshot before any rule runs: one value, built in one
// pass over each side table, that the rules and rails only read.
struct tick_facts {
    std::vector<job_facts> jobs; // one per snapshot.jobs row, in the same order
    // Links each process to the next one in the same output_dir; empty without processes.
    std::vector<std::uint32_t> next_process;
    guard_evidence guard; // the running jobs that progressed within config.guard_window
    // Per-job validation errors and dangling references, in the order found.
    std::vector<validation_error> errors;
    // For plan_summary: rows by status as read, and history records in the last 24 h.
    std::array<std::int64_t, job_status_count> by_status{};
    std::int64_t starts_last_24h = 0;
    std::int64_t recoveries_last_24h = 0;
    // Issue #21 item 2: jobs running now per concurrency limit; empty without limits.
    running_groups groups;

    // The view rules and rails get. It refers to `s`, `c` and these facts: all must outlive it.
    [[nodiscard]] decision_context context(const snapshot& s, const config& c) const noexcept {
        return {s, c, jobs, next_process, guard, nullptr, &groups};
    }
};

namespace detail {

// Issue #16, item 9: whether the processes chained from `first` (one output_dir's, see
// detail/dir_index.hpp) form one tree by ppid: exactly one of them has no parent among them,
// and every other reaches that root through parents among them (a ppid cycle is no tree).
// Production's watchdog reads ancestry the same way (`_pid_has_ancestor`, ps pid/ppid).
[[nodiscard]] inline bool one_process_tree(const std::vector<process_fact>& processes,
                                           const std::vector<std::uint32_t>& next,
                                           std::uint32_t first) {
    // Members sorted by pid, so a parent is a binary search: a host may list thousands of
    // processes on one dir, and this runs once per claiming job.
    std::vector<std::pair<std::int64_t, std::uint32_t>> by_pid;
    for (std::uint32_t k = first; k < processes.size(); k = next[k])
        by_pid.emplace_back(processes[k].pid, static_cast<std::uint32_t>(by_pid.size()));
    const std::size_t m = by_pid.size();
    std::vector<std::uint32_t> order(m); // member number -> index into processes
    {
        std::uint32_t at = 0;
        for (std::uint32_t k = first; k < processes.size(); k = next[k])
            order[at++] = k;
    }
    std::sort(by_pid.begin(), by_pid.end());
    constexpr std::uint32_t none = 0xffffffffu;
    std::vector<std::uint32_t> parent(m, none);
    std::size_t roots = 0;
    for (std::size_t x = 0; x < m; ++x) {
        const auto& ppid = processes[order[x]].ppid;
        if (ppid) {
            const auto it = std::lower_bound(by_pid.begin(), by_pid.end(),
                                             std::pair<std::int64_t, std::uint32_t>{*ppid, 0});
            if (it != by_pid.end() && it->first == *ppid && it->second != x) parent[x] = it->second;
        }
        if (parent[x] == none && ++roots > 1) return false; // two attempts, or an unknown parent
    }
    if (roots != 1) return false; // every one has a parent among them: a cycle
    // Every member reaches the root: walk up until a member already known to, marking the path.
    enum : std::uint8_t { unknown, on_path, reaches_root };
    std::vector<std::uint8_t> state(m, unknown);
    std::vector<std::uint32_t> path;
    for (std::uint32_t x = 0; x < m; ++x) {
        path.clear();
        std::uint32_t at = x;
        while (state[at] == unknown && parent[at] != none) {
            state[at] = on_path;
            path.push_back(at);
            at = parent[at];
        }
        if (state[at] == on_path) return false; // a ppid cycle
        for (const std::uint32_t p : path)
            state[p] = reaches_root;
        state[at] = reaches_root; // the root, or a member already known to reach it
    }
    return true;
}

// The row errors in row order, each row's duplicate-id error after its other errors: `errors`
// holds validate_job's, `first_error_of_row` where each erroneous row's begin (rows ascending),
// and `duplicates` the duplicate-id errors of `duplicate_rows` (ascending).
[[nodiscard]] inline std::vector<validation_error>
merge_by_row(std::vector<validation_error> errors,
             const std::vector<std::pair<std::uint32_t, std::size_t>>& first_error_of_row,
             std::vector<validation_error> duplicates,
             const std::vector<std::uint32_t>& duplicate_rows) {
    std::vector<validation_error> merged;
    merged.reserve(errors.size() + duplicates.size());
    std::size_t next_error = 0; // into errors
    std::size_t next_row = 0;   // into first_error_of_row
    for (std::size_t d = 0; d < duplicates.size(); ++d) {
        // Every error of the rows up to and including the duplicate's own goes first.
        while (next_row < first_error_of_row.size() &&
               first_error_of_row[next_row].first <= duplicate_rows[d])
            ++next_row;
        const std::size_t end = next_row < first_error_of_row.size()
                                    ? first_error_of_row[next_row].second
                                    : errors.size();
        for (; next_error < end; ++next_error)
            merged.push_back(std::move(errors[next_error]));
        merged.push_back(std::move(duplicates[d]));
    }
    for (; next_error < errors.size(); ++next_error)
        merged.push_back(std::move(errors[next_error]));
    return merged;
}

// Marks a referenced job invalid, or reports the dangling reference. A dangling lock or start
// record is reported but does not stop the tick: there is no row it could corrupt.
// The field is named lazily: formatting it for every reference would cost more than the lookup.
inline std::uint32_t resolve_reference(const id_index& ids, job_id id, std::string_view table,
                                       std::size_t k, std::string_view member,
                                       std::vector<validation_error>& errors) {
    const std::uint32_t at = ids.find(id);
    if (at == id_index::npos)
        errors.push_back(validation_error{id, detail::reason(table, "[", k, "]", member),
                                          "no job with this id"});
    return at;
}

// Start and recovery history alike: each record names a job and a time; those in the last 24 h
// (now - 24 h < at <= now) count for their job and in `total`. A record after now is a clock
// going backwards and invalidates its job.
template <class Record>
void count_history(const snapshot& s, const id_index& ids, const std::vector<Record>& history,
                   std::string_view table, tick_facts& t, std::int32_t job_facts::*per_job,
                   std::int64_t& total) {
    const timestamp window_start = s.now - one_day;
    for (std::size_t k = 0; k < history.size(); ++k) {
        const Record& r = history[k];
        const auto at = detail::resolve_reference(ids, r.job, table, k, ".job_id", t.errors);
        if (at == id_index::npos) continue;
        WARDEN_ASSERT(at < t.jobs.size(), "id index points past the jobs");
        if constexpr (requires { r.crawled_pages; }) {
            if (r.crawled_pages && *r.crawled_pages < 0) {
                t.jobs[at].valid = false;
                t.errors.push_back(
                    validation_error{r.job, detail::reason(table, "[", k, "].crawled_pages"),
                                     "must not be negative"});
            }
            // Issue #21 item 3: retry backoff waits from a job's newest recovery.
            auto& last = t.jobs[at].last_recovery_at;
            if (r.at <= s.now && (!last || r.at > *last)) last = r.at;
        }
        if (r.at > s.now || r.at < earliest_time) {
            t.jobs[at].valid = false;
            t.errors.push_back(validation_error{r.job, detail::reason(table, "[", k, "].at"),
                                                r.at > s.now ? "after now: the clock went backwards"
                                                             : "before the year 0001"});
        } else if (r.at > window_start) {
            ++(t.jobs[at].*per_job);
            ++total;
        }
    }
}

} // namespace detail

// One pass over each side table, joining it to the jobs by id or by output_dir. Per-job checks
// run here too, so an invalid job is known before any rule looks at it. Host-wide checks
// (config, host facts) are validate()'s and validate_host()'s, and must pass first: an
// unvalidated `now` could overflow the age arithmetic.
[[nodiscard]] inline tick_facts build_facts(const snapshot& s, const config& c) {
    const std::size_t n = s.jobs.size();
    tick_facts t;
    t.jobs.resize(n);
    std::vector<job_facts>& facts = t.jobs;
    guard_evidence& guard = t.guard;
    // Built before the rows are read, so the one pass over them (issue #22: each pass over a
    // million rows is a million cache misses) also joins each row to its processes.
    std::optional<detail::dir_index> dirs;
    if (!s.processes.empty()) dirs.emplace(s.processes);
    struct claim {
        std::uint32_t row;
        detail::dir_index::entry* dir;
    };
    std::vector<claim> claims; // the rows some process runs in: few
    claims.reserve(s.processes.size());
    std::vector<std::uint32_t> running; // the rows whose status is running, for the guard
    running.reserve(n);
    // The ids in row order, and their range: the id index is built from this compact copy after
    // the pass, once its range says which kind of table fits (detail/id_index.hpp).
    std::vector<job_id> row_ids(n);
    std::int64_t lowest_id = std::numeric_limits<std::int64_t>::max();
    std::int64_t highest_id = std::numeric_limits<std::int64_t>::min();
    // The first error of each row validate_job reports on, so that duplicate-id errors, found
    // after the pass, still follow their row's other errors as they did when found in it.
    std::vector<std::pair<std::uint32_t, std::size_t>> first_error_of_row;
    for (std::size_t i = 0; i < n; ++i) {
        const job& j = s.jobs[i];
        if (!plausible_job(s, j)) {
            const std::size_t before = t.errors.size();
            validate_job(s, i, t.errors);
            if (t.errors.size() != before) {
                facts[i].valid = false;
                first_error_of_row.emplace_back(static_cast<std::uint32_t>(i), before);
            }
        }
        if (is_known(j.status)) ++t.by_status[static_cast<std::size_t>(j.status)];
        if (j.status == job_status::running) running.push_back(static_cast<std::uint32_t>(i));
        row_ids[i] = j.id;
        lowest_id = std::min(lowest_id, to_int(j.id));
        highest_id = std::max(highest_id, to_int(j.id));
        if (!dirs) continue;
        detail::dir_index::entry* e = dirs->find(j.output_dir);
        if (!e) continue;
        ++e->claims;
        facts[i].process_count = e->processes;
        facts[i].first_pid = s.processes[e->first_process].pid;
        facts[i].first_process = e->first_process;
        claims.push_back({static_cast<std::uint32_t>(i), e});
    }

    detail::id_index ids(n, lowest_id, highest_id);
    std::vector<validation_error> duplicates; // rare: bad input
    std::vector<std::uint32_t> duplicate_rows;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t first = ids.insert(row_ids[i], static_cast<std::uint32_t>(i));
        if (first == detail::id_index::npos) continue;
        // Which row is real cannot be known: neither is written.
        WARDEN_ASSERT(first < i, "id index returned a later row as the first");
        facts[i].valid = false;
        facts[first].valid = false;
        duplicates.push_back(validation_error{row_ids[i], detail::reason("jobs[", i, "].id"),
                                              detail::reason("duplicate of jobs[", first, "].id")});
        duplicate_rows.push_back(static_cast<std::uint32_t>(i));
    }
    if (!duplicates.empty())
        t.errors = detail::merge_by_row(std::move(t.errors), first_error_of_row,
                                        std::move(duplicates), duplicate_rows);

    if (dirs) {
        for (const claim& k : claims)
            if (k.dir->claims > 1) facts[k.row].shared_output_dir = true;
        t.next_process = dirs->release_next_process();
        if (c.guards.process_tree_is_one_attempt)
            for (const claim& k : claims)
                if (facts[k.row].process_count > 1)
                    facts[k.row].one_process_tree = detail::one_process_tree(
                        s.processes, t.next_process, facts[k.row].first_process);
    }

    for (std::size_t k = 0; k < s.locks.size(); ++k) {
        const auto at = detail::resolve_reference(ids, s.locks[k], "locks", k, ".job_id", t.errors);
        if (at == detail::id_index::npos) continue;
        WARDEN_ASSERT(at < n, "id index points past the jobs");
        facts[at].lock_held = true;
    }
    // A lock whose probe failed is held (issue #19), so reconcile, runner detection and the
    // orphan sweep all see what they see for a held lock.
    for (std::size_t k = 0; k < s.unprobeable_locks.size(); ++k) {
        const auto at = detail::resolve_reference(ids, s.unprobeable_locks[k].job,
                                                  "unprobeable_locks", k, ".job_id", t.errors);
        if (at == detail::id_index::npos) continue;
        WARDEN_ASSERT(at < n, "id index points past the jobs");
        facts[at].lock_held = true;
        facts[at].lock_unprobeable = true;
    }
    for (std::size_t k = 0; k < s.running_set.size(); ++k) {
        const auto at =
            detail::resolve_reference(ids, s.running_set[k], "running_set", k, "", t.errors);
        if (at == detail::id_index::npos) continue;
        WARDEN_ASSERT(at < n, "id index points past the jobs");
        facts[at].in_running_set = true;
    }
    // After the side tables: only a live job guards (issue #16, item 2), so a job the orphan
    // sweep fails is never the healthy crawl. A stalled job is no healthy job either, whatever
    // the guard window: with stall_after shorter than it, stalled jobs would otherwise guard each
    // other from every full recovery.
    for (const std::uint32_t i : running) {
        const job& j = s.jobs[i];
        if (!facts[i].valid) continue;
        if (c.guards.progress_is_alive && !alive(c, j, facts[i], s.now)) continue;
        const auto age = progress_age(j, s.now);
        if (age && *age < std::min(c.guard_window, c.stall_after)) {
            if (!guard.active() || *age < guard.freshest_age) {
                guard.freshest = j.id;
                guard.freshest_age = *age;
            }
            ++guard.progressing;
        }
    }
    detail::count_history(s, ids, s.starts, "starts", t, &job_facts::starts_last_24h,
                          t.starts_last_24h);
    detail::count_history(s, ids, s.recoveries, "recoveries", t, &job_facts::recoveries_last_24h,
                          t.recoveries_last_24h);
    // After the history is validated: a job a bad record invalidated is not judged.
    detail::judge_progress_circuits(s, c, ids, facts);
    t.groups = count_running_groups(s, c, [&](std::size_t i) { return facts[i].lock_held; });
    return t;
}

} // namespace v0
} // namespace warden
