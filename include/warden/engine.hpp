#pragma once
#include <warden/core/config.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/core/validate.hpp>
#include <warden/detail/reason.hpp>
#include <warden/facts/build.hpp>
#include <warden/facts/campaign.hpp>
#include <warden/facts/class_floors.hpp>
#include <warden/facts/context.hpp>
#include <warden/facts/grace.hpp>
#include <warden/facts/job_class.hpp>
#include <warden/facts/process_list.hpp>
#include <warden/facts/recovery_choice.hpp>
#include <warden/rails/compose.hpp>
#include <warden/rails/default_rails.hpp>
#include <warden/rules/consistency_repair.hpp>
#include <warden/rules/deadline.hpp>
#include <warden/rules/degraded_rate.hpp>
#include <warden/rules/failure_classification.hpp>
#include <warden/rules/orphan_sweep.hpp>
#include <warden/rules/queue_fill.hpp>
#include <warden/rules/queue_order.hpp>
#include <warden/rules/reconcile.hpp>
#include <warden/rules/retry_budget.hpp>
#include <warden/rules/stall_recovery.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

namespace warden {
inline namespace v0 {

namespace detail {

enum class submitted : std::uint8_t {
    allowed,
    dry_run, // only a dry-run gate refused it: apply mode would carry it out
    denied_for_job,
    denied_for_host,
};

struct submission {
    submitted outcome = submitted::allowed;
    std::string_view rail; // the rail that refused, if any

    // What the tick projects: a dry run must count the writes apply mode would make, or its
    // starts would differ from apply mode's (a reconcile blocked only by the sentinel would not
    // fill a slot).
    [[nodiscard]] bool takes_effect() const noexcept {
        return outcome == submitted::allowed || outcome == submitted::dry_run;
    }
};

// The name plan.blocked gives stall recoveries past config.recoveries_per_tick.
inline constexpr std::string_view recoveries_per_tick_limit = "recoveries_per_tick";
// The name plan.blocked gives starts past config.max_starts_per_tick (issue #16 item 11).
inline constexpr std::string_view starts_per_tick_limit = "starts_per_tick";
// The name plan.blocked gives a soft recovery held back because soft recovery is off.
inline constexpr std::string_view guard_window_limit = "guard_window";

// Issue #18, finding 1 (facts/process_list.hpp): the engine limit that holds, while the process
// list is unreadable, every status write whose rule acts only when nothing is seen running the
// job (the orphan sweep, consistency repair, failure classification, the retry budget: blind,
// that "nothing" is unknown; the config swarm found each of the last three failing a live crawl's
// row), and the start of a row that has run before.
[[nodiscard]] constexpr bool writes_when_nothing_runs(rule_id r) noexcept {
    return r == rule_id::orphan_sweep || r == rule_id::consistency_repair ||
           r == rule_id::failure_classification || r == rule_id::retry_budget;
}

[[nodiscard]] inline std::optional<denial>
unreadable_process_list_limit(const decision_context& ctx, const subject& s, const proposal& p) {
    if (!process_list_blind(ctx.config, ctx.snapshot.host)) return std::nullopt;
    bool held = false;
    for (const action& a : p.actions()) {
        if (const auto* w = std::get_if<set_status>(&a); w && writes_when_nothing_runs(w->rule))
            held = true;
        if (std::holds_alternative<start_job>(a) && has_run_before(s.row)) held = true;
    }
    if (!held) return std::nullopt;
    return denial{process_list_unreadable_hold, denial_scope::job,
                  "process_list_unreadable: the host could not list processes, so an empty list "
                  "does not show that nothing runs this job (it has run before); held until the "
                  "list is readable"};
}

// Runs a proposal through the rails and files it under actions or blocked, whole. Every action
// meets the policies before any meets a dry-run gate, so the reason shown is apply mode's. An
// engine limit (`limit`) refuses what the policies let through, still before the gates.
// An action that takes effect joins `accepted`, the plan in progress later rails see (issue #21
// item 2), whether allowed or refused only by a dry-run gate: a dry run must see apply mode's plan.
template <class Rails>
submission submit(const Rails& rails, const decision_context& ctx, const subject& s, proposal& p,
                  plan& out, std::vector<accepted_action>& accepted,
                  std::optional<denial> limit = std::nullopt) {
    WARDEN_ASSERT(&s.row >= ctx.snapshot.jobs.data() &&
                      &s.row < ctx.snapshot.jobs.data() + ctx.snapshot.jobs.size(),
                  "a subject of another snapshot");
    const auto job_index = static_cast<std::uint32_t>(&s.row - ctx.snapshot.jobs.data());
    std::optional<denial> d;
    for (const action& a : p.actions())
        if ((d = first_denial_in<rail_phase::policy>(rails, ctx, s, a))) break;
    if (!d && limit) d = std::move(limit);
    if (!d)
        for (const action& a : p.actions())
            if ((d = first_denial_in<rail_phase::gate>(rails, ctx, s, a))) break;
    if (!d) {
        for (action& a : p.actions()) {
            ++out.summary.actions_by_rule[static_cast<std::size_t>(action_rule(a))];
            accepted.push_back(accepted_action{a, job_index});
            out.actions.push_back(std::move(a));
        }
        return {};
    }
    if (d->dry_run)
        for (const action& a : p.actions())
            accepted.push_back(accepted_action{a, job_index});
    for (action& a : p.actions())
        out.blocked.push_back(blocked_action{std::move(a), d->rail, d->reason});
    if (d->dry_run) return {submitted::dry_run, d->rail};
    return {d->scope == denial_scope::host ? submitted::denied_for_host : submitted::denied_for_job,
            d->rail};
}

// The status a job has once `p` is applied.
[[nodiscard]] inline job_status status_after(const proposal& p, job_status current) noexcept {
    for (const action& a : p.actions())
        if (const auto* st = std::get_if<set_status>(&a)) current = st->status;
    return current;
}

struct deferred_stall {
    std::uint32_t index = 0;
    stall_verdict verdict;
    bool swept = false; // recovered (or refused) by a same-source sweep: not a stall of its own
};

// The reason a same-source sweep's status write gives (issue #17, item 5).
inline constexpr std::string_view same_source_sweep_reason =
    "no progress (same-source sweep: nothing runs it)";

// Whether `other` may be swept along with the recovery of `primary` (issue #17, item 5): the
// same non-empty source, and nothing runs it (runner none: no lock, no process, no running-set
// entry), so a status write is all it needs. A guarded one waits for the guard window like any.
[[nodiscard]] inline bool same_source_sweepable(const decision_context& ctx,
                                                const deferred_stall& primary,
                                                const deferred_stall& other) {
    const job& p = ctx.snapshot.jobs[primary.index];
    const job& o = ctx.snapshot.jobs[other.index];
    const recovery_mode mode = other.verdict.choice.mode;
    return !other.swept && !p.source.empty() && o.source == p.source &&
           other.verdict.choice.runner.runner == runner_class::none &&
           (mode == recovery_mode::full || mode == recovery_mode::soft);
}

// The sweep's proposal: the stall verdict's status write alone, no options, no runner action.
[[nodiscard]] inline proposal same_source_proposal(const stall_verdict& v) {
    proposal p;
    for (const action& a : v.recovery.actions())
        if (const auto* st = std::get_if<set_status>(&a)) {
            set_status w = *st;
            w.reason = same_source_sweep_reason;
            p.add(std::move(w));
            break;
        }
    return p;
}

// Stall recoveries go last among the per-job rules, lowest id first, at most
// recoveries_per_tick of them taking effect; each was counted running, and leaves that count
// when its recovery takes effect. A refused verdict inside the start grace is no stall yet: it
// must not hold queue fill back (judged from the job, not from which rail refused first). A
// stall the daily recovery cap refuses counts as stalled but does not hold queue fill back
// either: it cannot be recovered for up to 24 h, and waiting on it would leave the campaign
// under-filled for that long (B2); nor one behind an open progress circuit (issue #17), which
// stays open until an operator acts. Nor does one whose runner cannot be named: it waits for an
// operator, and is reported as an anomaly. Returns the stalls that hold queue fill back.
template <class Rails>
std::int64_t recover_stalls(const Rails& rails, const decision_context& ctx,
                            std::vector<deferred_stall>& stalls, plan& out,
                            std::vector<accepted_action>& accepted) {
    const config& c = ctx.config;
    const snapshot& s = ctx.snapshot;
    std::sort(stalls.begin(), stalls.end(), [&](const deferred_stall& a, const deferred_stall& b) {
        return to_int(s.jobs[a.index].id) < to_int(s.jobs[b.index].id);
    });
    std::int32_t recovered = 0;
    std::int64_t holding = 0;
    // A stall whose recovery was submitted: counted stalled unless refused inside the start
    // grace, and holding queue fill back unless the daily recovery cap or an open progress
    // circuit refused it.
    auto account = [&](const subject& subj, const submission& r) {
        if (r.takes_effect()) --out.summary.running; // running -> retryable
        if (!r.takes_effect() && inside_grace(c, subj.row, s.now, rule_id::stall_recovery)) return;
        ++out.summary.stalled;
        if (r.takes_effect() ||
            (!recovery_capped(c, subj.facts) && !subj.facts.progress_circuit_open))
            ++holding;
    };
    for (std::size_t k = 0; k < stalls.size(); ++k) {
        deferred_stall& st = stalls[k];
        if (st.swept) continue;
        const subject subj = ctx.subject_at(st.index);
        const recovery_mode mode = st.verdict.choice.mode;
        if (mode == recovery_mode::operator_needed) {
            if (inside_grace(c, subj.row, s.now, rule_id::stall_recovery)) continue;
            out.anomalies.push_back(
                anomaly{subj.row.id, anomaly_kind::stalled_runner_unknown,
                        "stalled, and what runs it cannot be named (a process warden does not "
                        "own, a lock while the worker is down, or no process list): operator "
                        "intervention required; nothing is written"});
            ++out.summary.stalled;
            continue;
        }
        std::optional<denial> limit;
        if (mode == recovery_mode::guarded)
            limit = denial{guard_window_limit, denial_scope::job,
                           detail::reason("guard_window_healthy_job: job ",
                                          to_int(ctx.guard.freshest), " progressed ",
                                          ctx.guard.freshest_age.count(), " s ago (guard window ",
                                          c.guard_window.count(), " s) and soft recovery is off")};
        else if (c.recoveries_per_tick > 0 && recovered >= c.recoveries_per_tick)
            limit =
                denial{recoveries_per_tick_limit, denial_scope::job,
                       detail::reason("waiting: at most ", c.recoveries_per_tick, " stall recover",
                                      c.recoveries_per_tick == 1 ? "y" : "ies",
                                      " per tick, lowest id first")};
        // The applier stores the count in the recovery record it appends (issue #17).
        for (action& a : st.verdict.recovery.actions())
            if (auto* w = std::get_if<set_status>(&a); w && w->rule == rule_id::stall_recovery)
                w->crawled_pages = subj.row.crawled_pages;
        const submission r =
            submit(rails, ctx, subj, st.verdict.recovery, out, accepted, std::move(limit));
        if (r.takes_effect()) ++recovered;
        account(subj, r);
        if (!r.takes_effect()) continue;
        // Issue #17, item 5: production's recovery also marks the other stalled running jobs of
        // the source retryable (`recover-stale-jobs --source S --limit 5`). warden sweeps the
        // safe subset, runner none, lowest id first, each through the rails like any recovery;
        // they do not count against recoveries_per_tick (production's limit is per command).
        std::int32_t swept = 0;
        for (std::size_t o = k + 1; o < stalls.size() && swept < c.same_source_recoveries_limit;
             ++o) {
            if (!same_source_sweepable(ctx, st, stalls[o])) continue;
            stalls[o].swept = true;
            const subject other = ctx.subject_at(stalls[o].index);
            proposal p = same_source_proposal(stalls[o].verdict);
            for (action& a : p.actions()) // a swept job's recovery record keeps its count too
                if (auto* w = std::get_if<set_status>(&a))
                    w->crawled_pages = other.row.crawled_pages;
            const submission sr = submit(rails, ctx, other, p, out, accepted);
            if (sr.takes_effect()) ++swept;
            account(other, sr);
        }
    }
    return holding;
}

template <class Rails>
void fill_queue(const Rails& rails, const decision_context& ctx,
                std::vector<std::uint32_t>& candidates, std::vector<skipped_start>& skipped,
                std::int64_t stalls_holding, plan& out, std::vector<accepted_action>& accepted) {
    const config& c = ctx.config;
    const snapshot& s = ctx.snapshot;
    const std::int64_t target = c.ensure_min_running_jobs;
    if (stalls_holding > 0) return;
    // Issue #21 item 1: a class below its own floor asks for starts beyond the global target.
    class_floors floors(ctx);
    const std::int64_t deficit = target > out.summary.running ? target - out.summary.running : 0;
    if (deficit <= 0 && !floors.any_short()) return;
    out.skipped = std::move(skipped);
    if (c.guards.stable_queue_order) {
        // Issue #22: each candidate's sort key is read from its row once, so the sort compares
        // flat keys, not rows (at 1e5 each row a cache miss) with two source_order scans a
        // comparison. The order is queue_before's (issue #21 item 1: a higher class priority
        // first, then queue order); ids are unique among candidates, so it is total and the
        // unstable sort gives the one order.
        struct queue_key {
            std::int32_t priority; // of the class; 0 without classes
            decltype(queue_order_key(c, s.jobs.front())) order;
            std::uint32_t index;
        };
        std::vector<queue_key> keys;
        keys.reserve(candidates.size());
        for (const std::uint32_t i : candidates) {
            const job& j = s.jobs[i];
            std::int32_t priority = 0;
            if (!c.classes.empty())
                if (const class_spec* k = class_spec_of(c, j)) priority = k->priority;
            keys.push_back({priority, queue_order_key(c, j), i});
        }
        std::sort(keys.begin(), keys.end(), [](const queue_key& a, const queue_key& b) {
            if (a.priority != b.priority) return a.priority > b.priority;
            return a.order < b.order;
        });
        for (std::size_t n = 0; n < keys.size(); ++n)
            candidates[n] = keys[n].index;
    }
    std::int64_t filled = 0;  // slots the candidates so far took, or would have taken
    std::int32_t started = 0; // starts taking effect this tick
    for (const std::uint32_t i : candidates) {
        if (filled >= deficit && !floors.any_short()) break;
        const std::size_t klass = floors.index_of(ctx, s.jobs[i]);
        if (filled >= deficit && !floors.short_of(klass)) continue; // only floors ask now
        const subject subj = ctx.subject_at(i);
        proposal p = queue_fill_start(c, subj.row);
        // Issue #16 item 11: past max_starts_per_tick a candidate waits for the next tick. The
        // rails' policies still go first, so a capped candidate shows its own reason, and moves
        // on to the next one (our choice, where production stops at the first capped job: a
        // broken source must not starve the campaign).
        // Issue #18, finding 1: a row that has run before waits for a readable process list. It
        // takes no slot, so a row that never ran may start in its place.
        std::optional<denial> limit = unreadable_process_list_limit(ctx, subj, p);
        if (!limit && c.max_starts_per_tick > 0 && started >= c.max_starts_per_tick)
            limit = denial{
                starts_per_tick_limit, denial_scope::job,
                detail::reason("waiting: at most ", c.max_starts_per_tick, " start",
                               c.max_starts_per_tick == 1 ? "" : "s",
                               " per tick, so each start's disk and load show before the next")};
        const submission r = submit(rails, ctx, subj, p, out, accepted, std::move(limit));
        switch (r.outcome) {
        case submitted::allowed:
        case submitted::dry_run:
            ++filled;
            ++started;
            ++out.summary.running;
            floors.add(klass);
            break;
        case submitted::denied_for_host: // every later candidate would be too
            ++filled;
            floors.add(klass);
            break;
        case submitted::denied_for_job:
            // Held back by the per-tick limit: it would have filled this slot, so the blocked
            // list names only the starts the deficit asks for.
            if (r.rail == starts_per_tick_limit) {
                ++filled;
                floors.add(klass);
            }
            break;
        }
    }
}

} // namespace detail

// The whole decision for one tick. Pure: it reads only its arguments, keeps no reference to them
// after it returns, and gives the same plan for the same input. Invalid input never throws: a
// host-wide error (config, disk figure) decides nothing; an invalid job gets no action.
template <class Rails>
[[nodiscard]] plan decide(const snapshot& s, const config& c, const Rails& rails) {
    static_assert(detail::diagnose_rail_set<Rails>(),
                  "warden::decide(snapshot, config, rails) requires 'rails' to be a rail set");
    plan out;
    out.summary.target = c.ensure_min_running_jobs;
    out.summary.jobs = static_cast<std::int64_t>(s.jobs.size());
    out.errors = validate(c);
    for (auto& e : validate_host(s))
        out.errors.push_back(std::move(e));
    if (!out.errors.empty()) return out;
    // Only now: an unvalidated creation time could overflow the age arithmetic.
    out.summary.deploy_lock = deploy_lock_in_effect(s.host, s.now, c.deploy_lock_stale_after);

    tick_facts facts = build_facts(s, c);
    out.errors = std::move(facts.errors); // empty until now: host-wide errors returned above
    out.summary.by_status = facts.by_status;
    out.summary.starts_last_24h = facts.starts_last_24h;
    out.summary.recoveries_last_24h = facts.recoveries_last_24h;
    std::vector<accepted_action> accepted; // the plan in progress, as rails see it (issue #21)
    // A tick's plan has a few dozen actions: reserved, `submit` does not regrow them 1, 2, 4, ...
    // (each growth moving every action so far; issue #22: 6 % of a 50-job tick). Not from N:
    // most rows propose nothing, and at 1e6 N actions would be about 100 MiB.
    accepted.reserve(32);
    out.actions.reserve(32);
    decision_context ctx = facts.context(s, c);
    ctx.in_progress = &accepted;
    // `accepted` only grows (submit appends): concurrency_limits may count it as it grows.
    facts.groups.growing_plan = &accepted;
    const std::int32_t target_year = target_campaign_year(c, s.now);
    // Every candidate and every skipped start is a waiting row: reserved from the facts pass's
    // counts, they grow without reallocating (issue #22).
    const auto waiting =
        static_cast<std::size_t>(facts.by_status[static_cast<std::size_t>(job_status::queued)] +
                                 facts.by_status[static_cast<std::size_t>(job_status::retryable)]);
    std::vector<std::uint32_t> candidates;
    candidates.reserve(waiting);
    std::vector<skipped_start> skipped;
    skipped.reserve(waiting);
    std::vector<detail::deferred_stall> stalls;

    for (std::size_t i = 0; i < s.jobs.size(); ++i) {
        const subject subj = ctx.subject_at(i);
        job_status status = subj.row.status;
        if (subj.facts.valid) {
            if (!detect_anomalies(subj, out.anomalies, c.guards.completed_at_is_completion)) {
                // Each verdict initialises its optional directly (issue #22): assigning the
                // rules' results into one optional moved a proposal of three actions, or at least
                // called out of line to find both empty, for every rule and every job.
                std::optional<proposal> p = [&]() -> std::optional<proposal> {
                    if (auto q = consistency_repair(ctx, subj)) return q;
                    if (auto q = failure_classification(ctx, subj)) return q;
                    if (auto q = retry_budget(ctx, subj)) return q;
                    return reconcile(ctx, subj);
                }();
                if (!p && stale_attempt_unowned(ctx, subj))
                    out.anomalies.push_back(
                        anomaly{subj.row.id, anomaly_kind::stalled_runner_unknown,
                                "waiting, held by a stale attempt whose runner cannot be named: "
                                "operator intervention required; nothing is written"});
                // Issue #21 item 4: a job past its class's deadline is failed, not recovered.
                // One whose runner cannot be stopped alone is an operator's, unless it has
                // stalled: then stall recovery acts (or names the operator) as for any stall.
                // deadline and stall_recovery judge only running rows and are called out of
                // line: asked here first, the other rows (most of them) skip two calls that
                // would return nothing (issue #22: about 35 instructions a row).
                const bool running = subj.row.status == job_status::running;
                std::optional<deadline_verdict> overdue =
                    p || !running ? std::optional<deadline_verdict>{} : deadline(ctx, subj);
                if (overdue && !overdue->runner_unknown) p = std::move(overdue->stop);
                std::optional<stall_verdict> stall =
                    p || !running ? std::optional<stall_verdict>{} : stall_recovery(ctx, subj);
                if (overdue && overdue->runner_unknown && !stall)
                    out.anomalies.push_back(
                        anomaly{subj.row.id, anomaly_kind::stalled_runner_unknown,
                                "past its deadline (max_runtime_minutes), and what runs it "
                                "cannot be stopped alone (a process warden does not own, a lock "
                                "with no process to signal, or no process list): operator "
                                "intervention required; nothing is written"});
                if (stall) {
                    stalls.push_back({static_cast<std::uint32_t>(i), std::move(*stall)});
                } else if (std::optional<proposal> q = p ? std::move(p) : orphan_sweep(ctx, subj)) {
                    const detail::submission r =
                        detail::submit(rails, ctx, subj, *q, out, accepted,
                                       detail::unreadable_process_list_limit(ctx, subj, *q));
                    if (r.takes_effect()) status = detail::status_after(*q, status);
                } else if (auto seen = degraded_rate(ctx, subj)) {
                    out.observations.push_back(*seen);
                    ++out.summary.degraded;
                } else if (waits_for_start(subj.row, subj.facts)) {
                    // The row's campaign, found once (the legacy name scan, issue #22): the
                    // class lookup, the eligibility and a skipped start's year all use it.
                    const auto campaign = queue_fill_campaign(c, subj.row);
                    if (const auto why = start_eligibility(c, subj.row, target_year, campaign)) {
                        skipped.push_back({subj.row.id, *why,
                                           campaign ? campaign->year : std::nullopt, target_year});
                    } else
                        candidates.push_back(static_cast<std::uint32_t>(i));
                }
            }
        }
        // An invalid row still occupies whatever it runs on, and a held lock on a job never
        // started is a start in flight: count both, so queue fill errs low.
        const bool unrecorded_start =
            is_waiting(status) && subj.facts.lock_held && !subj.row.started_at;
        if (status == job_status::running || unrecorded_start) ++out.summary.running;
    }
    const std::int64_t holding = detail::recover_stalls(rails, ctx, stalls, out, accepted);
    detail::fill_queue(rails, ctx, candidates, skipped, holding, out, accepted);
    return out;
}

#if defined(WARDEN_COMPILED)
// The compiled mode (docs/architecture.md, "Compiled mode"): decide with the default rails is
// compiled once, in the warden::compiled library (src/decide.cpp), not in every TU that calls it.
// Defined for the whole program or not at all, as the target's interface does: a TU without it
// would generate its own copy (harmless, only slower to build), one with it needs the library.
extern template plan decide<default_rail_set>(const snapshot&, const config&,
                                              const default_rail_set&);
// Out of line: one definition, in the library (include/warden/decide.hpp declares it too).
[[nodiscard]] plan decide(const snapshot& s, const config& c);
#else
[[nodiscard]] inline plan decide(const snapshot& s, const config& c) {
    return decide(s, c, default_rails());
}
#endif

} // namespace v0
} // namespace warden
