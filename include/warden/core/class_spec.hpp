#pragma once
#include <warden/core/backoff_policy.hpp>
#include <warden/core/enum_names.hpp>
#include <warden/core/job.hpp>
#include <warden/core/tool_options.hpp>

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden {
inline namespace v0 {

// Issue #21 item 1: until when the jobs of an annual campaign stay startable.
enum class campaign_end : std::uint8_t {
    calendar_year, // while the campaign's year is the target year (config.campaign_year, else
                   // the UTC year of now): warden's behaviour before classes
    closed,        // until the campaign is finished or an operator closes its year
                   // (class_spec::closed_campaign_years)
};

inline constexpr int campaign_end_count = 2;
inline constexpr std::string_view campaign_end_names[] = {"calendar_year", "closed"};
static_assert(std::size(campaign_end_names) == campaign_end_count &&
                  static_cast<int>(campaign_end::closed) + 1 == campaign_end_count,
              "campaign_end_names must name every value, in order");

[[nodiscard]] constexpr std::string_view to_string(campaign_end e) noexcept {
    return detail::name_in(campaign_end_names, e);
}

[[nodiscard]] constexpr std::optional<campaign_end>
parse_campaign_end(std::string_view s) noexcept {
    return detail::parse_in<campaign_end>(campaign_end_names, s);
}

// Issue #21 item 1: one class of work (config.classes). A job is of the class it names in its
// `class` field; failing that, of the first class in config order that recognises it, by its
// campaign kind or by a pattern on its name (facts/job_class.hpp). Without a `classes` key the
// one class is `annual`: campaign kind annual, queue fill on, which is warden's behaviour before
// classes existed.
struct class_spec {
    std::string name;
    // Recognises the jobs of an annual campaign (kind, campaign_year or -YYYY0101 stamp, as queue
    // fill reads them). none: recognises none by kind.
    campaign_kind campaign = campaign_kind::none;
    // Recognises a job whose name matches this glob: `*` any run of characters, `?` one byte.
    // Empty: recognises none by name.
    std::string name_pattern = {};
    // Whether queue fill may start the class's jobs. A class that is not annual is started as it
    // is (no campaign backfill, no year); one with queue_fill false is passed over
    // (skip reason class_not_queue_filled).
    bool queue_fill = true;
    // Among queue fill's candidates, a higher priority goes first; ties keep queue order.
    std::int32_t priority = 0;
    // Queue fill keeps at least this many of the class's jobs running (counted as the global
    // target counts), beyond config.ensure_min_running_jobs. Missing: no floor of its own.
    std::optional<std::int32_t> ensure_min_running_jobs = std::nullopt;
    // Issue #21 item 3: a retryable job of the class is not started before its backoff has
    // passed (facts/backoff.hpp, rails/retry_backoff.hpp). Missing: retried at once, as before.
    std::optional<backoff_policy> backoff = std::nullopt;
    // Issue #21 item 4: a running job of the class that has run longer than this since its
    // started_at is stopped and failed, reason deadline_exceeded (rules/deadline.hpp). Missing:
    // no deadline (production's annual crawls must never be capped).
    std::optional<std::int32_t> max_runtime_minutes = std::nullopt;
    // Issue #21 item 1 (year rollover): until when the class's annual campaigns stay startable.
    // Missing: calendar_year for the implicit `annual` class (no `classes` key: warden's
    // behaviour before), closed for a class config defines (a campaign runs until finished).
    std::optional<campaign_end> campaign_open_until = std::nullopt;
    // The campaign years an operator has closed: their jobs are no longer started (skip reason
    // campaign_closed), under either campaign_open_until.
    std::vector<std::int32_t> closed_campaign_years = {};
    // Issue #21 item 1: the class's recovery options and annual-style minimums
    // (facts/class_recovery.hpp). Each missing key keeps the global value for the job: an annual
    // job config.annual_minimums (a source profile's), max_container_restarts raised to theirs at
    // a recovery, annual_stall_timeout_minutes; any other job no minimums,
    // recovery_min_restarts_non_annual and no stall timeout.
    // The B4 fields (max_container_restarts, error_threshold_timeout, error_threshold_http,
    // backoff_delay_minutes) the class's jobs are started and recovered with at least (while
    // guards.raise_annual_minimums is on), and which the annual_minimums rail holds them to, with
    // no page cap, as an annual crawl.
    std::optional<tool_options> minimums = std::nullopt;
    // A recovery raises max_container_restarts to at least this. Missing: minimums'
    // max_container_restarts when the job has minimums, else recovery_min_restarts_non_annual.
    std::optional<std::int32_t> recovery_min_restarts = std::nullopt;
    // A recovery or start of a row with no stall_timeout_minutes sets it to this (an explicit one
    // is kept). Missing: annual_stall_timeout_minutes for an annual job, none for another.
    std::optional<std::int32_t> stall_timeout_minutes = std::nullopt;
    friend bool operator==(const class_spec&, const class_spec&) = default;
};

} // namespace v0
} // namespace warden
