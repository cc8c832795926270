#pragma once
#include <warden/core/actions.hpp>
#include <warden/detail/assert.hpp>

#include <array>
#include <cstddef>
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

    void add(action a) {
        WARDEN_ASSERT(size_ < capacity, "proposal full: raise proposal::capacity");
        items_[size_++] = std::move(a);
    }
    [[nodiscard]] std::span<const action> actions() const noexcept {
        return {items_.data(), size_};
    }
    [[nodiscard]] std::span<action> actions() noexcept { return {items_.data(), size_}; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }

  private:
    std::array<action, capacity> items_{};
    std::size_t size_ = 0;
};

} // namespace v0
} // namespace warden
