#pragma once
// Tool options kept under keys of a JSON column of the host's table (issue 20, item 2; the
// mapping's json_field), shared by the SQLite and the PostgreSQL adapter: each key's JSON type and
// text read in SQL (json_type/json_extract on SQLite, jsonb operators on PostgreSQL) and checked
// here, where a bad value can be named by job, table, column and key; written in SQL (json_patch,
// jsonb_set and ||), so the write is the same compare-and-set statement as every other and the
// JSON's other keys (seeds, zimit arguments) are kept.
#include <warden/adapters/detail/columns.hpp>
#include <warden/adapters/mapping.hpp>
#include <warden/core/ids.hpp>
#include <warden/core/job.hpp>
#include <warden/core/tool_options.hpp>

#include <fmt/format.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace warden {
inline namespace v0 {
namespace adapters {

// Which database's SQL: where the adapters cannot share it (JSON functions).
enum class sql_dialect : std::uint8_t { sqlite, postgres };

// The columns a load appends to job_select's for the tool options the mapping keeps in JSON
// columns: for each JSON column its JSON type (SQLite: `invalid` for text that is not JSON), then
// for each json_field the JSON type of the object holding it (two keys deep; NULL for one), its
// own JSON type and its value as text. Types as each database names them; read_json_options
// reads both. Empty without JSON-kept options.
[[nodiscard]] inline std::string json_select_sql(const table_mapping& m, sql_dialect d) {
    std::string out;
    const bool lite = d == sql_dialect::sqlite;
    for (const auto& c : m.json_columns())
        out += lite ? fmt::format(", CASE WHEN {0} IS NULL THEN NULL WHEN json_valid({0}) THEN "
                                  "json_type({0}) ELSE 'invalid' END",
                                  c)
                    : fmt::format(", jsonb_typeof(CAST({} AS jsonb))", c);
    for (const auto& f : m.json_fields) {
        const std::string& c = f.json_column;
        if (lite) {
            const auto guarded = [&](const std::string& expr) {
                return fmt::format("CASE WHEN json_valid({}) THEN {} END", c, expr);
            };
            out += ", " + (f.path.size() == 2
                               ? guarded(fmt::format("json_type({}, '$.{}')", c, f.path[0]))
                               : std::string{"NULL"});
            out += ", " + guarded(fmt::format("json_type({}, '$.{}')", c, f.key()));
            out +=
                ", " + guarded(fmt::format("CAST(json_extract({}, '$.{}') AS TEXT)", c, f.key()));
        } else {
            std::string path;
            for (const auto& k : f.path)
                path += (path.empty() ? "'" : ", '") + k + "'";
            out +=
                ", " + (f.path.size() == 2
                            ? fmt::format("jsonb_typeof(CAST({} AS jsonb) -> '{}')", c, f.path[0])
                            : std::string{"NULL"});
            out += fmt::format(", jsonb_typeof(CAST({0} AS jsonb) #> ARRAY[{1}]), "
                               "CAST({0} AS jsonb) #>> ARRAY[{1}]",
                               c, path);
        }
    }
    return out;
}

namespace detail {

// A JSON type as both databases name it (SQLite's json_type, PostgreSQL's jsonb_typeof), in
// words.
[[nodiscard]] inline std::string_view json_type_words(std::string_view t) {
    if (t == "true" || t == "false" || t == "boolean") return "a boolean";
    if (t == "integer" || t == "real" || t == "number") return "a number";
    if (t == "text" || t == "string") return "a string";
    if (t == "array") return "an array";
    if (t == "object") return "an object";
    return "null";
}

// A whole number in the 32-bit range, or nothing (4.5, 1e3, 99999999999).
[[nodiscard]] inline std::optional<std::int32_t> int32_text(std::string_view text) {
    std::int64_t v = 0;
    const char* first = text.data();
    const char* last = text.data() + text.size();
    const auto [end, ec] = std::from_chars(first, last, v);
    if (ec != std::errc{} || end != last || v < std::numeric_limits<std::int32_t>::min() ||
        v > std::numeric_limits<std::int32_t>::max())
        return std::nullopt;
    return static_cast<std::int32_t>(v);
}

// One option from its JSON type and text (no type: the key is missing; "null": JSON null, read
// as missing too); what was expected when the type is wrong.
template <class M>
[[nodiscard]] std::optional<std::string_view>
json_option_value(const std::optional<std::string>& type, const std::optional<std::string>& text,
                  M& out) {
    const bool missing = !type || *type == "null";
    if constexpr (std::is_same_v<M, std::string>) {
        if (missing) {
            out.clear();
        } else {
            if (*type != "text" && *type != "string") return "expected a string";
            out = text.value_or("");
        }
    } else if constexpr (std::is_same_v<M, std::optional<bool>>) {
        if (missing) {
            out.reset();
        } else {
            if (*type != "true" && *type != "false" && *type != "boolean")
                return "expected true or false";
            out = *type == "true" || text == "true";
        }
    } else { // std::int32_t or std::optional<std::int32_t>
        if (missing) {
            if constexpr (is_optional_v<M>)
                out.reset();
            else
                out = 0;
        } else {
            const auto v = (*type == "integer" || *type == "number") && text ? int32_text(*text)
                                                                             : std::nullopt;
            if (!v) return "expected a whole number in the 32-bit range";
            out = *v;
        }
    }
    return std::nullopt;
}

} // namespace detail

// The tool options `m` keeps in JSON columns, set on `j` from the columns json_select_sql added
// (`cells`, in its order). A missing key, or a JSON null, is a missing option (0 for the counts
// that are never missing); a NULL column is every option in it missing. Returns what is wrong,
// naming the job id, the table, the column and the key: text that is not JSON, a column or a
// holding object that is not a JSON object, a value of the wrong type or out of range. Nothing is
// set from a bad row; the caller refuses the load.
[[nodiscard]] inline std::optional<std::string>
read_json_options(const table_mapping& m, job& j,
                  const std::vector<std::optional<std::string>>& cells) {
    const auto columns = m.json_columns();
    const auto cell = [&](std::size_t i) {
        return i < cells.size() ? cells[i] : std::optional<std::string>{};
    };
    const auto where = [&](const std::string& column) {
        return fmt::format("{}.{} where {} = {}", m.table, column, m.column("id"), to_int(j.id));
    };
    for (std::size_t c = 0; c < columns.size(); ++c) {
        const auto type = cell(c);
        if (!type || *type == "null" || *type == "object") continue;
        if (*type == "invalid")
            return fmt::format("{}: not valid JSON (it holds tool options)", where(columns[c]));
        return fmt::format("{}: {} is not a JSON object (it holds tool options)", where(columns[c]),
                           detail::json_type_words(*type));
    }
    tool_options read = j.options;
    std::optional<std::string> error;
    detail::for_each_column(read, [&](const auto& entry, auto& member) {
        if (error) return;
        for (std::size_t i = 0; i < m.json_fields.size(); ++i) {
            const json_field& f = m.json_fields[i];
            if (f.column != entry.name) continue;
            const std::size_t at = columns.size() + 3 * i;
            const auto holder = cell(at);
            if (holder && *holder != "object" && *holder != "null") {
                error = fmt::format("{}, key {}: {} is {}, not an object", where(f.json_column),
                                    f.key(), f.path[0], detail::json_type_words(*holder));
                return;
            }
            const auto type = cell(at + 1);
            const auto text = cell(at + 2);
            if (const auto bad = detail::json_option_value(type, text, member))
                error = fmt::format("{}, key {}: {} ({}), {} (warden's {})", where(f.json_column),
                                    f.key(), text.value_or("null"),
                                    detail::json_type_words(type.value_or("null")), *bad, f.column);
        }
    });
    if (error) return error;
    j.options = read;
    return std::nullopt;
}

// The SET list of a write of every tool option, through the mapping: "max_container_restarts =
// ?2, ..." for the options in columns, and one assignment per JSON column setting its keys (the
// JSON's other keys kept; a NULL column taken as {}). No braces in the SQL: the SQLite adapter
// passes it through mapped_sql, which reads {name} as a column. The options are the parameters
// `first`, `first + 1`, ... in field-list order, as each adapter binds a tool_options row.
[[nodiscard]] inline std::string option_assignments_sql(const table_mapping& m, sql_dialect d,
                                                        int first) {
    const auto param = [&](int n) {
        return fmt::format("{}{}", d == sql_dialect::sqlite ? "?" : "$", n);
    };
    std::string out;
    const auto add = [&](const std::string& a) { out += (out.empty() ? "" : ", ") + a; };
    // Each JSON-kept option's SQL value, by JSON column: key path and value expression.
    struct json_value {
        const json_field* field;
        std::string value;
    };
    std::vector<std::vector<json_value>> by_column(m.json_columns().size());
    const auto columns = m.json_columns();
    int at = first;
    const tool_options none{};
    detail::for_each_column(none, [&](const auto& entry, const auto& member) {
        using M = std::remove_cvref_t<decltype(member)>;
        const int n = at++;
        const json_field* f = m.json_of(entry.name);
        if (!f) {
            add(m.column(entry.name) + " = " + param(n));
            return;
        }
        std::string value;
        if (d == sql_dialect::sqlite) {
            // A bound integer is a JSON number, text a string, NULL null; a flag is bound 0/1.
            if constexpr (std::is_same_v<M, std::optional<bool>>)
                value = fmt::format(
                    "CASE {} WHEN 1 THEN json('true') WHEN 0 THEN json('false') END", param(n));
            else if constexpr (std::is_same_v<M, std::string>)
                value = fmt::format("NULLIF({}, '')", param(n));
            else
                value = param(n);
        } else {
            if constexpr (std::is_same_v<M, std::optional<bool>>)
                value = fmt::format("(CAST({} AS bigint) <> 0)", param(n));
            else if constexpr (std::is_same_v<M, std::string>)
                value = fmt::format("NULLIF(CAST({} AS text), '')", param(n));
            else
                value = fmt::format("CAST({} AS bigint)", param(n));
        }
        std::size_t c = 0;
        while (columns[c] != f->json_column)
            ++c;
        by_column[c].push_back(json_value{f, std::move(value)});
    });
    for (std::size_t c = 0; c < columns.size(); ++c) {
        const std::string& col = columns[c];
        // The keys one object holds (the column's top level: ""), in order of first mention.
        std::vector<std::string> parents;
        for (const auto& v : by_column[c]) {
            const std::string p = v.field->path.size() == 2 ? v.field->path[0] : std::string{};
            bool seen = false;
            for (const auto& q : parents)
                seen = seen || q == p;
            if (!seen) parents.push_back(p);
        }
        const auto keys_of = [&](const std::string& p, bool values, std::string_view build) {
            std::string keys;
            for (const auto& v : by_column[c]) {
                const std::string holder =
                    v.field->path.size() == 2 ? v.field->path[0] : std::string{};
                if (holder != p) continue;
                keys += (keys.empty() ? "" : ", ") + quote_literal(v.field->path.back());
                if (values) keys += ", " + v.value;
            }
            return values ? fmt::format("{}({})", build, keys) : keys;
        };
        if (d == sql_dialect::sqlite) {
            // An RFC 7396 merge patch: the keys set, a missing option's key (NULL, JSON null)
            // removed, so a host reading tool_options.get("initial_workers", 1) gets its default;
            // the other keys kept, a holding object created when missing.
            std::string patch;
            for (const auto& p : parents) {
                if (p.empty()) {
                    const std::string top = keys_of(p, true, "json_object");
                    patch += (patch.empty() ? "" : ", ") + top.substr(12, top.size() - 13);
                } else {
                    patch += (patch.empty() ? "" : ", ") + quote_literal(p) + ", " +
                             keys_of(p, true, "json_object");
                }
            }
            add(fmt::format("{0} = json_patch(COALESCE({0}, json_object()), json_object({1}))", col,
                            patch));
            continue;
        }
        // PostgreSQL: each holding object's mapped keys removed, then the set ones added (a
        // missing option's key stays removed, as on SQLite); jsonb_set creates a missing
        // top-level key but not a missing object on the way, hence one object level at most.
        const std::string old = fmt::format("CAST({} AS jsonb)", col);
        std::string expr = fmt::format("COALESCE({}, jsonb_build_object())", old);
        for (const auto& p : parents) {
            const std::string set =
                fmt::format("(({{}} - ARRAY[{}]::text[]) || jsonb_strip_nulls({}))",
                            keys_of(p, false, ""), keys_of(p, true, "jsonb_build_object"));
            if (p.empty()) {
                expr = fmt::format(fmt::runtime(set), expr);
                continue;
            }
            // An old value that is not an object (the load refuses such a row) is replaced.
            const std::string held =
                fmt::format("CASE WHEN jsonb_typeof({0} -> '{1}') = 'object' THEN {0} -> '{1}' "
                            "ELSE jsonb_build_object() END",
                            old, p);
            expr = fmt::format("jsonb_set({}, ARRAY['{}'], {})", expr, p,
                               fmt::format(fmt::runtime(set), held));
        }
        add(col + " = " + expr);
    }
    return out;
}

} // namespace adapters
} // namespace v0
} // namespace warden
