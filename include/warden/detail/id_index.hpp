#pragma once
#include <warden/core/ids.hpp>
#include <warden/detail/assert.hpp>

#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace warden {
inline namespace v0 {
namespace detail {

// Map from job id to position in snapshot.jobs, built once per tick in one allocation
// (std::unordered_map would allocate a node per job, which dominated decide() at 1e6).
//
// Ids are usually dense (a database's sequence: 1..n with a few gaps), so when every id the
// table will hold lies within a range of at most four slots per id, the table is indexed by
// `id - lowest` directly: 4 bytes a slot, one load per lookup, no hash and no probe (issue #22:
// the hashed table was 16 bytes a slot at two slots per job, 32 MiB at 1e6, and every lookup a
// random probe into it). Otherwise it is an open-addressing hash table.
class id_index {
  public:
    static constexpr std::uint32_t npos = 0xffffffffu;

    // The hashed table, for up to `expected` ids of any value.
    explicit id_index(std::size_t expected)
        : id_index(expected, 1, 0) {}

    // For up to `expected` ids, all in [lowest, highest]; lowest > highest: any ids (hashed).
    id_index(std::size_t expected, std::int64_t lowest, std::int64_t highest)
        : lowest_(lowest) {
        // Unsigned: the range of any two int64 ids fits, where a signed difference could overflow.
        const std::uint64_t span = lowest > highest ? 0
                                                    : static_cast<std::uint64_t>(highest) -
                                                          static_cast<std::uint64_t>(lowest) + 1;
        if (span != 0 && span <= 4 * static_cast<std::uint64_t>(expected) + 64) {
            direct_.assign(static_cast<std::size_t>(span), npos);
            return;
        }
        const std::size_t wanted = expected * 2 + 2; // load factor <= 0.5 keeps probes short
        capacity_ = std::bit_ceil(wanted);
        slots_ = std::make_unique_for_overwrite<slot[]>(capacity_);
        std::memset(slots_.get(), 0, capacity_ * sizeof(slot)); // all zero: every slot empty
    }

    // Returns the position already stored for `id`, or npos after storing `position` (< npos).
    // `id` must be in the range given to the constructor, and no more than `expected` ids
    // inserted: a hashed table with more would fill, and a probe would never end.
    std::uint32_t insert(job_id id, std::uint32_t position) noexcept {
        if (!direct_.empty()) {
            WARDEN_ASSERT(in_direct_range(id),
                          "id_index: an id outside the range it was built for");
            std::uint32_t& at = direct_[direct_slot(id)];
            if (at != npos) return at;
            at = position;
            return npos;
        }
        for (std::size_t i = home(id), probes = 0;; i = (i + 1) & (capacity_ - 1), ++probes) {
            WARDEN_ASSERT(probes < capacity_, "id_index full: more ids than it was sized for");
            slot& s = slots_[i];
            if (s.position_plus_one == 0) {
                s = slot{to_int(id), position + 1};
                return npos;
            }
            if (s.key == to_int(id)) return s.position_plus_one - 1;
        }
    }

    [[nodiscard]] std::uint32_t find(job_id id) const noexcept {
        if (!direct_.empty()) return in_direct_range(id) ? direct_[direct_slot(id)] : npos;
        for (std::size_t i = home(id), probes = 0;; i = (i + 1) & (capacity_ - 1), ++probes) {
            WARDEN_ASSERT(probes < capacity_, "id_index full: more ids than it was sized for");
            const slot& s = slots_[i];
            if (s.position_plus_one == 0) return npos;
            if (s.key == to_int(id)) return s.position_plus_one - 1;
        }
    }

  private:
    struct slot { // trivial: all zero is an empty slot
        std::int64_t key;
        std::uint32_t position_plus_one; // 0: the slot is empty
    };

    [[nodiscard]] std::size_t direct_slot(job_id id) const noexcept {
        return static_cast<std::size_t>(static_cast<std::uint64_t>(to_int(id)) -
                                        static_cast<std::uint64_t>(lowest_));
    }
    [[nodiscard]] bool in_direct_range(job_id id) const noexcept {
        return to_int(id) >= lowest_ && direct_slot(id) < direct_.size();
    }

    [[nodiscard]] std::size_t home(job_id id) const noexcept {
        // Fibonacci hashing spreads sequential ids, the common case, across the table.
        const auto k = static_cast<std::uint64_t>(to_int(id)) * 0x9E3779B97F4A7C15ull;
        return static_cast<std::size_t>(k >> 32) & (capacity_ - 1);
    }

    std::int64_t lowest_ = 0;
    std::vector<std::uint32_t> direct_; // dense ids: position of id lowest_ + k at [k]
    std::size_t capacity_ = 0;          // hashed: a power of two
    std::unique_ptr<slot[]> slots_;
};

} // namespace detail
} // namespace v0
} // namespace warden
