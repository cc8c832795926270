#pragma once
// The host's measurement of progress (issue #8, docs/rules/progress_evidence.md). decide() is pure
// and stateless: it reads `last_progress_at`, `crawled_pages` and `progress_known` from each job.
// Measuring them needs memory across ticks ("the first observation after the last change of the
// crawled-pages counter"), so it lives here, in a tracker the host owns: one per watchdog
// process, fed each tick with every progress source the host could read for each job.
#include <warden/core/ids.hpp>
#include <warden/core/job.hpp>
#include <warden/core/time.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace warden {
inline namespace v0 {

// One progress source as the host read it this tick: for a crawl, its log path, the log's
// modification time and the crawled-pages counter parsed from it. No counter: the source is
// missing or could not be parsed this tick.
struct progress_reading {
    std::string source;
    std::optional<timestamp> modified_at;
    std::optional<std::int64_t> crawled_pages;
};

// Which source a job's progress is read from.
enum class progress_source_choice : std::uint8_t {
    // The guard (the default): every tick, the freshest readable source (greatest modified_at;
    // ties: the greater source name, then the greater counter). Only a change of its counter is
    // progress: a switch of source with the same count is not (two logs of one stuck attempt,
    // both touched, must not reset the clock in turn). A restarted attempt is judged from its
    // own start anyway (decide() takes the later of last_progress_at and started_at).
    freshest,
    // The historical bug (issue #8, simulator entry B15): the source first found for the job is
    // read for ever. Once that path is gone (a restart rotated the old log away), the job has no
    // progress information, and its stall is never detected.
    first_seen,
};

// What the host writes into the job's snapshot row (see apply_to).
struct progress_observation {
    // When the tracker first observed the current (source, counter) value: the first observation
    // after the last change. Never later than the `now` it was observed at.
    std::optional<timestamp> last_progress_at;
    std::optional<std::int64_t> crawled_pages;
    // False: no readable source (or, in first_seen mode, not the one it is pinned to). Such a job
    // is neither stalled nor progressing.
    bool progress_known = false;
    std::string source; // the source used; empty when progress is not known
    // Issue #17: consecutive observations whose progress rate stayed under the tracker's
    // degraded rate (see progress_tracker::degraded_rate_pages_per_minute). 0 when not known.
    std::int32_t degraded_streak = 0;

    // Writes last_progress_at, crawled_pages, progress_known and degraded_streak into the
    // snapshot's row.
    void apply_to(job& j) const {
        j.last_progress_at = last_progress_at;
        j.crawled_pages = crawled_pages;
        j.progress_known = progress_known;
        j.degraded_streak = degraded_streak;
    }
};

// Keeps, per job, the progress value last seen and when it was first seen. One instance per
// watchdog process, owned by the host and kept across ticks; not thread-safe.
//
// Memory: one entry per job observed. Call forget() when a job finishes (completed, failed) or
// leaves the host's list, or the tracker grows with every job ever observed.
//
// Odd input never throws or crashes:
// - A counter below zero is not a page count: that reading is treated as unreadable.
// - A counter that decreases is a change (a truncated or restarted log), like one that grows.
// - Duplicate sources: the choice is by (modified_at, source, counter), so the order the host
//   lists its readings in never matters. A reading without modified_at is older than any with.
// - A clock that goes backwards: observation times never decrease (a change seen at an earlier
//   `now` is stamped with the latest `now` seen so far), and the reported last_progress_at is at
//   most `now`, so the snapshot stays valid; the age resumes once the clock passes it again.
//
// Degraded rate (issue #17): the tracker also counts, per job, a streak of consecutive
// observations whose progress rate stayed under `degraded_rate_pages_per_minute` (the config key
// of that name; default 2). The rate of an observation is the pages gained since the streak's
// anchor (the observation just before the streak began) per minute since then: an average over
// the streak, so a crawl at 1.5 pages a minute observed every minute, gaining 1 or 2 pages a
// tick, stays in its streak. An observation at or above the rate ends the streak (it becomes
// the new anchor); so does one without a readable source, or a counter that went down (a new
// log). The first observation is only an anchor. An observation that is not later than the
// previous one (observed twice in a tick, or a clock that went back) changes nothing. decide()
// reports a job whose streak reached degraded_rate_ticks.
class progress_tracker {
  public:
    explicit progress_tracker(progress_source_choice choice = progress_source_choice::freshest,
                              double degraded_rate_pages_per_minute = 2.0) noexcept
        : choice_(choice)
        , degraded_rate_(degraded_rate_pages_per_minute) {}

    [[nodiscard]] progress_source_choice choice() const noexcept { return choice_; }
    [[nodiscard]] double degraded_rate_pages_per_minute() const noexcept { return degraded_rate_; }

    // This tick's readings for `job`. The first observation of a job counts as a change, so no
    // job is stalled before it has been observed for stall_after.
    progress_observation observe(job_id job, timestamp now,
                                 std::span<const progress_reading> readings) {
        state& st = jobs_[job];
        // A second observation at the same `now` (or an earlier one) measures no rate.
        const bool advanced = !st.seen_at || now > *st.seen_at;
        if (advanced) st.seen_at = now;
        const timestamp at = *st.seen_at; // monotonic: never before an earlier observation
        const progress_reading* chosen = choose(st, readings);
        progress_observation out;
        if (!chosen) {
            if (advanced) { // a rate that cannot be measured carries no streak forward
                st.streak = 0;
                st.anchor_at.reset();
            }
            return out;
        }
        const std::int64_t pages = *chosen->crawled_pages;
        if (!st.since || st.pages != pages) {
            st.pages = pages;
            st.since = at;
        }
        st.source = chosen->source;
        if (advanced) measure_rate(st, at, pages);
        out.last_progress_at = std::min(*st.since, now);
        out.crawled_pages = pages;
        out.progress_known = true;
        out.source = st.source;
        out.degraded_streak = st.streak;
        return out;
    }

    // Observes and writes the result into the job's snapshot row.
    progress_observation observe(job& j, timestamp now,
                                 std::span<const progress_reading> readings) {
        progress_observation o = observe(j.id, now, readings);
        o.apply_to(j);
        return o;
    }

    // Drops what the tracker remembers of `job`. Observed again later, it starts afresh.
    void forget(job_id job) { jobs_.erase(job); }

    // What the tracker remembers of one job, as plain data. A host run by a timer (a fresh
    // process each tick, as the production watchdog was) must save memory() after each tick
    // and restore() it before the next, in its database or a file: a tracker that starts empty
    // every tick sees every counter for the first time, and no job is ever stalled.
    struct job_memory {
        job_id job{};
        std::optional<timestamp> seen_at; // the latest `now` observed
        std::optional<timestamp> since;   // first observation of the current counter
        std::string source;               // the source last read
        std::int64_t pages = 0;
        std::optional<std::string> pinned; // first_seen: the source first found
        // Issue #17's degraded-rate streak and its anchor (see the class comment).
        std::int32_t degraded_streak = 0;
        std::optional<timestamp> anchor_at = std::nullopt;
        std::int64_t anchor_pages = 0;
        friend bool operator==(const job_memory&, const job_memory&) = default;
    };

    // Everything remembered, ordered by job id (so a saved copy is deterministic).
    [[nodiscard]] std::vector<job_memory> memory() const {
        std::vector<job_memory> out;
        out.reserve(jobs_.size());
        for (const auto& [id, st] : jobs_)
            out.push_back({id, st.seen_at, st.since, st.source, st.pages, st.pinned, st.streak,
                           st.anchor_at, st.anchor_pages});
        std::sort(out.begin(), out.end(),
                  [](const job_memory& a, const job_memory& b) { return a.job < b.job; });
        return out;
    }

    // Replaces what the tracker remembers with a saved memory(). A later entry for the same job
    // wins; an entry whose `since` is after its `seen_at` is clamped, so a hand-edited file
    // cannot put progress in the future.
    void restore(std::span<const job_memory> saved) {
        jobs_.clear();
        for (const job_memory& m : saved) {
            state st{m.seen_at,   m.since,       m.source,
                     m.pages,     m.pinned,      std::max(0, m.degraded_streak),
                     m.anchor_at, m.anchor_pages};
            if (st.since && (!st.seen_at || *st.since > *st.seen_at)) st.seen_at = st.since;
            if (st.anchor_at && st.seen_at && *st.anchor_at > *st.seen_at)
                st.anchor_at = st.seen_at; // a hand-edited anchor cannot lie in the future
            jobs_[m.job] = std::move(st);
        }
    }

    // Jobs remembered: what forget() keeps bounded.
    [[nodiscard]] std::size_t size() const noexcept { return jobs_.size(); }

  private:
    struct state {
        std::optional<timestamp> seen_at; // the latest `now` observed
        std::optional<timestamp> since;   // first observation of (source, pages)
        std::string source;
        std::int64_t pages = 0;
        std::optional<std::string> pinned;  // first_seen: the source first found
        std::int32_t streak = 0;            // issue #17: slow observations in a row
        std::optional<timestamp> anchor_at; // the observation before the streak began
        std::int64_t anchor_pages = 0;
    };

    // Extends or ends the degraded-rate streak with an observation of `pages` at `at`.
    void measure_rate(state& st, timestamp at, std::int64_t pages) const noexcept {
        if (!st.anchor_at || pages < st.anchor_pages) { // first observation, or a new counter
            st.streak = 0;
            st.anchor_at = at;
            st.anchor_pages = pages;
            return;
        }
        const auto elapsed = at - *st.anchor_at;
        if (elapsed.count() <= 0) return; // the clock did not move: no rate to measure
        // pages gained / minutes elapsed < rate, without dividing: gained * 60 < rate * seconds.
        const double gained = static_cast<double>(pages - st.anchor_pages);
        const bool slow = gained * 60.0 < degraded_rate_ * static_cast<double>(elapsed.count());
        if (slow) {
            if (st.streak < std::numeric_limits<std::int32_t>::max()) ++st.streak;
            return;
        }
        st.streak = 0;
        st.anchor_at = at;
        st.anchor_pages = pages;
    }

    [[nodiscard]] static bool readable(const progress_reading& r) noexcept {
        return r.crawled_pages && *r.crawled_pages >= 0;
    }

    // Strict order "a is fresher than b", total on (modified_at, source, counter).
    [[nodiscard]] static bool fresher(const progress_reading& a,
                                      const progress_reading& b) noexcept {
        if (a.modified_at != b.modified_at) return a.modified_at > b.modified_at;
        if (a.source != b.source) return a.source > b.source;
        return *a.crawled_pages > *b.crawled_pages;
    }

    [[nodiscard]] const progress_reading* choose(state& st,
                                                 std::span<const progress_reading> readings) const {
        const progress_reading* best = nullptr;
        if (choice_ == progress_source_choice::first_seen) {
            if (!st.pinned) { // the first source found, in the host's order
                for (const auto& r : readings)
                    if (readable(r)) {
                        st.pinned = r.source;
                        break;
                    }
                if (!st.pinned) return nullptr;
            }
            for (const auto& r : readings)
                if (r.source == *st.pinned && readable(r) && (!best || fresher(r, *best)))
                    best = &r;
            return best;
        }
        for (const auto& r : readings)
            if (readable(r) && (!best || fresher(r, *best))) best = &r;
        return best;
    }

    progress_source_choice choice_;
    double degraded_rate_ = 2.0;
    std::unordered_map<job_id, state> jobs_;
};

} // namespace v0
} // namespace warden
