#pragma once
#include <warden/core/actions.hpp>
#include <warden/facts/context.hpp>
#include <warden/rails/verdict.hpp>

#include <string_view>

namespace warden {
inline namespace v0 {

// A deploy restarts the worker: processes vanish and locks drop for a while, so liveness looks
// wrong. While the deploy lock is held warden starts nothing, stops nothing, and makes no stall,
// orphan, deadline, repair or classification verdict (repair and classification trust the
// absence of a lock or process, which a deploy fakes; a deadline's failure of a job with no lock
// or process is written without a stop, and the job may be running under the new worker);
// reconcile still runs because it rests on positive evidence, and backfills touch metadata only.
struct deploy_lock {
    static constexpr std::string_view name = "deploy_lock";

    [[nodiscard]] verdict check(const decision_context& ctx, const subject&,
                                const start_job&) const {
        return held(ctx);
    }
    [[nodiscard]] verdict check(const decision_context& ctx, const subject&,
                                const stop_job&) const {
        return held(ctx);
    }
    [[nodiscard]] verdict check(const decision_context& ctx, const subject&,
                                const set_status& a) const {
        if (a.rule == rule_id::stall_recovery || a.rule == rule_id::orphan_sweep ||
            a.rule == rule_id::consistency_repair || a.rule == rule_id::failure_classification ||
            a.rule == rule_id::retry_budget || a.rule == rule_id::deadline)
            return held(ctx);
        return verdict::allow();
    }

  private:
    [[nodiscard]] static verdict held(const decision_context& ctx) {
        const host_facts& h = ctx.snapshot.host;
        if (!deploy_lock_in_effect(h, ctx.snapshot.now, ctx.config.deploy_lock_stale_after))
            return verdict::allow();
        return verdict::deny_host(h.deploy_lock_present
                                      ? "deploy lock held"
                                      : "deploy lock present and unprobeable, not yet stale");
    }
};

} // namespace v0
} // namespace warden
