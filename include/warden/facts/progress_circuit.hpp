#pragma once
// The progress circuit breaker's facts (issue #17, docs/rails/progress_circuit.md): whether each
// job's recent recoveries gained almost nothing. Judged once per tick from the whole recovery
// history, so the rail reads one flag instead of scanning the history for every job.
#include <warden/core/config.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/detail/assert.hpp>
#include <warden/detail/id_index.hpp>
#include <warden/facts/context.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace warden {
inline namespace v0 {

// Whether the circuit is switched on: a window of 0 recoveries, or a floor of 0 pages, is off.
[[nodiscard]] constexpr bool progress_circuit_enabled(const config& c) noexcept {
    return c.progress_circuit_window > 0 && c.progress_circuit_min_pages > 0;
}

// The circuit of one job, given its recoveries oldest first and its current count: open when it
// has at least `window` recoveries and each of the last `window` gained fewer than `min_pages`
// pages. A record's gain is the next record's count minus its own, the newest record's the
// current count minus its own. A missing count (a record's or the current one) closes it: a gain
// that cannot be measured proves no churn. Returns the largest gain of the window when open.
[[nodiscard]] inline std::optional<std::int64_t>
progress_circuit_open(std::span<const recovery_record* const> oldest_first,
                      std::optional<std::int64_t> current_pages, std::int32_t window,
                      std::int64_t min_pages) {
    if (window <= 0 || min_pages <= 0 || !current_pages) return std::nullopt;
    const auto w = static_cast<std::size_t>(window);
    if (oldest_first.size() < w) return std::nullopt;
    const auto recent = oldest_first.subspan(oldest_first.size() - w);
    std::optional<std::int64_t> best;
    for (std::size_t k = 0; k < recent.size(); ++k) {
        const auto& here = recent[k]->crawled_pages;
        const auto& next = k + 1 < recent.size() ? recent[k + 1]->crawled_pages : current_pages;
        if (!here || !next) return std::nullopt;
        // Counts are validated non-negative, so the difference cannot overflow. A count that went
        // down (a restarted log) is no gain.
        const std::int64_t gain = *next - *here;
        if (gain >= min_pages) return std::nullopt;
        if (!best || gain > *best) best = gain;
    }
    return best;
}

namespace detail {

// Judges every running job's circuit in one pass over the recovery history: the records are
// bucketed by job (a counting sort, linear), and each bucket of a running job is put in time
// order (records at the same time keep their list order). `ids` maps job ids to rows; records
// of unknown jobs were reported by count_history and are skipped here, as are records of jobs
// already invalid.
inline void judge_progress_circuits(const snapshot& s, const config& c, const id_index& ids,
                                    std::vector<job_facts>& facts) {
    if (!progress_circuit_enabled(c) || s.recoveries.empty()) return;
    const std::size_t n = s.jobs.size();
    std::vector<std::uint32_t> first(n + 1, 0); // bucket boundaries, then fill cursors
    std::vector<std::uint32_t> owner(s.recoveries.size(), id_index::npos);
    for (std::size_t k = 0; k < s.recoveries.size(); ++k) {
        const std::uint32_t at = ids.find(s.recoveries[k].job);
        if (at == id_index::npos || !facts[at].valid) continue;
        WARDEN_ASSERT(at < n, "id index points past the jobs");
        if (s.jobs[at].status != job_status::running) continue; // only a stall is recovered
        owner[k] = at;
        ++first[at + 1];
    }
    for (std::size_t i = 0; i < n; ++i)
        first[i + 1] += first[i];
    std::vector<const recovery_record*> bucketed(first[n], nullptr);
    std::vector<std::uint32_t> cursor(first.begin(), first.end() - 1);
    for (std::size_t k = 0; k < s.recoveries.size(); ++k)
        if (owner[k] != id_index::npos) bucketed[cursor[owner[k]]++] = &s.recoveries[k];
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t size = first[i + 1] - first[i];
        if (size < static_cast<std::size_t>(c.progress_circuit_window)) continue;
        const auto begin = bucketed.begin() + first[i];
        // Records with the same time keep their list order: their pointers ascend with it.
        std::sort(begin, begin + static_cast<std::ptrdiff_t>(size),
                  [](const recovery_record* a, const recovery_record* b) {
                      return a->at != b->at ? a->at < b->at : std::less<>{}(a, b);
                  });
        const auto best = progress_circuit_open(
            std::span<const recovery_record* const>(&*begin, size), s.jobs[i].crawled_pages,
            c.progress_circuit_window, c.progress_circuit_min_pages);
        if (!best) continue;
        facts[i].progress_circuit_open = true;
        facts[i].progress_circuit_best_gain = *best;
    }
}

} // namespace detail

} // namespace v0
} // namespace warden
