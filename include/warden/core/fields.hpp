#pragma once
// One field list per row type (issue #14): each entry is a member's contract name (its JSON key
// and SQLite column) and a member pointer, plus how the field travels where its type alone does
// not say. The JSON reader and writer (io/json/), the SQLite adapter's bind and read
// (adapters/sqlite/rows.hpp) and the simulator's row comparison all walk these lists, so a new
// job field is its member, its entry here, its doc line and its schema line. decide() never
// includes this header: the lists serve I/O, not the hot path.
#include <warden/core/config.hpp>
#include <warden/core/job.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/core/tool_options.hpp>

#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>

namespace warden {
inline namespace v0 {

// How a field travels, beyond what its type says (docs/formats.md, docs/sqlite.md).
enum field_flag : unsigned {
    plain = 0,
    required = 1u << 0,           // a JSON object must carry the key
    json_only = 1u << 1,          // no SQLite column
    row_only = 1u << 2,           // tool options: a job row's, not config.annual_minimums'
    not_null = 1u << 3,           // JSON text: null is a wrong type, not ""
    null_when_empty = 1u << 4,    // JSON text: "" is written as null
    null_keeps_default = 1u << 5, // JSON time: null leaves the default
    numeric_text = 1u << 6,       // JSON, in a row: a string of digits is that number (issue #8)
    unit_only = 1u << 7,          // JSON: written only for a systemd unit's process
    compared = 1u << 8,           // a plan's writes change it: the simulator's "the row moved"
};

template <class Struct, class Member>
struct field {
    using struct_type = Struct;
    using member_type = Member;
    std::string_view name;
    Member Struct::*member;
    unsigned flags = plain;

    [[nodiscard]] constexpr bool has(unsigned f) const noexcept { return (flags & f) != 0; }
    [[nodiscard]] constexpr const Member& of(const Struct& s) const noexcept { return s.*member; }
    [[nodiscard]] constexpr Member& of(Struct& s) const noexcept { return s.*member; }
};

// Spelled out because clang 14 has no class template argument deduction for aggregates (P1816).
template <class Struct, class Member>
field(std::string_view, Member Struct::*) -> field<Struct, Member>;
template <class Struct, class Member>
field(std::string_view, Member Struct::*, unsigned) -> field<Struct, Member>;

// fields_of<T>::list: T's fields in contract order (JSON key order on output).
template <class T>
struct fields_of;

template <class T>
concept has_fields = requires {
    fields_of<T>::list;
};

template <class T>
inline constexpr bool is_optional_v = false;
template <class T>
inline constexpr bool is_optional_v<std::optional<T>> = true;

// Calls f(field) for each field of T, in order.
template <class T, class F>
constexpr void for_each_field(F&& f) {
    std::apply([&](const auto&... each) { (f(each), ...); }, fields_of<T>::list);
}

template <>
struct fields_of<tool_options> {
    using o = tool_options;
    static constexpr auto list = std::tuple{
        field{"max_container_restarts", &o::max_container_restarts, numeric_text},
        field{"error_threshold_timeout", &o::error_threshold_timeout},
        field{"error_threshold_http", &o::error_threshold_http},
        field{"backoff_delay_minutes", &o::backoff_delay_minutes},
        field{"page_cap", &o::page_cap},
        field{"monitoring", &o::monitoring, row_only},
        field{"adaptive_restart", &o::adaptive_restart, row_only},
        field{"stall_timeout_minutes", &o::stall_timeout_minutes, row_only},
        field{"docker_shm_size", &o::docker_shm_size, row_only | null_when_empty},
        field{"skip_final_build", &o::skip_final_build, row_only},
        field{"initial_workers", &o::initial_workers, row_only},
    };
};

// Issue #17 item 2: one entry of config.source_profiles; a missing key is no value.
template <>
struct fields_of<source_profile> {
    using p = source_profile;
    static constexpr auto list = std::tuple{
        field{"stall_timeout_minutes", &p::stall_timeout_minutes},
        field{"error_threshold_timeout", &p::error_threshold_timeout},
        field{"error_threshold_http", &p::error_threshold_http},
        field{"backoff_delay_minutes", &p::backoff_delay_minutes},
        field{"max_container_restarts", &p::max_container_restarts},
        field{"docker_shm_size", &p::docker_shm_size, null_when_empty},
        field{"skip_final_build", &p::skip_final_build},
        field{"initial_workers", &p::initial_workers},
    };
};

// The job row: docs/formats.md "A job", docs/sqlite.md's jobs table, the snapshot schema.
template <>
struct fields_of<job> {
    using j = job;
    static constexpr auto list = std::tuple{
        field{"id", &j::id, required},
        field{"name", &j::name, required | not_null},
        field{"source", &j::source},
        field{"output_dir", &j::output_dir},
        field{"status", &j::status, required | compared},
        field{"campaign_kind", &j::kind, compared},
        field{"campaign_year", &j::campaign_year, compared},
        field{"queued_at", &j::queued_at, null_keeps_default},
        field{"started_at", &j::started_at, compared},
        field{"finished_at", &j::finished_at},
        field{"last_progress_at", &j::last_progress_at},
        field{"crawled_pages", &j::crawled_pages, json_only},
        field{"progress_known", &j::progress_known, json_only},
        field{"completed_at", &j::completed_at},
        field{"retry_count", &j::retry_count},
        field{"failure_class", &j::failure, compared},
        field{"last_error", &j::last_error, null_when_empty},
        field{"tool_options", &j::options, compared},
        field{"last_stage", &j::last_stage},
        field{"has_outputs", &j::has_outputs},
        field{"version", &j::version, compared},
        field{"created_at", &j::created_at},
        field{"updated_at", &j::updated_at},
        field{"degraded_streak", &j::degraded_streak, json_only},
        field{"class", &j::job_class},
        field{"group_key", &j::group_key},
    };
};

template <>
struct fields_of<process_fact> {
    using p = process_fact;
    static constexpr auto list = std::tuple{
        field{"pid", &p::pid, required},     field{"ppid", &p::ppid},
        field{"output_dir", &p::output_dir}, field{"cmdline", &p::cmdline},
        field{"origin", &p::origin},         field{"unit", &p::unit, unit_only},
    };
};

// `{"job_id": N, "errno": E}`: a per-job lock whose probe failed (issue #19).
template <>
struct fields_of<unprobeable_lock> {
    static constexpr auto list = std::tuple{
        field{"job_id", &unprobeable_lock::job, required},
        field{"errno", &unprobeable_lock::error_number, required},
    };
};

template <>
struct fields_of<progress_fact> {
    using p = progress_fact;
    static constexpr auto list = std::tuple{
        field{"job_id", &p::job, required},
        field{"last_progress_at", &p::last_progress_at},
        field{"crawled_pages", &p::crawled_pages},
        field{"progress_known", &p::progress_known, required},
        field{"source", &p::source},
    };
};

// Start and recovery history share one shape: `{"job_id": N, "at": time}`, a (job_id, at) row;
// a recovery adds the job's crawled_pages at that time (issue #17), a nullable column.
template <>
struct fields_of<start_record> {
    static constexpr auto list = std::tuple{
        field{"job_id", &start_record::job, required},
        field{"at", &start_record::at, required},
    };
};
template <>
struct fields_of<recovery_record> {
    static constexpr auto list = std::tuple{
        field{"job_id", &recovery_record::job, required},
        field{"at", &recovery_record::at, required},
        field{"crawled_pages", &recovery_record::crawled_pages},
    };
};

template <>
struct fields_of<host_facts> {
    using h = host_facts;
    static constexpr auto list = std::tuple{
        field{"sentinel", &h::sentinel_present},
        field{"deploy_lock", &h::deploy_lock_present},
        field{"deploy_lock_unprobeable", &h::deploy_lock_unprobeable},
        field{"deploy_lock_created_at", &h::deploy_lock_created_at},
        field{"disk_used_percent", &h::disk_used_percent},
        field{"worker_alive", &h::worker_alive},
        field{"process_list_readable", &h::process_list_readable},
        field{"paused_sources", &h::paused_sources},
        field{"paused_classes", &h::paused_classes},
    };
};

template <>
struct fields_of<guard_switches> {
    using g = guard_switches;
    static constexpr auto list = std::tuple{
        field{"reconcile", &g::reconcile},
        field{"legacy_detection", &g::legacy_detection},
        field{"raise_annual_minimums", &g::raise_annual_minimums},
        field{"stable_queue_order", &g::stable_queue_order},
        field{"classify_config_errors", &g::classify_config_errors},
        field{"consistency_repair", &g::consistency_repair},
        field{"bounded_retries", &g::bounded_retries},
        field{"reconcile_clears_finished_at", &g::reconcile_clears_finished_at},
        field{"progress_is_alive", &g::progress_is_alive},
        field{"completed_at_is_completion", &g::completed_at_is_completion},
        field{"process_tree_is_one_attempt", &g::process_tree_is_one_attempt},
        field{"runner_none_status_only", &g::runner_none_status_only},
        field{"unreadable_process_list_holds", &g::unreadable_process_list_holds},
        field{"finished_row_processes_are_live", &g::finished_row_processes_are_live},
        field{"waiting_completed_at_is_completion", &g::waiting_completed_at_is_completion},
    };
};

// Issue #21 item 2: one entry of config.concurrency_limits.
template <>
struct fields_of<concurrency_limit> {
    using l = concurrency_limit;
    static constexpr auto list = std::tuple{
        field{"by", &l::by, required},
        field{"value", &l::value},
        field{"max_running", &l::max_running, required},
    };
};

// Issue #21 item 3: a class's retry backoff; a missing key keeps its default.
template <>
struct fields_of<backoff_policy> {
    using b = backoff_policy;
    static constexpr auto list = std::tuple{
        field{"initial_delay_seconds", &b::initial_delay_seconds},
        field{"coefficient", &b::coefficient},
        field{"max_delay_seconds", &b::max_delay_seconds},
        field{"jitter_fraction", &b::jitter_fraction},
    };
};

// Issue #21 item 1: one entry of config.classes.
template <>
struct fields_of<class_spec> {
    using k = class_spec;
    static constexpr auto list = std::tuple{
        field{"name", &k::name, required | not_null},
        field{"campaign_kind", &k::campaign},
        field{"name_pattern", &k::name_pattern},
        field{"queue_fill", &k::queue_fill},
        field{"priority", &k::priority},
        field{"ensure_min_running_jobs", &k::ensure_min_running_jobs},
        // Issue #21 items 3, 4 and 1 (year rollover).
        field{"backoff", &k::backoff},
        field{"max_runtime_minutes", &k::max_runtime_minutes},
        field{"campaign_open_until", &k::campaign_open_until},
        field{"closed_campaign_years", &k::closed_campaign_years},
        // Issue #21 item 1: recovery options and annual-style minimums.
        field{"minimums", &k::minimums},
        field{"recovery_min_restarts", &k::recovery_min_restarts},
        field{"stall_timeout_minutes", &k::stall_timeout_minutes},
    };
};

// Durations are whole minutes in a document: the key says so.
template <>
struct fields_of<config> {
    using c = config;
    static constexpr auto list = std::tuple{
        field{"ensure_min_running_jobs", &c::ensure_min_running_jobs},
        field{"campaign_year", &c::campaign_year},
        field{"disk_threshold_percent", &c::disk_threshold_percent},
        field{"daily_start_cap", &c::daily_start_cap},
        field{"daily_recovery_cap", &c::daily_recovery_cap},
        field{"max_retries", &c::max_retries},
        field{"recoveries_per_tick", &c::recoveries_per_tick},
        field{"max_starts_per_tick", &c::max_starts_per_tick},
        field{"same_source_recoveries_limit", &c::same_source_recoveries_limit},
        field{"stall_after_minutes", &c::stall_after},
        field{"start_grace_minutes", &c::start_grace},
        field{"guard_window_minutes", &c::guard_window},
        field{"soft_recovery", &c::soft_recovery},
        field{"deploy_lock_stale_after_minutes", &c::deploy_lock_stale_after},
        field{"orphan_grace_minutes", &c::orphan_grace},
        field{"annual_minimums", &c::annual_minimums},
        field{"recovery_min_restarts_non_annual", &c::recovery_min_restarts_non_annual},
        field{"annual_stall_timeout_minutes", &c::annual_stall_timeout_minutes},
        field{"source_profiles", &c::source_profiles},
        field{"source_order", &c::source_order},
        field{"final_stage", &c::final_stage, not_null},
        field{"stale_pipeline_after_minutes", &c::stale_pipeline_after},
        field{"progress_circuit_window", &c::progress_circuit_window},
        field{"progress_circuit_min_pages", &c::progress_circuit_min_pages},
        field{"degraded_rate_pages_per_minute", &c::degraded_rate_pages_per_minute},
        field{"degraded_rate_ticks", &c::degraded_rate_ticks},
        field{"config_error_patterns", &c::config_error_patterns},
        field{"infra_error_patterns", &c::infra_error_patterns},
        field{"guards", &c::guards},
        field{"concurrency_limits", &c::concurrency_limits},
        field{"classes", &c::classes},
    };
};

// Whether the compared fields of two rows agree: the simulator's "the row moved" test.
template <has_fields T>
[[nodiscard]] constexpr bool same_compared_fields(const T& a, const T& b) {
    bool same = true;
    for_each_field<T>([&](const auto& f) {
        if (f.has(compared)) same = same && f.of(a) == f.of(b);
    });
    return same;
}

} // namespace v0
} // namespace warden
