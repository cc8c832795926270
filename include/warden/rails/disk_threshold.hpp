#pragma once
#include <warden/core/actions.hpp>
#include <warden/detail/reason.hpp>
#include <warden/facts/context.hpp>
#include <warden/rails/verdict.hpp>

#include <string_view>

namespace warden {
inline namespace v0 {

// A crawl writes until the disk is full and then fails every job on the host at once. At or
// above the threshold nothing new is started; running jobs are left alone.
struct disk_threshold {
    static constexpr std::string_view name = "disk_threshold";

    [[nodiscard]] verdict check(const decision_context& ctx, const subject&,
                                const start_job&) const {
        const double used = ctx.snapshot.host.disk_used_percent;
        const double limit = ctx.config.disk_threshold_percent;
        if (used < limit) return verdict::allow();
        return verdict::deny_host(detail::reason("disk ", detail::fixed{used, 1},
                                                 "% used, at or above the threshold ",
                                                 detail::fixed{limit, 1}, "%"));
    }
};

} // namespace v0
} // namespace warden
