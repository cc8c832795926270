#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace warden {
inline namespace v0 {

// Whether a denial is about this job only (queue fill moves on to the next candidate) or about
// the whole host (the same denial would hit every candidate).
enum class denial_scope : std::uint8_t { job, host };

// A rail's answer. Allowing never allocates; a denial carries its reason as text because host
// rails must be able to explain themselves in their own words.
struct verdict {
    bool allowed = true;
    denial_scope scope = denial_scope::job;
    std::string reason;

    [[nodiscard]] static verdict allow() noexcept { return {}; }
    [[nodiscard]] static verdict deny(std::string why, denial_scope scope = denial_scope::job) {
        return verdict{false, scope, std::move(why)};
    }
    [[nodiscard]] static verdict deny_host(std::string why) {
        return deny(std::move(why), denial_scope::host);
    }
};

// The first rail that said no, by name.
struct denial {
    std::string_view rail;
    denial_scope scope = denial_scope::job;
    std::string reason;
    bool dry_run = false; // a dry-run gate said no host-wide: every other rail allowed it
};

} // namespace v0
} // namespace warden
