#pragma once
#include <warden/detail/text.hpp>
#include <warden/facts/context.hpp>
#include <warden/facts/liveness.hpp>
#include <warden/rules/proposal.hpp>

#include <optional>
#include <string_view>

namespace warden {
inline namespace v0 {

[[nodiscard]] inline bool is_infra_error(const config& c, const detail::lowered_text& text) {
    for (const auto& pattern : c.infra_error_patterns)
        if (text.contains(pattern)) return true;
    return false;
}

[[nodiscard]] inline bool is_infra_error(const config& c, std::string_view last_error) {
    return is_infra_error(c, detail::lowered_text{last_error});
}

// Infra markers first (issue #16 item 4, production's worker order): a log that shows both a
// storage failure and an argument error failed on the storage, which may recover; failing the
// row for good would turn a flaky mount into a lost crawl. The text is lower-cased once for all
// the patterns (issue #22).
[[nodiscard]] inline bool is_config_error(const config& c, std::string_view last_error) {
    const detail::lowered_text text{last_error};
    if (is_infra_error(c, text)) return false;
    for (const auto& pattern : c.config_error_patterns)
        if (text.contains(pattern)) return true;
    return false;
}

// B6: a job whose own arguments are invalid fails the same way on every retry, burning the whole
// retry budget and a worker slot each time. Classify it infra_error_config and stop retrying.
// A job with a live attempt (a lock, a process or a running-set entry: runtime_alive, review 7
// finding 3) is left alone: its last_error belongs to an earlier attempt, and failing a running
// crawl is the drift reconcile exists to undo.
[[nodiscard]] inline std::optional<proposal> failure_classification(const decision_context& ctx,
                                                                    const subject& s) {
    const job& j = s.row;
    if (!ctx.config.guards.classify_config_errors) return std::nullopt;
    if (j.status != job_status::failed && j.status != job_status::retryable) return std::nullopt;
    // Only a job already failed as a config error is done.
    if (j.status == job_status::failed && j.failure == failure_class::infra_error_config)
        return std::nullopt;
    if (runtime_alive(s.facts)) return std::nullopt;
    // A retryable job someone already classed a config error fails whatever its last_error says:
    // queue fill never starts it, so left retryable it would sit there for ever.
    const bool classed = j.failure == failure_class::infra_error_config;
    if (!classed && (j.last_error.empty() || !is_config_error(ctx.config, j.last_error)))
        return std::nullopt;
    proposal p;
    p.add(set_status{j.id,
                     j.status,
                     j.version,
                     job_status::failed,
                     failure_class::infra_error_config,
                     rule_id::failure_classification,
                     classed ? "classed a config error: a retry cannot succeed"
                             : "last_error names invalid arguments: a retry cannot succeed",
                     {evidence_kind::error_pattern, 0}});
    return p;
}

} // namespace v0
} // namespace warden
