#pragma once
#include <warden/core/snapshot.hpp>
#include <warden/detail/assert.hpp>

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

namespace warden {
inline namespace v0 {
namespace detail {

// Live processes grouped by output_dir, for joining every job to them once per tick. Every job is
// looked up, and most have no process, so a miss must be cheap: a filter on the dir's length
// and last 16 bytes answers most misses, then one open-addressing table, a hash that takes eight
// bytes a step, and a string comparison only when the full 64-bit fingerprints match. (Dirs
// share long prefixes and, for campaigns, the same -YYYY0101 ending, so a table keyed on the
// ends alone would collide; the filter only has to be right most of the time.)
class dir_index {
  public:
    static constexpr std::uint32_t npos = 0xffffffffu;

    struct entry {
        std::uint64_t fingerprint = 0;
        std::string_view dir;
        std::uint32_t processes = 0;
        std::uint32_t first_process = npos; // index into snapshot.processes
        std::uint32_t claims = 0;           // jobs whose output_dir this is
    };

    explicit dir_index(const std::vector<process_fact>& processes)
        : next_process_(processes.size(), npos) {
        capacity_ = std::bit_ceil(processes.size() * 2 + 2);
        slots_.assign(capacity_, slot{0, npos});
        // 16 filter slots per process: a dir no process has passes the filter about 1 time in 16.
        filter_.assign(std::bit_ceil(processes.size() * 16 + 64), 0);
        // At most one entry per process: reserved, so a tick's few processes cost one allocation
        // each here rather than one per doubling.
        std::vector<std::uint32_t> last_of_entry;
        last_of_entry.reserve(processes.size());
        entries_.reserve(processes.size());
        for (std::uint32_t i = 0; i < processes.size(); ++i) {
            const std::string_view dir = processes[i].output_dir;
            if (dir.empty()) continue;
            const std::uint64_t fp = fingerprint(dir);
            slot& at = probe(fp, dir);
            std::uint32_t& slot = at.entry;
            if (slot == npos) {
                filter_[filter_slot(dir)] = 1;
                at.fingerprint = fp;
                slot = static_cast<std::uint32_t>(entries_.size());
                entries_.push_back(entry{fp, dir, 0, i, 0});
                last_of_entry.push_back(i);
            } else {
                next_process_[last_of_entry[slot]] = i; // keep the snapshot's order
                last_of_entry[slot] = i;
            }
            ++entries_[slot].processes;
        }
    }

    [[nodiscard]] entry* find(std::string_view dir) noexcept {
        if (entries_.empty() || dir.empty()) return nullptr;
        if (filter_[filter_slot(dir)] == 0) return nullptr;
        const std::uint32_t at = probe(fingerprint(dir), dir).entry;
        return at == npos ? nullptr : &entries_[at];
    }

    // The processes of one dir, in snapshot order: start at entry::first_process.
    [[nodiscard]] const std::vector<std::uint32_t>& next_process() const noexcept {
        return next_process_;
    }
    // The same links, moved out: the index is done with once every job has been looked up.
    [[nodiscard]] std::vector<std::uint32_t> release_next_process() noexcept {
        return std::move(next_process_);
    }

  private:
    [[nodiscard]] static std::uint64_t fingerprint(std::string_view s) noexcept {
        std::uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
        std::size_t at = 0;
        for (; at + 8 <= s.size(); at += 8) {
            std::uint64_t word = 0;
            std::memcpy(&word, s.data() + at, 8);
            h = (h ^ word) * 0xBF58476D1CE4E5B9ull;
            h ^= h >> 29;
        }
        // The last 0 to 7 bytes: from a dir of 8 bytes or more, the 8 that end it (a fixed-size
        // copy is one load; a copy of a variable size was a libc call per job, issue #22).
        std::uint64_t rest = 0;
        if (at < s.size()) {
            if (s.size() >= 8)
                std::memcpy(&rest, s.data() + s.size() - 8, 8);
            else
                for (std::size_t k = at; k < s.size(); ++k)
                    rest = (rest << 8) | static_cast<unsigned char>(s[k]);
        }
        h ^= rest; // murmur3's finaliser: every input bit reaches the low bits the table uses
        h = (h ^ (h >> 33)) * 0xFF51AFD7ED558CCDull;
        h = (h ^ (h >> 33)) * 0xC4CEB9FE1A85EC53ull;
        return h ^ (h >> 33);
    }

    // The filter's slot for `dir`, from its length and the 16 bytes that end it (fewer for a
    // shorter dir): a few instructions where the fingerprint reads every byte. Most jobs have no
    // process (issue #22: the fingerprint of every job's dir was 10 % of decide), and for them
    // the filter alone answers. Equal dirs get equal slots, so the filter never hides a process;
    // dirs that differ only before their last 16 bytes share a slot and fall through to the
    // fingerprint, which is exact.
    [[nodiscard]] std::size_t filter_slot(std::string_view s) const noexcept {
        std::uint64_t last = 0;
        std::uint64_t before_last = 0;
        if (s.size() >= 16) {
            std::memcpy(&last, s.data() + s.size() - 8, 8);
            std::memcpy(&before_last, s.data() + s.size() - 16, 8);
        } else { // rare: the whole dir, zero-padded
            char padded[16] = {};
            std::memcpy(padded, s.data(), s.size());
            std::memcpy(&last, padded + 8, 8);
            std::memcpy(&before_last, padded, 8);
        }
        std::uint64_t h = (last ^ s.size()) * 0x9E3779B97F4A7C15ull;
        h = (h ^ before_last ^ (h >> 31)) * 0xBF58476D1CE4E5B9ull;
        return static_cast<std::size_t>(h >> 32) & (filter_.size() - 1);
    }

    // The fingerprint lives in the slot, so a miss (most jobs) reads one array, not two.
    struct slot {
        std::uint64_t fingerprint;
        std::uint32_t entry;
    };

    slot& probe(std::uint64_t fp, std::string_view dir) noexcept {
        for (std::size_t i = fp & (capacity_ - 1), probes = 0;;
             i = (i + 1) & (capacity_ - 1), ++probes) {
            // Sized for twice the processes, so a free slot always ends the probe.
            WARDEN_ASSERT(probes < capacity_, "dir_index full: more dirs than processes");
            slot& s = slots_[i];
            if (s.entry == npos) return s;
            if (s.fingerprint == fp && entries_[s.entry].dir == dir) return s;
        }
    }

    std::size_t capacity_ = 0;
    std::vector<slot> slots_;
    std::vector<entry> entries_;
    std::vector<std::uint32_t> next_process_;
    // 1 at filter_slot(dir) of every process dir; a byte a slot, so a test is one load. Its
    // size is a power of two.
    std::vector<std::uint8_t> filter_;
};

} // namespace detail
} // namespace v0
} // namespace warden
