#pragma once
#include <warden/core/actions.hpp>
#include <warden/detail/assert.hpp>

#include <cstddef>
#include <memory>
#include <span>
#include <type_traits>
#include <utility>

namespace warden {
inline namespace v0 {

// The actions one rule proposes for one job: they pass the rails together or not at all. A stall
// recovery that marks the job retryable without stopping its crawl would be undone by the next
// tick's reconcile, so half a decision is worse than none.
//
// The actions live in a union, constructed one by one as they are added (issue #22): a
// proposal is made, returned through an optional and moved for most jobs of every tick, and a
// `std::array<action, 3>` default-constructed all three actions and copied or moved all three
// every time, whatever the proposal held (most hold one or two).
class proposal {
  public:
    static constexpr std::size_t capacity = 3;

    proposal() noexcept {}
    proposal(const proposal& other) {
        try {
            for (const action& a : other.actions())
                push(a);
        } catch (...) {
            clear();
            throw;
        }
    }
    proposal(proposal&& other) noexcept(std::is_nothrow_move_constructible_v<action>) {
        for (action& a : other.actions())
            push(std::move(a));
    }
    proposal& operator=(const proposal& other) {
        if (this != &other) {
            clear();
            for (const action& a : other.actions())
                push(a);
        }
        return *this;
    }
    proposal& operator=(proposal&& other) noexcept(std::is_nothrow_move_constructible_v<action>) {
        if (this != &other) {
            clear();
            for (action& a : other.actions())
                push(std::move(a));
        }
        return *this;
    }
    ~proposal() { clear(); }

    void add(action a) {
        WARDEN_ASSERT(size_ < capacity, "proposal full: raise proposal::capacity");
        push(std::move(a));
    }
    [[nodiscard]] std::span<const action> actions() const noexcept { return {items_, size_}; }
    [[nodiscard]] std::span<action> actions() noexcept { return {items_, size_}; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }

  private:
    // Copies and moves construct each action in place once (add's by-value parameter would move
    // it twice); the source holds at most `capacity`.
    template <class A>
    void push(A&& a) {
        std::construct_at(&items_[size_], std::forward<A>(a));
        ++size_;
    }
    void clear() noexcept {
        for (; size_ > 0; --size_)
            std::destroy_at(&items_[size_ - 1]);
    }

    union {
        action items_[capacity]; // items_[0, size_) are alive, the rest never constructed
    };
    std::size_t size_ = 0;
};

} // namespace v0
} // namespace warden
