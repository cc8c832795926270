#pragma once
#include <warden/core/ids.hpp>
#include <warden/detail/assert.hpp>

#include <bit>
#include <cstdint>
#include <vector>

namespace warden {
inline namespace v0 {
namespace detail {

// Open-addressing map from job id to position in snapshot.jobs. Built once per tick in one
// allocation; std::unordered_map would allocate a node per job, which dominates decide() at 1e6.
class id_index {
  public:
    static constexpr std::uint32_t npos = 0xffffffffu;

    explicit id_index(std::size_t expected) {
        const std::size_t wanted = expected * 2 + 2; // load factor <= 0.5 keeps probes short
        capacity_ = std::bit_ceil(wanted);
        slots_.assign(capacity_, slot{0, npos});
    }

    // Returns the position already stored for `id`, or npos after storing `position`.
    // The table is sized for `expected` ids: more would fill it, and a probe would never end.
    std::uint32_t insert(job_id id, std::uint32_t position) noexcept {
        for (std::size_t i = home(id), probes = 0;; i = (i + 1) & (capacity_ - 1), ++probes) {
            WARDEN_ASSERT(probes < capacity_, "id_index full: more ids than it was sized for");
            slot& s = slots_[i];
            if (s.position == npos) {
                s = slot{to_int(id), position};
                return npos;
            }
            if (s.key == to_int(id)) return s.position;
        }
    }

    [[nodiscard]] std::uint32_t find(job_id id) const noexcept {
        for (std::size_t i = home(id), probes = 0;; i = (i + 1) & (capacity_ - 1), ++probes) {
            WARDEN_ASSERT(probes < capacity_, "id_index full: more ids than it was sized for");
            const slot& s = slots_[i];
            if (s.position == npos) return npos;
            if (s.key == to_int(id)) return s.position;
        }
    }

  private:
    struct slot {
        std::int64_t key;
        std::uint32_t position;
    };

    [[nodiscard]] std::size_t home(job_id id) const noexcept {
        // Fibonacci hashing spreads sequential ids, the common case, across the table.
        const auto k = static_cast<std::uint64_t>(to_int(id)) * 0x9E3779B97F4A7C15ull;
        return static_cast<std::size_t>(k >> 32) & (capacity_ - 1);
    }

    std::size_t capacity_ = 0;
    std::vector<slot> slots_;
};

} // namespace detail
} // namespace v0
} // namespace warden
