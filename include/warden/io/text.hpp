#pragma once
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/facts/campaign.hpp>
#include <warden/outcome.hpp>

#include <fmt/format.h>

#include <iterator>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace warden {
inline namespace v0 {

namespace detail {

// Appends `c` as an escape: \n, \r, \t, \\ or \xNN.
inline void append_escape(std::string& out, unsigned char c) {
    switch (c) {
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    case '\\': out += "\\\\"; return;
    default: out += fmt::format("\\x{:02x}", c); return;
    }
}

// The line breaks a reader may split on besides the ASCII controls: U+0085 (NEL), U+2028 and
// U+2029 (Python's str.splitlines() splits on all three), and the other C1 controls U+0080..
// U+009F, which some terminals obey. Returns the length of such a UTF-8 sequence at `at`, or 0.
[[nodiscard]] constexpr std::size_t unicode_break_at(std::string_view s, std::size_t at) noexcept {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[at + k]); };
    if (at + 1 < s.size() && b(0) == 0xc2 && b(1) >= 0x80 && b(1) <= 0x9f) return 2;
    if (at + 2 < s.size() && b(0) == 0xe2 && b(1) == 0x80 && (b(2) == 0xa8 || b(2) == 0xa9))
        return 3;
    return 0;
}

// Escapes what could break a line of text output into several, or restyle a terminal: ASCII
// control characters (\n, \r, \t, \xNN; DEL is \x7f) and U+0080..U+009F, U+2028, U+2029
// (\u0085 ...). With `structural`, also the backslash (so every escape is unambiguous) and the
// parentheses that delimit a line's parts: a name cannot carry a fake "(runner worker, pids 1)"
// group. Names and units are escaped with it, free text (reasons, messages) without.
[[nodiscard]] inline std::string escaped(std::string_view s, bool structural) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (const std::size_t n = unicode_break_at(s, i); n != 0) {
            const auto last = static_cast<unsigned char>(s[i + n - 1]);
            // C2 xx is U+00xx; E2 80 A8/A9 is U+2028/U+2029.
            const unsigned code = n == 2 ? last : 0x2000u + (last - 0x80u);
            out += fmt::format("\\u{:04x}", code);
            i += n - 1;
        } else if (c < 0x20 || c == 0x7f || (structural && (c == '\\' || c == '(' || c == ')'))) {
            append_escape(out, c);
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

} // namespace detail

// A host's free text (a rail's reason, an error message, a key named in a warning) as one line:
// control characters and Unicode line breaks escaped (docs/formats.md, "Text output").
[[nodiscard]] inline std::string escape_text(std::string_view s) {
    return detail::escaped(s, false);
}

// A name (a job's, a systemd unit's) as text output renders it: escape_text's escapes plus `\\`,
// `\x28` and `\x29` for the backslash and parentheses, so a name can neither start a new line nor
// imitate the "(runner ..., pids ...)" part of a stop.
[[nodiscard]] inline std::string escape_name(std::string_view s) {
    return detail::escaped(s, true);
}

namespace detail {

class job_names {
  public:
    explicit job_names(const snapshot& s) {
        names_.reserve(s.jobs.size());
        for (const auto& j : s.jobs) {
            names_.emplace(to_int(j.id), j.name);
            if (metadata_year_without_kind(j)) year_without_kind_.insert(to_int(j.id));
        }
    }
    // Whether a backfill of this job comes from its own campaign_year (issue #16 item 8), not
    // from a legacy name.
    [[nodiscard]] bool has_year_without_kind(job_id id) const {
        return year_without_kind_.count(to_int(id)) != 0;
    }
    [[nodiscard]] std::string label(job_id id) const {
        const auto it = names_.find(to_int(id));
        if (it == names_.end() || it->second.empty()) return fmt::format("job {}", to_int(id));
        return fmt::format("job {} {}", to_int(id), escape_name(it->second));
    }

  private:
    std::unordered_map<std::int64_t, std::string_view> names_;
    std::unordered_set<std::int64_t> year_without_kind_;
};

[[nodiscard]] inline std::string describe_evidence(const evidence& e) {
    switch (e.kind) {
    case evidence_kind::process: return fmt::format(", pid {}", e.value);
    case evidence_kind::progress_age: return fmt::format(", {} min without progress", e.value / 60);
    case evidence_kind::no_liveness: return fmt::format(", started {} min ago", e.value / 60);
    case evidence_kind::retry_count: return fmt::format(", {} retries made", e.value);
    case evidence_kind::stale_update: return fmt::format(", not updated for {} min", e.value / 60);
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
    // Issue #17 item 3's options, only when set.
    if (!o.docker_shm_size.empty()) out += fmt::format(", shm {}", o.docker_shm_size);
    if (o.skip_final_build)
        out += fmt::format(", final build {}", *o.skip_final_build ? "skipped" : "kept");
    if (o.initial_workers) out += fmt::format(", initial workers {}", *o.initial_workers);
    return out;
}

// One action as an operator reads it, without the leading "would".
struct action_describer {
    const job_names& names;

    std::string operator()(const set_status& a) const {
        std::string failure;
        if (a.failure) failure = fmt::format(" [{}]", to_string(*a.failure));
        return fmt::format("set {} {} -> {}{}{} ({}: {}{})", names.label(a.job),
                           to_string(a.expected_status), to_string(a.status), failure,
                           a.clears_finished_at ? ", clearing finished_at" : "", to_string(a.rule),
                           escape_text(a.reason), describe_evidence(a.evidence));
    }
    std::string operator()(const start_job& a) const {
        return fmt::format("start {} from {} with {} ({})", names.label(a.job),
                           to_string(a.expected_status), describe_options(a.options),
                           to_string(a.rule));
    }
    std::string operator()(const backfill_campaign& a) const {
        if (names.has_year_without_kind(a.job))
            return fmt::format("backfill {} campaign annual {} ({}: campaign_year {} without "
                               "campaign_kind)",
                               names.label(a.job), a.year, to_string(a.rule), a.year);
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
                                 ? fmt::format("runner unit {}", escape_name(a.unit))
                                 : fmt::format("runner {}", to_string(a.runner));
        if (!a.pids.empty()) runner += fmt::format(", pids {}", fmt::join(a.pids, " "));
        return fmt::format("{} {} ({}) ({}: {})", a.restart ? "restart" : "stop",
                           names.label(a.job), runner, to_string(a.rule), escape_text(a.reason));
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
        fmt::format_to(line, "error: {}: {}\n", escape_text(e.field), escape_text(e.message));
    for (const auto& a : p.actions)
        fmt::format_to(line, "would {}\n", std::visit(describe, a));
    for (const auto& b : p.blocked)
        fmt::format_to(line, "blocked by {}: {} -- {}\n", escape_text(b.rail),
                       std::visit(describe, b.proposed), escape_text(b.reason));
    for (const auto& a : p.anomalies)
        fmt::format_to(line, "anomaly: {} {}: {}\n", names.label(a.job), to_string(a.kind),
                       escape_text(a.detail));
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
    for (const auto& o : p.observations)
        fmt::format_to(line,
                       "observe: {} {} ({} consecutive observations under the degraded rate; no "
                       "action)\n",
                       names.label(o.job), to_string(o.kind), o.value);
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
