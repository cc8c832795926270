#pragma once
// The compare-and-set UPDATE of undo_start (issue 19), the one text the SQLite and the PostgreSQL
// adapter (adapters/sqlite/undo_start.hpp, adapters/postgres/undo_start.hpp) build from their
// mapping. docs/host-actions.md.
#include <warden/adapters/json_options.hpp>
#include <warden/adapters/mapping.hpp>

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace warden {
inline namespace v0 {
namespace adapters {
namespace detail {

// UPDATE jobs SET status, started_at, finished_at, retry_count, last_error (parameters 1 to 5)
// and the version bumped, WHERE id (6) AND the row is running (`running`, a condition written as
// mapped_sql reads it) AND version (7) AND started_at (8): each parameter as `d` writes it (?N on
// SQLite, $N with its type on PostgreSQL).
[[nodiscard]] inline std::string undo_start_sql(const table_mapping& m, sql_dialect d,
                                                std::string_view running) {
    const auto param = [d](int n, std::string_view type) {
        return d == sql_dialect::sqlite ? fmt::format("?{}", n) : fmt::format("${}::{}", n, type);
    };
    return mapped_sql(m, fmt::format(R"sql(
UPDATE {{T}} SET {{status}} = {}, {{started_at}} = {}, {{finished_at}} = {}, {{retry_count}} = {},
    {{last_error}} = {}, {{version}} = {{version}} + 1
WHERE {{id}} = {} AND {} AND {{version}} = {} AND {{started_at}} = {})sql",
                                     param(1, "text"), param(2, "bigint"), param(3, "bigint"),
                                     param(4, "int"), param(5, "text"), param(6, "bigint"), running,
                                     param(7, "bigint"), param(8, "bigint")));
}

} // namespace detail
} // namespace adapters
} // namespace v0
} // namespace warden
