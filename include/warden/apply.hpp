#pragma once
#include <warden/core/actions.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace warden {
inline namespace v0 {

enum class apply_outcome : std::uint8_t {
    applied,
    conflict, // 0 rows matched: the row moved since the snapshot; nothing was written (B7)
    // An earlier write to the same job in this plan conflicted: the version this action expects
    // was predicted from that write, not observed, so it authorises nothing (issue #15). A
    // stop_job after its job's conflicting status write is not carried out either.
    not_reached,
};

struct apply_report {
    std::vector<apply_outcome> outcomes; // one per plan action, in order
    std::int64_t applied = 0;
    std::int64_t conflicts = 0;
    std::int64_t not_reached = 0;
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
    // expectations of several writes to one job in one plan (the applier stops a chain at its
    // first conflict). A row whose version cannot be bumped cannot take the write.
    job* claim(job_id id, job_status expected_status, std::int64_t expected_version) const {
        job* j = find(id);
        if (!j || j->status != expected_status || j->version != expected_version ||
            j->version == std::numeric_limits<std::int64_t>::max())
            return nullptr;
        ++j->version;
        return j;
    }

    bool operator()(const set_status& a) const {
        job* j = claim(a.job, a.expected_status, a.expected_version);
        if (!j) return false;
        j->status = a.status;
        if (a.failure) j->failure = *a.failure;
        if (a.clears_finished_at) j->finished_at.reset(); // issue #16, item 1
        if (is_terminal(a.status) && !j->finished_at) j->finished_at = s.now;
        if (a.status == job_status::completed && !j->completed_at) j->completed_at = s.now;
        // A recovery counts once its status write lands, in the same transaction, as a start. It
        // keeps the job's crawled_pages as decided (issue #17, the progress circuit breaker).
        if (a.rule == rule_id::stall_recovery)
            s.recoveries.push_back(recovery_record{a.job, s.now, a.crawled_pages});
        return true;
    }
    bool operator()(const start_job& a) const {
        // A retry the counter cannot count is refused before the claim, the row left as it is
        // (the SQLite column's CHECK refuses it too).
        if (const job* r = find(a.job); r && r->status == job_status::retryable &&
                                        r->retry_count == std::numeric_limits<std::int32_t>::max())
            return false;
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
        std::erase_if(s.unprobeable_locks,
                      [&](const unprobeable_lock& l) { return l.job == a.job; });
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
// lock. A write that would overflow a counter (version, retry_count) is a conflict. Once an
// action on a job conflicts, every later action on that job is not_reached: a chained write's
// expected version was predicted from the write that failed, and a stop after a status write
// that did not land would end a crawl the row may say is live.
inline apply_report apply_to_snapshot(snapshot& s, const plan& p) {
    apply_report report;
    report.outcomes.reserve(p.actions.size());
    const detail::snapshot_applier applier{s};
    std::vector<job_id> conflicted;
    for (const action& a : p.actions) {
        const job_id id = action_job(a);
        if (std::find(conflicted.begin(), conflicted.end(), id) != conflicted.end()) {
            report.outcomes.push_back(apply_outcome::not_reached);
            ++report.not_reached;
            continue;
        }
        const bool ok = std::visit(applier, a);
        report.outcomes.push_back(ok ? apply_outcome::applied : apply_outcome::conflict);
        ++(ok ? report.applied : report.conflicts);
        if (!ok) conflicted.push_back(id);
    }
    return report;
}

} // namespace v0
} // namespace warden
