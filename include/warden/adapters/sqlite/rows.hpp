#pragma once
// One job row in and out of the jobs table, as is: the column list, binding and reading, and the
// plain inserts hosts' fixtures, the simulator and the examples use.
#include <warden/adapters/sqlite/connection.hpp>
#include <warden/core/failure_class.hpp>
#include <warden/core/ids.hpp>
#include <warden/core/job.hpp>
#include <warden/core/job_status.hpp>
#include <warden/core/time.hpp>
#include <warden/core/tool_options.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace warden {
inline namespace v0 {
namespace sqlite {

namespace detail {

inline constexpr std::string_view job_columns =
    "id, name, source, output_dir, status, campaign_kind, campaign_year, queued_at, started_at, "
    "finished_at, last_progress_at, completed_at, retry_count, failure_class, last_error, "
    "max_container_restarts, error_threshold_timeout, error_threshold_http, "
    "backoff_delay_minutes, page_cap, last_stage, has_outputs, version, monitoring, "
    "adaptive_restart, stall_timeout_minutes, created_at";

[[nodiscard]] inline std::optional<std::string_view> failure_text(failure_class f) {
    if (f == failure_class::none) return std::nullopt;
    if (f >= failure_class::first_host_defined) return std::nullopt;
    return to_string(f);
}

// Issue #8's options (schema version 3): NULL for a missing value.
inline void bind_recovery_options(statement& st, int first, const tool_options& o) {
    auto flag = [](const std::optional<bool>& b) {
        return b ? std::optional<std::int64_t>{*b ? 1 : 0} : std::nullopt;
    };
    st.bind(first, flag(o.monitoring));
    st.bind(first + 1, flag(o.adaptive_restart));
    st.bind(first + 2, o.stall_timeout_minutes
                           ? std::optional<std::int64_t>{*o.stall_timeout_minutes}
                           : std::nullopt);
}

[[nodiscard]] inline std::int32_t narrow(std::int64_t v) {
    return static_cast<std::int32_t>(std::clamp<std::int64_t>(
        v, std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()));
}

inline job read_job(const statement& row) {
    job j;
    j.id = job_id{row.integer(0)};
    j.name = row.text(1);
    j.source = row.text(2);
    j.output_dir = row.text(3);
    // The schema's CHECK admits only known statuses; an unknown one would still reach the
    // validator as an invalid enum value and block only this job.
    j.status = parse_job_status(row.text(4)).value_or(static_cast<job_status>(0xff));
    j.kind = row.is_null(5) ? campaign_kind::none : campaign_kind::annual;
    if (const auto y = row.maybe_integer(6)) j.campaign_year = narrow(*y);
    j.queued_at = from_epoch_seconds(row.integer(7));
    j.started_at = row.maybe_time(8);
    j.finished_at = row.maybe_time(9);
    j.last_progress_at = row.maybe_time(10);
    j.completed_at = row.maybe_time(11);
    j.retry_count = narrow(row.integer(12));
    j.failure = row.is_null(13)
                    ? failure_class::none
                    : parse_failure_class(row.text(13)).value_or(failure_class::first_host_defined);
    j.last_error = row.text(14);
    j.options.max_container_restarts = narrow(row.integer(15));
    j.options.error_threshold_timeout = narrow(row.integer(16));
    j.options.error_threshold_http = narrow(row.integer(17));
    j.options.backoff_delay_minutes = narrow(row.integer(18));
    if (const auto cap = row.maybe_integer(19)) j.options.page_cap = narrow(*cap);
    if (!row.is_null(20)) j.last_stage = row.text(20);
    j.has_outputs = row.integer(21) != 0;
    j.version = row.integer(22);
    if (const auto m = row.maybe_integer(23)) j.options.monitoring = *m != 0;
    if (const auto a = row.maybe_integer(24)) j.options.adaptive_restart = *a != 0;
    if (const auto t = row.maybe_integer(25)) j.options.stall_timeout_minutes = narrow(*t);
    j.created_at = row.maybe_time(26);
    return j;
}

} // namespace detail

// Writes one job row as is (for hosts' fixtures, the simulator and the examples).
inline void insert_job(database& db, const job& j) {
    detail::statement st(db.handle(), fmt::format("INSERT INTO jobs ({}) VALUES "
                                                  "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                                                  "?,?,?,?)",
                                                  detail::job_columns));
    st.bind(1, to_int(j.id)).bind(2, j.name).bind(3, j.source).bind(4, j.output_dir);
    st.bind(5, to_string(j.status));
    if (j.kind == campaign_kind::annual)
        st.bind(6, std::string_view{"annual"});
    else
        st.bind_null(6);
    st.bind(7, j.campaign_year ? std::optional<std::int64_t>{*j.campaign_year} : std::nullopt);
    st.bind(8, j.queued_at).bind(9, j.started_at).bind(10, j.finished_at);
    st.bind(11, j.last_progress_at).bind(12, j.completed_at);
    st.bind(13, std::int64_t{j.retry_count})
        .bind(14, detail::failure_text(j.failure))
        .bind(15, j.last_error);
    st.bind(16, std::int64_t{j.options.max_container_restarts});
    st.bind(17, std::int64_t{j.options.error_threshold_timeout});
    st.bind(18, std::int64_t{j.options.error_threshold_http});
    st.bind(19, std::int64_t{j.options.backoff_delay_minutes});
    st.bind(20,
            j.options.page_cap ? std::optional<std::int64_t>{*j.options.page_cap} : std::nullopt);
    st.bind(21, j.last_stage ? std::optional<std::string_view>{*j.last_stage} : std::nullopt);
    st.bind(22, std::int64_t{j.has_outputs ? 1 : 0}).bind(23, j.version);
    detail::bind_recovery_options(st, 24, j.options);
    st.bind(27, j.created_at);
    st.run();
}

inline void record_start(database& db, job_id job, timestamp at) {
    detail::statement st(db.handle(), "INSERT INTO job_starts (job_id, at) VALUES (?, ?)");
    st.bind(1, to_int(job)).bind(2, at).run();
}

inline void record_recovery(database& db, job_id job, timestamp at) {
    detail::statement st(db.handle(), "INSERT INTO recovery_history (job_id, at) VALUES (?, ?)");
    st.bind(1, to_int(job)).bind(2, at).run();
}

} // namespace sqlite
} // namespace v0
} // namespace warden
