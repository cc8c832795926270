#pragma once
#include <warden/core/config.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/time.hpp>
#include <warden/detail/assert.hpp>
#include <warden/facts/campaign.hpp>
#include <warden/facts/context.hpp>
#include <warden/facts/job_class.hpp>
#include <warden/rules/proposal.hpp>
#include <warden/rules/recovery_options.hpp>

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

// Issue #21 item 1 (year rollover): until when the annual campaigns of a job of class `k` stay
// startable. The class's campaign_open_until; missing, closed (a class config defines: a campaign
// runs until it is finished or an operator closes it). The implicit `annual` class (no `classes`
// key) says calendar_year, and a job of no class keeps it too: warden's behaviour before.
[[nodiscard]] inline campaign_end campaign_open_until(const class_spec* k) noexcept {
    if (!k) return campaign_end::calendar_year;
    return k->campaign_open_until.value_or(campaign_end::closed);
}

// B3, the target year and the job's class (issue #21 item 1): nullopt when the job is a
// candidate, else why it is passed over. A job of an annual campaign is a candidate while its
// campaign is open: under calendar_year for the target year only; under closed for the target
// year and every earlier one (a campaign still running on January 1st goes on), never a later
// one, and never one without a year; never a year its class lists in closed_campaign_years. One of
// a class that is not annual (a name pattern, an explicit `class`) is a candidate as it is; a job
// of no class, or of a class whose queue_fill is false, is not. Without config.classes the one
// class is annual with calendar_year: exactly the rule before classes.
// `campaign` must be queue_fill_campaign(c, j): decide computes it once per waiting row and
// passes it here and to class_spec_of, which each scanned the name for it before (issue #22).
[[nodiscard]] inline std::optional<skip_reason>
start_eligibility(const config& c, const job& j, std::int32_t target,
                  const std::optional<annual_campaign>& campaign) noexcept {
    const class_spec* k = class_spec_of(c, j, campaign);
    if (k && !k->queue_fill) return skip_reason::class_not_queue_filled;
    if (!campaign) return k ? std::nullopt : std::optional{skip_reason::non_annual};
    if (k && campaign->year)
        for (const std::int32_t closed : k->closed_campaign_years)
            if (closed == *campaign->year) return skip_reason::campaign_closed;
    if (campaign_open_until(k) == campaign_end::closed) {
        if (!campaign->year || *campaign->year > target) return skip_reason::year_mismatch;
        return std::nullopt;
    }
    if (campaign->year != target) return skip_reason::year_mismatch;
    return std::nullopt;
}

[[nodiscard]] inline std::optional<skip_reason> start_eligibility(const config& c, const job& j,
                                                                  std::int32_t target) noexcept {
    return start_eligibility(c, j, target, queue_fill_campaign(c, j));
}

[[nodiscard]] inline bool is_start_candidate(const config& c, const job& j, const job_facts& f,
                                             timestamp now) noexcept {
    return waits_for_start(j, f) && !start_eligibility(c, j, target_campaign_year(c, now));
}

// One start: a job without a kind first gets its campaign metadata (B3, issue #16 item 8), then
// the start with the options a recovery would write (issue #16 item 7: production calls
// _ensure_recovery_tool_options before every auto-start): monitoring and adaptive restart on,
// the annual minimums (B4), the stall timeout filled. Versions chain: the start expects the
// backfill's version.
[[nodiscard]] inline proposal queue_fill_start(const config& c, const job& j) {
    proposal p;
    std::int64_t version = j.version;
    if (j.kind != campaign_kind::annual && queue_fill_campaign(c, j)) {
        // A candidate without a kind: its campaign_year (issue #16 item 8) or its legacy stamp
        // is the year it was found eligible for. A job of a class that is not annual (issue #21)
        // is started as it is.
        const auto year = backfill_year(j);
        WARDEN_ASSERT(year.has_value(), "an annual start candidate without a year");
        p.add(backfill_campaign{j.id, j.status, version, campaign_kind::annual, *year,
                                rule_id::queue_fill});
        ++version;
    }
    p.add(start_job{j.id, j.status, version, start_options(c, j), rule_id::queue_fill});
    return p;
}

} // namespace v0
} // namespace warden
