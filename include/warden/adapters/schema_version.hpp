#pragma once
// The schema version a database carries, and whether this warden may use it, shared by the
// SQLite and the PostgreSQL adapter: each reads warden_meta.schema_version its own way and throws
// its own error type, but the parse, the decision and the wording are these.
#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace warden {
inline namespace v0 {
namespace adapters {

// warden_meta.schema_version's text as a number; nothing when it is not one (a hand edit).
[[nodiscard]] inline std::optional<int> parse_schema_version(std::string_view text) noexcept {
    int n = 0;
    for (const char c : text) {
        if (c < '0' || c > '9' || n > 100000) return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return n;
}

[[nodiscard]] inline std::string bad_schema_version(std::string_view text) {
    return "warden_meta.schema_version is not a number: " + std::string{text};
}

// Why a database at version `found` (0: warden's tables were never created) cannot be used by a
// warden at `current`: each adapter throws it as its error kind of the same name.
struct schema_refusal {
    enum class reason : std::uint8_t { no_schema, older_schema, newer_schema } why;
    std::string message;
};

// `where`: how the refusal names the database ("" or " in this database"); `db_argument`: what
// `warden schema --db` takes for it (FILE, CONNINFO). An older schema is refused too: read as it
// is, a table or column every read and write names may be missing.
[[nodiscard]] inline std::optional<schema_refusal>
refuse_schema(int found, int current, std::string_view where, std::string_view db_argument) {
    using r = schema_refusal::reason;
    if (found == 0)
        return schema_refusal{r::no_schema,
                              fmt::format("no warden schema{}: run `warden schema --db {}` first",
                                          where, db_argument)};
    if (found < current)
        return schema_refusal{r::older_schema,
                              fmt::format("database schema version {} is older than this warden's "
                                          "{}: run `warden schema --db {}` to upgrade it",
                                          found, current, db_argument)};
    if (found > current)
        return schema_refusal{r::newer_schema,
                              fmt::format("database schema version {} is newer than this "
                                          "warden's {}: upgrade warden, do not downgrade the "
                                          "database",
                                          found, current)};
    return std::nullopt;
}

// A refusal as an adapter's error kind of the same name (sqlite::error_kind,
// postgres::error_kind: each has no_schema, older_schema and newer_schema).
template <class ErrorKind>
[[nodiscard]] constexpr ErrorKind to_error_kind(schema_refusal::reason why) noexcept {
    using r = schema_refusal::reason;
    return why == r::no_schema      ? ErrorKind::no_schema
           : why == r::older_schema ? ErrorKind::older_schema
                                    : ErrorKind::newer_schema;
}

} // namespace adapters
} // namespace v0
} // namespace warden
