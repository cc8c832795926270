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
// The fields it compares, read from a row once: queue fill sorts these keys rather than rows
// (issue #22), so the order has this one definition.
[[nodiscard]] inline auto queue_order_key(const config& c, const job& j) noexcept {
    return std::tuple{j.queued_at, j.created_at, source_rank(c, j.source), to_int(j.id)};
}

[[nodiscard]] inline bool queue_before(const config& c, const job& a, const job& b) noexcept {
    return queue_order_key(c, a) < queue_order_key(c, b);
}

} // namespace v0
} // namespace warden
