#pragma once
#include <warden/core/config.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/time.hpp>
#include <warden/rails/context.hpp>
#include <warden/rails/legacy_annual.hpp>
#include <warden/rules/proposal.hpp>

#include <cstdint>
#include <optional>

namespace warden {
inline namespace v0 {

// The campaign year queue fill sees for a job, honouring the legacy-detection switch (B3).
[[nodiscard]] constexpr std::optional<std::int32_t> queue_fill_year(const config& c,
                                                                    const job& j) noexcept {
    if (j.kind == campaign_kind::annual) return j.campaign_year ? *j.campaign_year : 0;
    if (!c.guards.legacy_detection) return std::nullopt;
    return legacy_annual_year(j);
}

// The campaign year queue fill serves this tick: the configured one, else the year of `now`.
[[nodiscard]] constexpr std::int32_t target_campaign_year(const config& c, timestamp now) noexcept {
    return c.campaign_year ? *c.campaign_year : utc_year(now);
}

// B2, B6: a job queue fill may consider: waiting, not a config error, and with no live attempt
// anywhere (B11: never start a job something still runs). Whether it is of the campaign is
// decided next, by start_eligibility().
[[nodiscard]] constexpr bool waits_for_start(const job& j, const job_facts& f) noexcept {
    return is_waiting(j.status) && j.failure != failure_class::infra_error_config &&
           !f.has_live_evidence() && !f.in_running_set;
}

// B3 and the target year: nullopt when the job is a candidate, else why it is passed over.
[[nodiscard]] constexpr std::optional<skip_reason> start_eligibility(const config& c, const job& j,
                                                                     std::int32_t target) noexcept {
    const auto year = queue_fill_year(c, j);
    if (!year) return skip_reason::non_annual;
    if (*year != target) return skip_reason::year_mismatch;
    return std::nullopt;
}

[[nodiscard]] constexpr bool is_start_candidate(const config& c, const job& j, const job_facts& f,
                                                timestamp now) noexcept {
    return waits_for_start(j, f) && !start_eligibility(c, j, target_campaign_year(c, now));
}

// One start: a legacy job first gets its campaign metadata (B3), then the start with options
// raised to the annual minimums (B4). Versions chain: the start expects the backfill's version.
[[nodiscard]] inline proposal queue_fill_start(const config& c, const job& j) {
    proposal p;
    std::int64_t version = j.version;
    if (j.kind != campaign_kind::annual) {
        p.add(backfill_campaign{j.id, j.status, version, campaign_kind::annual,
                                *queue_fill_year(c, j), rule_id::queue_fill});
        ++version;
    }
    const tool_options options =
        c.guards.raise_annual_minimums ? raised_to(j.options, c.annual_minimums) : j.options;
    p.add(start_job{j.id, j.status, version, options, rule_id::queue_fill});
    return p;
}

} // namespace v0
} // namespace warden
