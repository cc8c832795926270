#pragma once
// One decision as a Prometheus textfile (node_exporter's textfile collector). docs/metrics.md
// lists every metric and why it exists.
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/outcome.hpp>
#include <warden/version.hpp>

#include <boost/hana/unpack.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace warden {
inline namespace v0 {

namespace detail {

// Label values may hold a host rail's own name: escape what the exposition format reserves.
[[nodiscard]] inline std::string prometheus_label(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

class textfile {
  public:
    // Every metric is a gauge: a textfile holds one decision, and a counter that restarts from
    // zero on every run would make rate() report nonsense.
    void family(std::string_view name, std::string_view help) {
        fmt::format_to(std::back_inserter(out_), "# HELP warden_{} {}\n# TYPE warden_{} gauge\n",
                       name, help, name);
    }
    void sample(std::string_view name, std::int64_t value) {
        fmt::format_to(std::back_inserter(out_), "warden_{} {}\n", name, value);
    }
    void sample(std::string_view name, double value) {
        fmt::format_to(std::back_inserter(out_), "warden_{} {}\n", name, value);
    }
    void sample(std::string_view name, std::string_view label, std::string_view value,
                std::int64_t n) {
        fmt::format_to(std::back_inserter(out_), "warden_{}{{{}=\"{}\"}} {}\n", name, label,
                       prometheus_label(value), n);
    }
    void sample(std::string_view name, std::string_view label1, std::string_view value1,
                std::string_view label2, std::string_view value2, std::int64_t n) {
        fmt::format_to(std::back_inserter(out_), "warden_{}{{{}=\"{}\",{}=\"{}\"}} {}\n", name,
                       label1, prometheus_label(value1), label2, prometheus_label(value2), n);
    }
    [[nodiscard]] std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

// Denials per rail: every rail of the set is always present (a zero is information), then the
// names only the plan knows (engine limits such as recoveries_per_tick) in the order they first
// appear.
template <class Rails>
[[nodiscard]] std::vector<std::pair<std::string_view, std::int64_t>>
denials_by_rail(const plan& p, const Rails& rails) {
    std::vector<std::pair<std::string_view, std::int64_t>> out;
    boost::hana::unpack(rails, [&](const auto&... rail) {
        (out.emplace_back(std::remove_cvref_t<decltype(rail)>::name, 0), ...);
    });
    for (const blocked_action& b : p.blocked) {
        auto it =
            std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == b.rail; });
        if (it == out.end()) it = out.insert(out.end(), {b.rail, 0});
        ++it->second;
    }
    return out;
}

} // namespace detail

// The textfile for one decision. `p.errors` non-empty means the input was refused (or, for a job
// row, partly refused): then only the input metrics are written, because the decision metrics
// would describe a decision that was not made. `rails` is the rail set the plan was decided with
// (warden::default_rails() for the CLI): io/ sits below the rails and does not pick one.
template <class Rails>
[[nodiscard]] std::string render_prometheus(const plan& p, const snapshot& s, const Rails& rails) {
    detail::textfile t;
    t.family("build_info", "Always 1; the label is the warden version that wrote this file.");
    t.sample("build_info", "version",
             fmt::format("{}.{}.{}", version_major, version_minor, version_patch), 1);
    t.family("input_valid", "1 if the snapshot was accepted and decided, 0 if it was refused.");
    t.sample("input_valid", std::int64_t{p.errors.empty() ? 1 : 0});
    t.family("validation_errors", "Errors found in the snapshot; any error means no decision.");
    t.sample("validation_errors", static_cast<std::int64_t>(p.errors.size()));
    if (!p.errors.empty()) return t.take();

    t.family("snapshot_timestamp_seconds", "The snapshot's now, in Unix seconds.");
    t.sample("snapshot_timestamp_seconds", epoch_seconds(s.now));

    t.family("plan_actions", "Actions in the plan that every rail allowed, by rule.");
    for (const rule_id r : {rule_id::consistency_repair, rule_id::failure_classification,
                            rule_id::retry_budget, rule_id::reconcile, rule_id::stall_recovery,
                            rule_id::orphan_sweep, rule_id::queue_fill, rule_id::deadline})
        t.sample("plan_actions", "rule", to_string(r),
                 p.summary.actions_by_rule[static_cast<std::size_t>(r)]);

    t.family("plan_blocked_actions", "Actions a rail blocked, by the first rail that denied them.");
    for (const auto& [rail, n] : detail::denials_by_rail(p, rails))
        t.sample("plan_blocked_actions", "rail", rail, n);

    t.family("anomalies", "Impossible or ambiguous job states reported for a human, by kind.");
    for (int i = 0; i < anomaly_kind_count; ++i) {
        const auto k = static_cast<anomaly_kind>(i);
        t.sample("anomalies", "kind", to_string(k),
                 std::count_if(p.anomalies.begin(), p.anomalies.end(),
                               [&](const anomaly& a) { return a.kind == k; }));
    }

    t.family("jobs", "Jobs in the snapshot by status, as read (before the plan).");
    for (int i = 0; i < job_status_count; ++i)
        t.sample("jobs", "status", to_string(static_cast<job_status>(i)),
                 p.summary.by_status[static_cast<std::size_t>(i)]);

    t.family("stalled_jobs", "Running jobs without progress for stall_after_minutes.");
    t.sample("stalled_jobs", p.summary.stalled);
    t.family("degraded_jobs",
             "Running jobs whose progress rate stayed under "
             "degraded_rate_pages_per_minute for degraded_rate_ticks observations.");
    t.sample("degraded_jobs", p.summary.degraded);
    t.family("running_jobs", "Jobs running once the plan is applied.");
    t.sample("running_jobs", p.summary.running);
    t.family("target_running_jobs",
             "ensure_min_running_jobs: the running jobs queue fill aims at.");
    t.sample("target_running_jobs", p.summary.target);
    t.family("starts_last_24h", "Job starts in the persisted history within the last 24 hours.");
    t.sample("starts_last_24h", p.summary.starts_last_24h);
    t.family("recoveries_last_24h",
             "Stall recoveries in the persisted history within the last 24 hours.");
    t.sample("recoveries_last_24h", p.summary.recoveries_last_24h);

    t.family("last_result", "1 for this tick's outcome (result and reason), 0 for the others.");
    const tick_reason outcome = outcome_of(p, s);
    for (int i = 0; i < tick_reason_count; ++i) {
        const auto r = static_cast<tick_reason>(i);
        t.sample("last_result", "result", to_string(result_of(r)), "reason", to_string(r),
                 std::int64_t{r == outcome ? 1 : 0});
    }

    t.family("host_sentinel_present", "1 if the automation sentinel is present (writes allowed).");
    t.sample("host_sentinel_present", std::int64_t{s.host.sentinel_present ? 1 : 0});
    t.family("host_deploy_lock_present",
             "1 if a deploy holds the deploy lock, or it is unprobeable and not yet stale.");
    t.sample("host_deploy_lock_present", std::int64_t{p.summary.deploy_lock ? 1 : 0});
    // Issue #21 item 5: scope "all" is the sentinel (1: absent, nothing is written); one sample
    // per paused source and class, as the host listed them.
    t.family("paused", "1 for what is paused: all writes (sentinel absent), or one source's or "
                       "class's starts.");
    t.sample("paused", "scope", "all", std::int64_t{s.host.sentinel_present ? 0 : 1});
    for (const std::string& name : s.host.paused_sources)
        t.sample("paused", "scope", "source", "name", name, 1);
    for (const std::string& name : s.host.paused_classes)
        t.sample("paused", "scope", "class", "name", name, 1);
    t.family("host_disk_used_ratio", "Share of the crawl disk in use, 0 to 1.");
    t.sample("host_disk_used_ratio", s.host.disk_used_percent / 100.0);
    return t.take();
}

} // namespace v0
} // namespace warden
