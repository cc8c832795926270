#pragma once
#include <warden/core/enum_names.hpp>

#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

namespace warden {
inline namespace v0 {

// The rules, in the order decide() runs them for each job.
enum class rule_id : std::uint8_t {
    consistency_repair,
    failure_classification,
    retry_budget,
    reconcile,
    stall_recovery,
    orphan_sweep,
    queue_fill,
    completion, // the worker side: warden::complete(), never produced by decide()
    // Issue #21 item 4: runs before stall recovery; last in the enum so the values of the rules
    // before it (and every count indexed by them) stay as they were.
    deadline,
};

inline constexpr int rule_count = 9;

inline constexpr std::string_view rule_names[] = {
    "consistency_repair", "failure_classification", "retry_budget", "reconcile",
    "stall_recovery",     "orphan_sweep",           "queue_fill",   "completion",
    "deadline",
};
static_assert(std::size(rule_names) == rule_count &&
                  static_cast<int>(rule_id::deadline) + 1 == rule_count,
              "rule_names must name every rule, in order");

[[nodiscard]] constexpr std::string_view to_string(rule_id r) noexcept {
    return detail::name_in(rule_names, r);
}

[[nodiscard]] constexpr std::optional<rule_id> parse_rule_id(std::string_view s) noexcept {
    return detail::parse_in<rule_id>(rule_names, s);
}

} // namespace v0
} // namespace warden
