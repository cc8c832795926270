#pragma once
#include <warden/core/rule_id.hpp>
#include <warden/sim/options.hpp>
#include <warden/sim/rng.hpp>
#include <warden/sim/trace.hpp>
#include <warden/sim/world.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace warden::sim {

// "default", "none", "heavy", "stall=0.01,crash=0.002" (from none) or
// "default,stall=0.01" (a profile, then overrides).
[[nodiscard]] inline std::optional<fault_rates> parse_faults(std::string_view s) {
    fault_rates r;
    bool first = true;
    while (!s.empty()) {
        const auto comma = s.find(',');
        const std::string_view item = s.substr(0, comma);
        const auto eq = item.find('=');
        if (eq == std::string_view::npos) {
            if (!first) return std::nullopt;
            auto p = fault_profile(item);
            if (!p) return std::nullopt;
            r = *p;
        } else {
            const auto kind = parse_fault_kind(item.substr(0, eq));
            if (!kind) return std::nullopt;
            const std::string value{item.substr(eq + 1)};
            char* end = nullptr;
            const double rate = std::strtod(value.c_str(), &end);
            if (value.empty() || *end != '\0' || !(rate >= 0.0 && rate <= 1.0)) return std::nullopt;
            r[*kind] = rate;
        }
        first = false;
        if (comma == std::string_view::npos) break;
        s.remove_prefix(comma + 1);
    }
    return r;
}

// Swarm testing: each seed switches a random subset of fault kinds off, so rare interleavings
// are not drowned by common faults. Returns the rates and the names of the kinds kept.
[[nodiscard]] inline std::pair<fault_rates, std::string> swarm(const fault_rates& base,
                                                               std::uint64_t seed) {
    rng r = stream(seed, 5);
    fault_rates out = base;
    std::string kept;
    for (int k = 0; k < fault_kind_count; ++k) {
        const auto kind = static_cast<fault_kind>(k);
        if (r.chance(0.5))
            out[kind] = 0.0;
        else if (base[kind] > 0.0)
            kept += (kept.empty() ? "" : ",") + std::string{to_string(kind)};
    }
    return {out, kept.empty() ? "none" : kept};
}

[[nodiscard]] inline std::string format_summary(const summary& s, std::int64_t tick_seconds) {
    std::string out;
    auto line = [&](std::string_view key, const auto& value) {
        out += fmt::format("  {:<26} {}\n", key, value);
    };
    out +=
        fmt::format("warden-sim seed={} legacy={} jobs={}\n", s.seed, s.legacy.describe(), s.jobs);
    line("jobs completed", s.completed);
    line("failed: config error", s.failed_config);
    if (s.failed_infra > 0) line("failed: infra-error retries spent", s.failed_infra);
    line("not finished", s.not_finished);
    if (s.held_by_design > 0) line("held by design", s.held_by_design);
    line("starts (worker picks)", fmt::format("{} ({})", s.starts, s.worker_picks));
    line("restarts", s.restarts);
    line("stalls recovered", s.applied_by_rule[static_cast<std::size_t>(rule_id::stall_recovery)]);
    line("orphans swept", s.applied_by_rule[static_cast<std::size_t>(rule_id::orphan_sweep)]);
    line("reconciled", s.applied_by_rule[static_cast<std::size_t>(rule_id::reconcile)]);
    line("repaired", s.applied_by_rule[static_cast<std::size_t>(rule_id::consistency_repair)]);
    line("classified",
         s.applied_by_rule[static_cast<std::size_t>(rule_id::failure_classification)]);
    line("queue fill writes", s.applied_by_rule[static_cast<std::size_t>(rule_id::queue_fill)]);
    line("conflicts (watchdog/worker)",
         fmt::format("{}/{}", s.watchdog_conflicts, s.worker_conflicts));
    line("not reached after conflict", s.not_reached);
    line("host writes in the window", s.window_writes);
    line("second watchdog plans", s.second_watchdogs);
    std::string rails;
    for (const auto& [rail, n] : s.blocked_by_rail)
        rails += fmt::format("{}{}={}", rails.empty() ? "" : " ", rail, n);
    line("blocked by rails",
         fmt::format("{}{}", s.blocked, rails.empty() ? "" : " (" + rails + ")"));
    std::string faults;
    for (int k = 0; k < fault_kind_count; ++k)
        if (s.faults[static_cast<std::size_t>(k)] > 0)
            faults += fmt::format("{}{}={}", faults.empty() ? "" : " ",
                                  to_string(static_cast<fault_kind>(k)),
                                  s.faults[static_cast<std::size_t>(k)]);
    line("faults", faults.empty() ? std::string{"none"} : faults);
    line("finished crawls redone", s.finished_crawls_redone);
    line("retried after final stage", s.retryable_after_final_stage);
    if (s.time_to_complete_ticks >= 0)
        line("time to complete",
             fmt::format("{} ticks ({:.1f} h)", s.time_to_complete_ticks,
                         static_cast<double>(s.time_to_complete_ticks * tick_seconds) / 3600.0));
    else
        line("time to complete", "never");
    line("ticks run (liveness bound)", fmt::format("{} ({})", s.ticks_run, s.liveness_bound_ticks));
    line("trace hash", fmt::format("{:016x}", s.trace_hash));
    line("invariant violations", s.violations.size());
    for (const auto& v : s.violations)
        out += fmt::format("  VIOLATION {} at tick {} job {}: {}\n", to_string(v.what), v.tick,
                           v.job, v.message);
    return out;
}

} // namespace warden::sim
