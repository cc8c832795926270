#pragma once
#include <warden/core/actions.hpp>
#include <warden/core/job.hpp>
#include <warden/core/time.hpp>
#include <warden/rails/context.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>

namespace warden {
inline namespace v0 {

// The actions one rule proposes for one job: they pass the rails together or not at all. A stall
// recovery that marks the job retryable without stopping its crawl would be undone by the next
// tick's reconcile, so half a decision is worse than none.
class proposal {
  public:
    static constexpr std::size_t capacity = 3;

    void add(action a) { items_[size_++] = std::move(a); }
    [[nodiscard]] std::span<const action> actions() const noexcept {
        return {items_.data(), size_};
    }
    [[nodiscard]] std::span<action> actions() noexcept { return {items_.data(), size_}; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }

  private:
    std::array<action, capacity> items_{};
    std::size_t size_ = 0;
};

// Seconds since the newest sign of life: the last progress report or the start of the current
// attempt, whichever is later. A restarted job is not judged by its previous attempt's progress.
[[nodiscard]] constexpr std::optional<duration> progress_age(const job& j, timestamp now) noexcept {
    if (!j.progress_known) return std::nullopt;
    std::optional<timestamp> newest = j.last_progress_at;
    if (j.started_at && (!newest || *j.started_at > *newest)) newest = j.started_at;
    if (!newest) return std::nullopt;
    return now - *newest;
}

// The one staleness predicate shared by stall_recovery (running and stale: recover) and
// reconcile (waiting, live and stale: stop instead of flipping back to running).
[[nodiscard]] constexpr bool progress_is_stale(const job& j, timestamp now,
                                               duration stall_after) noexcept {
    const auto age = progress_age(j, now);
    return age && *age >= stall_after;
}

} // namespace v0
} // namespace warden
