#pragma once
#include <warden/facts/context.hpp>
#include <warden/facts/liveness.hpp>
#include <warden/rules/proposal.hpp>

#include <optional>

namespace warden {
inline namespace v0 {

// B14: a job whose attempts fail with an infra error is retried at most config.max_retries
// times, then failed. The production watchdog bumped its retry counter on some failure paths
// and not on the infra-error one, so such a job was retried for ever. warden counts where every
// automatic retry passes, the start of a retryable row (apply.hpp, the SQLite adapter), and
// judges the count here, before queue fill could start the row again. Other failures
// (timeouts, stalls, orphans) are bounded by the daily caps instead: their cause can go away.
// A job with a live attempt (a lock, a process or a running-set entry: facts/liveness.hpp
// runtime_alive, as consistency repair and queue fill judge it) is left alone: reconcile owns
// that drift (review 7 finding 3: a retryable row the worker had picked up was failed).
[[nodiscard]] inline std::optional<proposal> retry_budget(const decision_context& ctx,
                                                          const subject& s) {
    const job& j = s.row;
    if (!ctx.config.guards.bounded_retries) return std::nullopt;
    if (j.status != job_status::retryable || j.failure != failure_class::infra_error)
        return std::nullopt;
    if (j.retry_count < ctx.config.max_retries || runtime_alive(s.facts)) return std::nullopt;
    proposal p;
    p.add(set_status{j.id,
                     j.status,
                     j.version,
                     job_status::failed,
                     std::nullopt,
                     rule_id::retry_budget,
                     "infra-error retry budget spent",
                     {evidence_kind::retry_count, j.retry_count}});
    return p;
}

} // namespace v0
} // namespace warden
