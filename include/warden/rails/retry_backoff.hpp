#pragma once
#include <warden/core/actions.hpp>
#include <warden/detail/reason.hpp>
#include <warden/facts/backoff.hpp>
#include <warden/facts/context.hpp>
#include <warden/io/rfc3339.hpp>
#include <warden/rails/verdict.hpp>

#include <string_view>

namespace warden {
inline namespace v0 {

// Issue #21 item 3: a retryable job whose class has a backoff policy is not started before its
// not_before (facts/backoff.hpp): its failed attempt's end plus the class's delay for this retry.
// Starts only, for this job only: queue fill moves on to the next candidate, and the job is
// started by the first tick at or after not_before. Without a `backoff` key on the job's class,
// every start is allowed (warden's behaviour before).
struct retry_backoff {
    static constexpr std::string_view name = "retry_backoff";

    [[nodiscard]] verdict check(const decision_context& ctx, const subject& s,
                                const start_job&) const {
        const auto not_before = retry_not_before(ctx.config, s.row, s.facts);
        const timestamp now = ctx.snapshot.now;
        if (!not_before || *not_before <= now) return verdict::allow();
        return verdict::deny(detail::reason("backoff: not before ", format_rfc3339(*not_before),
                                            "; ", (*not_before - now).count(), " s to go (retry ",
                                            s.row.retry_count + 1, ")"));
    }
};

} // namespace v0
} // namespace warden
