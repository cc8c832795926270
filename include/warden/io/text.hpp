#pragma once
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/outcome.hpp>

#include <fmt/format.h>

#include <iterator>
#include <string>
#include <string_view>
#include <unordered_map>

namespace warden {
inline namespace v0 {

namespace detail {

class job_names {
  public:
    explicit job_names(const snapshot& s) {
        names_.reserve(s.jobs.size());
        for (const auto& j : s.jobs)
            names_.emplace(to_int(j.id), j.name);
    }
    [[nodiscard]] std::string label(job_id id) const {
        const auto it = names_.find(to_int(id));
        if (it == names_.end() || it->second.empty()) return fmt::format("job {}", to_int(id));
        return fmt::format("job {} {}", to_int(id), it->second);
    }

  private:
    std::unordered_map<std::int64_t, std::string_view> names_;
};

[[nodiscard]] inline std::string describe_evidence(const evidence& e) {
    switch (e.kind) {
    case evidence_kind::process: return fmt::format(", pid {}", e.value);
    case evidence_kind::progress_age: return fmt::format(", {} min without progress", e.value / 60);
    case evidence_kind::no_liveness: return fmt::format(", started {} min ago", e.value / 60);
    case evidence_kind::retry_count: return fmt::format(", {} retries made", e.value);
    default: return {};
    }
}

[[nodiscard]] inline std::string describe_options(const tool_options& o) {
    std::string out =
        fmt::format("restarts {}, timeout {}, http {}, backoff {} min", o.max_container_restarts,
                    o.error_threshold_timeout, o.error_threshold_http, o.backoff_delay_minutes);
    if (o.page_cap) out += fmt::format(", page cap {}", *o.page_cap);
    // Issue #8's options, only when set: a missing one is the crawler's default.
    if (o.monitoring) out += fmt::format(", monitoring {}", *o.monitoring ? "on" : "off");
    if (o.adaptive_restart)
        out += fmt::format(", adaptive restart {}", *o.adaptive_restart ? "on" : "off");
    if (o.stall_timeout_minutes)
        out += fmt::format(", stall timeout {} min", *o.stall_timeout_minutes);
    return out;
}

// One action as an operator reads it, without the leading "would".
struct action_describer {
    const job_names& names;

    std::string operator()(const set_status& a) const {
        std::string failure;
        if (a.failure) failure = fmt::format(" [{}]", to_string(*a.failure));
        return fmt::format("set {} {} -> {}{} ({}: {}{})", names.label(a.job),
                           to_string(a.expected_status), to_string(a.status), failure,
                           to_string(a.rule), a.reason, describe_evidence(a.evidence));
    }
    std::string operator()(const start_job& a) const {
        return fmt::format("start {} from {} with {} ({})", names.label(a.job),
                           to_string(a.expected_status), describe_options(a.options),
                           to_string(a.rule));
    }
    std::string operator()(const backfill_campaign& a) const {
        return fmt::format("backfill {} campaign annual {} ({}: legacy -{}0101 name)",
                           names.label(a.job), a.year, to_string(a.rule), a.year);
    }
    std::string operator()(const set_tool_options& a) const {
        return fmt::format("set tool options of {} to {} (was {}) ({})", names.label(a.job),
                           describe_options(a.after), describe_options(a.before),
                           to_string(a.rule));
    }
    std::string operator()(const stop_job& a) const {
        std::string runner = a.runner == runner_class::systemd_unit
                                 ? fmt::format("runner unit {}", a.unit)
                                 : fmt::format("runner {}", to_string(a.runner));
        if (!a.pids.empty()) runner += fmt::format(", pids {}", fmt::join(a.pids, " "));
        return fmt::format("{} {} ({}) ({}: {})", a.restart ? "restart" : "stop",
                           names.label(a.job), runner, to_string(a.rule), a.reason);
    }
};

} // namespace detail

// The dry-run an operator reads: what would change, what a rail blocked and why, what looks
// impossible, what input was rejected, a one-line summary and the tick's outcome.
[[nodiscard]] inline std::string render_text(const plan& p, const snapshot& s) {
    const detail::job_names names(s);
    const detail::action_describer describe{names};
    std::string out;
    auto line = std::back_inserter(out);
    for (const auto& e : p.errors)
        fmt::format_to(line, "error: {}: {}\n", e.field, e.message);
    for (const auto& a : p.actions)
        fmt::format_to(line, "would {}\n", std::visit(describe, a));
    for (const auto& b : p.blocked)
        fmt::format_to(line, "blocked by {}: {} -- {}\n", b.rail, std::visit(describe, b.proposed),
                       b.reason);
    for (const auto& a : p.anomalies)
        fmt::format_to(line, "anomaly: {} {}: {}\n", names.label(a.job), to_string(a.kind),
                       a.detail);
    for (const auto& k : p.skipped) {
        if (k.reason == skip_reason::year_mismatch && k.campaign_year)
            fmt::format_to(line, "skipped {}: year_mismatch (campaign {}, target {})\n",
                           names.label(k.job), *k.campaign_year, k.target_year);
        else if (k.reason == skip_reason::year_mismatch)
            fmt::format_to(line, "skipped {}: year_mismatch (no campaign year, target {})\n",
                           names.label(k.job), k.target_year);
        else
            fmt::format_to(line, "skipped {}: {}\n", names.label(k.job), to_string(k.reason));
    }
    fmt::format_to(line,
                   "summary: {} actions, {} blocked, {} anomalies, {} errors; running {} of target "
                   "{} after this plan, {} stalled, {} starts in the last 24 h\n",
                   p.actions.size(), p.blocked.size(), p.anomalies.size(), p.errors.size(),
                   p.summary.running, p.summary.target, p.summary.stalled,
                   p.summary.starts_last_24h);
    // The tick's one outcome, as `warden metrics` exports it (warden_last_result).
    const tick_reason why = outcome_of(p, s);
    fmt::format_to(line, "outcome: {} ({})\n", to_string(result_of(why)), to_string(why));
    return out;
}

} // namespace v0
} // namespace warden
