#pragma once
// A row type that exists only in tests, described by nothing but its struct and its field list:
// it goes through the same generic JSON reader and writer (io/json/) and SQLite bind and read
// (adapters/sqlite/rows.hpp) as a job, which proves a new field needs its list entry and nothing
// else in that machinery (issue #14).
#include <warden/core/failure_class.hpp>
#include <warden/core/fields.hpp>
#include <warden/core/ids.hpp>
#include <warden/core/job_status.hpp>
#include <warden/core/time.hpp>
#include <warden/core/tool_options.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>

namespace wt {

struct field_list_row {
    warden::job_id id{};
    std::string label;
    warden::job_status status = warden::job_status::queued;
    std::optional<warden::timestamp> seen_at;
    std::int32_t count = 0;
    std::optional<std::int64_t> total;
    bool flag = false;
    std::optional<bool> maybe;
    warden::failure_class failure = warden::failure_class::none;
    std::string note; // JSON only
    warden::tool_options options;
    friend bool operator==(const field_list_row&, const field_list_row&) = default;
};

// The SQLite table the row's field list implies (options flattened, `note` JSON only).
inline constexpr const char* field_list_row_table = R"sql(
CREATE TABLE field_list_rows (
    id INTEGER PRIMARY KEY, label TEXT NOT NULL, status TEXT NOT NULL, seen_at INTEGER,
    count INTEGER NOT NULL, total INTEGER, flag INTEGER NOT NULL, maybe INTEGER, failure_class TEXT,
    max_container_restarts INTEGER NOT NULL, error_threshold_timeout INTEGER NOT NULL,
    error_threshold_http INTEGER NOT NULL, backoff_delay_minutes INTEGER NOT NULL, page_cap INTEGER,
    monitoring INTEGER, adaptive_restart INTEGER, stall_timeout_minutes INTEGER,
    docker_shm_size TEXT, skip_final_build INTEGER, initial_workers INTEGER
) STRICT)sql";

} // namespace wt

namespace warden {
template <>
struct fields_of<wt::field_list_row> {
    using r = wt::field_list_row;
    static constexpr auto list = std::tuple{
        field{"id", &r::id, required},
        field{"label", &r::label, required | not_null},
        field{"status", &r::status},
        field{"seen_at", &r::seen_at},
        field{"count", &r::count},
        field{"total", &r::total},
        field{"flag", &r::flag},
        field{"maybe", &r::maybe},
        field{"failure_class", &r::failure},
        field{"note", &r::note, json_only | null_when_empty},
        field{"tool_options", &r::options},
    };
};
} // namespace warden

namespace wt {

// A row with every field away from its default, including a host-defined failure class.
inline field_list_row full_field_list_row() {
    field_list_row r;
    r.id = warden::job_id{42};
    r.label = "added-field";
    r.status = warden::job_status::retryable;
    r.seen_at = warden::from_epoch_seconds(1770000000);
    r.count = -7;
    r.total = std::int64_t{1} << 40;
    r.flag = true;
    r.maybe = false;
    r.failure = static_cast<warden::failure_class>(200);
    r.note = "json only";
    r.options.max_container_restarts = 12;
    r.options.page_cap = 500;
    r.options.monitoring = true;
    r.options.stall_timeout_minutes = 45;
    r.options.docker_shm_size = "512m"; // issue #17 item 3
    r.options.skip_final_build = false;
    r.options.initial_workers = 3;
    return r;
}

} // namespace wt
