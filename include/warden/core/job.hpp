#pragma once
#include <warden/core/enum_names.hpp>
#include <warden/core/failure_class.hpp>
#include <warden/core/ids.hpp>
#include <warden/core/job_status.hpp>
#include <warden/core/time.hpp>
#include <warden/core/tool_options.hpp>

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

namespace warden {
inline namespace v0 {

enum class campaign_kind : std::uint8_t { none, annual };

inline constexpr int campaign_kind_count = 2;
inline constexpr std::string_view campaign_kind_names[] = {"none", "annual"};
static_assert(std::size(campaign_kind_names) == campaign_kind_count &&
                  static_cast<int>(campaign_kind::annual) + 1 == campaign_kind_count,
              "campaign_kind_names must name every kind, in order");

[[nodiscard]] constexpr std::string_view to_string(campaign_kind k) noexcept {
    return detail::name_in(campaign_kind_names, k);
}

[[nodiscard]] constexpr std::optional<campaign_kind>
parse_campaign_kind(std::string_view s) noexcept {
    return detail::parse_in<campaign_kind>(campaign_kind_names, s);
}

// One database row, as the host read it. Plain data: warden never keeps a pointer to it after
// decide() returns.
struct job {
    job_id id{};
    std::string name;
    std::string source; // hc, phac, cihr, or any host string
    std::string output_dir;
    job_status status = job_status::queued;
    campaign_kind kind = campaign_kind::none;
    std::optional<std::int32_t> campaign_year;
    timestamp queued_at{};
    std::optional<timestamp> started_at;
    std::optional<timestamp> finished_at;
    // The first time the host saw crawled_pages at its current value (issue #8): progress is a
    // change of the counter, not a log line, and the freshest source wins.
    std::optional<timestamp> last_progress_at;
    std::optional<std::int64_t> crawled_pages;
    // False when the host had no progress source at all for this job: it is then neither stalled
    // nor progressing, whatever its start time says.
    bool progress_known = true;
    std::optional<timestamp> completed_at;
    std::int32_t retry_count = 0;
    failure_class failure = failure_class::none;
    std::string last_error;
    tool_options options;
    std::optional<std::string> last_stage;
    bool has_outputs = false;
    std::int64_t version = 0; // optimistic-lock counter; every write bumps it by exactly one
    // When the row was created (issue #8): queue order's tie-break after queued_at, a row
    // without one first. Optional: older hosts and databases do not record it.
    std::optional<timestamp> created_at = std::nullopt;
    // When the row was last written by its pipeline (issue #17, recap's third repair): a queued
    // (pending) job stuck mid-pipeline longer than stale_pipeline_after is failed. Optional:
    // without it that repair never fires.
    std::optional<timestamp> updated_at = std::nullopt;
    // Consecutive progress observations whose rate stayed under
    // config.degraded_rate_pages_per_minute, as the host's progress_tracker counted them (issue
    // #17, degraded-rate observation). 0: not slow, or not measured.
    std::int32_t degraded_streak = 0;
    // Issue #21: the job's class, named explicitly by the host (JSON and column `class`); empty:
    // recognised from config.classes, if any. Concurrency limits by class count it.
    std::string job_class = {};
    // Issue #21 item 2: a host-defined group (JSON and column `group_key`: a crawler pool, a
    // target site), counted by concurrency_limits `by: group_key`. Empty: in no group.
    std::string group_key = {};
    friend bool operator==(const job&, const job&) = default;
};

} // namespace v0
} // namespace warden
