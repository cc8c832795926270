#pragma once
#include <warden/core/actions.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace warden {
inline namespace v0 {

enum class apply_outcome : std::uint8_t {
    applied,
    conflict, // 0 rows matched: the row moved since the snapshot; nothing was written (B7)
};

struct apply_report {
    std::vector<apply_outcome> outcomes; // one per plan action, in order
    std::int64_t applied = 0;
    std::int64_t conflicts = 0;
};

namespace detail {

struct snapshot_applier {
    snapshot& s;

    job* find(job_id id) const {
        for (auto& j : s.jobs)
            if (j.id == id) return &j;
        return nullptr;
    }
    // The compare-and-set every row write goes through; the version bump is what chains the
    // expectations of several writes to one job in one plan.
    job* claim(job_id id, job_status expected_status, std::int64_t expected_version) const {
        job* j = find(id);
        if (!j || j->status != expected_status || j->version != expected_version) return nullptr;
        ++j->version;
        return j;
    }

    bool operator()(const set_status& a) const {
        job* j = claim(a.job, a.expected_status, a.expected_version);
        if (!j) return false;
        j->status = a.status;
        if (a.failure) j->failure = *a.failure;
        if (is_terminal(a.status) && !j->finished_at) j->finished_at = s.now;
        if (a.status == job_status::completed && !j->completed_at) j->completed_at = s.now;
        // A recovery counts once its status write lands, in the same transaction, as a start.
        if (a.rule == rule_id::stall_recovery)
            s.recoveries.push_back(recovery_record{a.job, s.now});
        return true;
    }
    bool operator()(const start_job& a) const {
        job* j = claim(a.job, a.expected_status, a.expected_version);
        if (!j) return false;
        if (j->status == job_status::retryable) ++j->retry_count;
        j->status = job_status::running;
        j->options = a.options;
        j->started_at = s.now;
        j->finished_at.reset();
        s.starts.push_back(start_record{a.job, s.now}); // same transaction as the status write
        return true;
    }
    bool operator()(const backfill_campaign& a) const {
        job* j = claim(a.job, a.expected_status, a.expected_version);
        if (!j) return false;
        j->kind = a.kind;
        j->campaign_year = a.year;
        return true;
    }
    bool operator()(const set_tool_options& a) const {
        job* j = claim(a.job, a.expected_status, a.expected_version);
        if (!j) return false;
        j->options = a.after;
        return true;
    }
    bool operator()(const stop_job& a) const {
        const job* j = find(a.job);
        std::erase_if(s.processes, [&](const process_fact& p) {
            return std::find(a.pids.begin(), a.pids.end(), p.pid) != a.pids.end() ||
                   (j && !j->output_dir.empty() && p.output_dir == j->output_dir);
        });
        std::erase(s.locks, a.job);
        std::erase(s.running_set, a.job);
        return true;
    }
};

} // namespace detail

// The reference semantics of a plan, applied to an in-memory snapshot: what a host's applier
// (the SQLite adapter, the simulator's database) must do. Row writes are compare-and-set on
// (status, version) and bump the version by one; a mismatch is a conflict and writes nothing;
// a start appends to the start history, and a stall recovery's status write to the recovery
// history (the daily recovery cap counts it); stop_job ends the job's processes and releases its
// lock.
inline apply_report apply_to_snapshot(snapshot& s, const plan& p) {
    apply_report report;
    const detail::snapshot_applier applier{s};
    for (const action& a : p.actions) {
        const bool ok = std::visit(applier, a);
        report.outcomes.push_back(ok ? apply_outcome::applied : apply_outcome::conflict);
        ++(ok ? report.applied : report.conflicts);
    }
    return report;
}

} // namespace v0
} // namespace warden
