#pragma once
#include <warden/core/config.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/time.hpp>
#include <warden/detail/assert.hpp>
#include <warden/facts/campaign.hpp>
#include <warden/facts/context.hpp>
#include <warden/rules/proposal.hpp>

#include <cstdint>
#include <optional>

namespace warden {
inline namespace v0 {

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
    const auto campaign = queue_fill_campaign(c, j);
    if (!campaign) return skip_reason::non_annual;
    if (campaign->year != target) return skip_reason::year_mismatch;
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
        // A candidate of legacy naming: its stamp is the year it was found eligible for.
        const auto year = legacy_annual_year(j);
        WARDEN_ASSERT(year.has_value(), "a start candidate that is not annual");
        p.add(backfill_campaign{j.id, j.status, version, campaign_kind::annual, *year,
                                rule_id::queue_fill});
        ++version;
    }
    const tool_options options =
        c.guards.raise_annual_minimums ? raised_to(j.options, c.annual_minimums) : j.options;
    p.add(start_job{j.id, j.status, version, options, rule_id::queue_fill});
    return p;
}

} // namespace v0
} // namespace warden
