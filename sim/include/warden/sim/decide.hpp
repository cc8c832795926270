#pragma once
#include <warden/core/config.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/engine.hpp>
#include <warden/rails/default_rails.hpp>
#include <warden/sim/options.hpp>
#include <warden/sim/schedule.hpp>

#include <functional>
#include <utility>

namespace warden::sim {

// How the world asks for a plan. Hosts drilling their own rail set pass deciding_with(my_rails),
// or their own callable when they change the snapshot or the config as well.
using decider = std::function<plan(const snapshot&, const config&)>;

template <rail_set Rails>
[[nodiscard]] decider deciding_with(Rails rails) {
    return [rails = std::move(rails)](const snapshot& s, const config& c) {
        return decide(s, c, rails);
    };
}

// The host's engine configuration: world_options::engine when the host gave one, else warden's
// defaults with the campaign target. The world's invariants and bounds derive from it.
[[nodiscard]] inline config host_config(const world_options& o) {
    if (o.engine) return *o.engine;
    config c;
    c.ensure_min_running_jobs = o.target_running;
    c.campaign_year = 2026; // the world's campaign, whatever year a long run reaches
    return c;
}

// The engine configuration the world decides with: the host's, and for each legacy bug present,
// its engine-side guard switched off.
[[nodiscard]] inline config engine_config(const world_options& o) {
    config c = host_config(o);
    const legacy_bugs& l = o.legacy;
    c.guards.reconcile = !l.has(1);
    if (l.has(2)) c.ensure_min_running_jobs = 0; // no queue fill
    c.guards.legacy_detection = !l.has(3);
    c.guards.raise_annual_minimums = !l.has(4);
    c.guards.stable_queue_order = !l.has(5);
    c.guards.classify_config_errors = !l.has(6);
    c.guards.consistency_repair = !l.has(7);
    c.guards.bounded_retries = !l.has(14);
    // B8's race (the sweep fails a crawl whose completion has not committed yet) has a second
    // guard since issue #16 item 2: the finishing crawl's recent progress makes it alive. B8
    // brings the bug back whole, so both go.
    if (l.has(8)) c.guards.progress_is_alive = false;
    // Issue #16's guards (issue #18, item 4): each entry switches its one guard off.
    if (l.has(19)) c.guards.reconcile_clears_finished_at = false; // item 1
    if (l.has(20)) c.guards.progress_is_alive = false;            // item 2
    if (l.has(21)) c.guards.completed_at_is_completion = false;   // item 3
    if (l.has(22)) c.guards.process_tree_is_one_attempt = false;  // item 9
    if (l.has(23)) c.guards.runner_none_status_only = false;      // item 10
    // Issue #18's findings in the engine (B24 to B26): each entry switches its guard off.
    if (l.has(24)) c.guards.unreadable_process_list_holds = false;      // finding 1
    if (l.has(25)) c.guards.finished_row_processes_are_live = false;    // finding 2
    if (l.has(26)) c.guards.waiting_completed_at_is_completion = false; // finding 3
    return c;
}

// The rail set of a world: default_rails() minus annual_minimums for B4 (the rail would
// otherwise refuse every low-option start) and minus grace_window for B8 (the sweep acts at once).
// Only the rail of the bug goes: the others, daily_recovery_cap and progress_circuit included,
// keep guarding, or the
// run would stop at another invariant than the bug's.
[[nodiscard]] inline plan legacy_aware_decide(const snapshot& s, const config& c, legacy_bugs l) {
    // Issue #21, B30: default_rails() with concurrency_limits blind to the plan in progress.
    if (l.has(30))
        return decide(
            s, c,
            make_rails(grace_window{}, legacy_annual{}, annual_minimums{}, pause{}, retry_backoff{},
                       daily_start_cap{}, plan_blind_concurrency_limits{}, progress_circuit{},
                       daily_recovery_cap{}, disk_threshold{}, deploy_lock{}, sentinel_gate{}));
    const bool b4 = l.has(4);
    const bool b8 = l.has(8);
    if (!b4 && !b8) return decide(s, c, default_rails());
    if (b4 && b8)
        return decide(s, c,
                      make_rails(legacy_annual{}, daily_start_cap{}, progress_circuit{},
                                 daily_recovery_cap{}, disk_threshold{}, deploy_lock{},
                                 sentinel_gate{}));
    if (b8)
        return decide(s, c,
                      make_rails(legacy_annual{}, annual_minimums{}, daily_start_cap{},
                                 progress_circuit{}, daily_recovery_cap{}, disk_threshold{},
                                 deploy_lock{}, sentinel_gate{}));
    return decide(s, c,
                  make_rails(grace_window{}, legacy_annual{}, daily_start_cap{}, progress_circuit{},
                             daily_recovery_cap{}, disk_threshold{}, deploy_lock{},
                             sentinel_gate{}));
}

} // namespace warden::sim
