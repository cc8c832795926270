#pragma once
#include <cstdint>
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
};

inline constexpr int rule_count = 8;

[[nodiscard]] constexpr std::string_view to_string(rule_id r) noexcept {
    switch (r) {
    case rule_id::consistency_repair: return "consistency_repair";
    case rule_id::failure_classification: return "failure_classification";
    case rule_id::retry_budget: return "retry_budget";
    case rule_id::reconcile: return "reconcile";
    case rule_id::stall_recovery: return "stall_recovery";
    case rule_id::orphan_sweep: return "orphan_sweep";
    case rule_id::queue_fill: return "queue_fill";
    case rule_id::completion: return "completion";
    }
    return "unknown";
}

} // namespace v0
} // namespace warden
