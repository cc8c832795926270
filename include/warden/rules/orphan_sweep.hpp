#pragma once
#include <warden/facts/campaign.hpp>
#include <warden/facts/context.hpp>
#include <warden/facts/liveness.hpp>
#include <warden/rules/proposal.hpp>

#include <optional>

namespace warden {
inline namespace v0 {

// B8: a job the database calls running but nothing runs: no lock, no process, not in the
// worker's running set, no progress for stall_after (not alive, facts/liveness.hpp), no
// completion recorded. Only such a job is touched, and only once the
// grace window (rail grace_window) has passed, so a completion racing the sweep wins. An annual
// job goes back to retryable (completeness first); any other fails as orphaned.
[[nodiscard]] inline std::optional<proposal> orphan_sweep(const decision_context& ctx,
                                                          const subject& s) {
    const job& j = s.row;
    const job_facts& f = s.facts;
    if (j.status != job_status::running || !j.started_at) return std::nullopt;
    // Issue #16, item 2: a job that reported progress less than stall_after ago is alive, even
    // with no lock, process or running-set entry (a host that misses a process must not cost a
    // live crawl its attempt).
    if (alive(ctx.config, j, f, ctx.snapshot.now)) return std::nullopt;
    if (j.completed_at || j.finished_at) return std::nullopt;

    const bool annual = is_annual(j);
    proposal p;
    p.add(set_status{j.id,
                     j.status,
                     j.version,
                     annual ? job_status::retryable : job_status::failed,
                     failure_class::orphaned,
                     rule_id::orphan_sweep,
                     annual ? "no lock, process or running-set entry; annual: retry"
                            : "no lock, process or running-set entry",
                     {evidence_kind::no_liveness, (ctx.snapshot.now - *j.started_at).count()}});
    return p;
}

} // namespace v0
} // namespace warden
