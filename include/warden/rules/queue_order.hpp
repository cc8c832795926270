#pragma once
#include <warden/core/config.hpp>
#include <warden/core/job.hpp>

#include <cstddef>
#include <string_view>
#include <tuple>

namespace warden {
inline namespace v0 {

// Position of a source in config.source_order; unknown sources sort after all known ones.
[[nodiscard]] inline std::size_t source_rank(const config& c, std::string_view source) noexcept {
    for (std::size_t i = 0; i < c.source_order.size(); ++i)
        if (c.source_order[i] == source) return i;
    return c.source_order.size();
}

// B5: a total order, so the same queue always yields the same pick whatever order the host
// listed the rows in: oldest queued_at first, then created_at (issue #8, the production
// watchdog's order: a row without one first, std::nullopt sorting before every time), then
// source order (hc, phac, cihr), then id.
[[nodiscard]] inline bool queue_before(const config& c, const job& a, const job& b) noexcept {
    return std::tuple{a.queued_at, a.created_at, source_rank(c, a.source), to_int(a.id)} <
           std::tuple{b.queued_at, b.created_at, source_rank(c, b.source), to_int(b.id)};
}

} // namespace v0
} // namespace warden
