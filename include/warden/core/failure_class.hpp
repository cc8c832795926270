#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace warden {
inline namespace v0 {

// Hosts extend the set with their own values from first_host_defined upwards; warden treats
// them as opaque (rendered "host_<n>") and never retries or classifies on them.
enum class failure_class : std::uint8_t {
    none,
    transient,
    infra_error,
    infra_error_config,
    orphaned,
    first_host_defined = 64,
};

[[nodiscard]] constexpr std::string_view to_string(failure_class f) noexcept {
    switch (f) {
    case failure_class::none: return "none";
    case failure_class::transient: return "transient";
    case failure_class::infra_error: return "infra_error";
    case failure_class::infra_error_config: return "infra_error_config";
    case failure_class::orphaned: return "orphaned";
    case failure_class::first_host_defined: break;
    }
    return "host_defined";
}

[[nodiscard]] constexpr std::optional<failure_class>
parse_failure_class(std::string_view s) noexcept {
    if (s == "none") return failure_class::none;
    if (s == "transient") return failure_class::transient;
    if (s == "infra_error") return failure_class::infra_error;
    if (s == "infra_error_config") return failure_class::infra_error_config;
    if (s == "orphaned") return failure_class::orphaned;
    return std::nullopt;
}

} // namespace v0
} // namespace warden
