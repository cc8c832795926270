#pragma once
// A host's own jobs table seen as warden's (issue 20, item 2; this is its first part): the table's
// name, its column names, and its status values mapped onto warden's both ways (several host
// values may read as one warden status; a write names the one to store). The default mapping is
// warden's own schema. docs/postgres.md, "A host's own table"; the JSON form: mapping_json.hpp.
#include <warden/adapters/detail/columns.hpp>
#include <warden/core/failure_class.hpp>
#include <warden/core/job.hpp>
#include <warden/core/job_status.hpp>
#include <warden/core/tool_options.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace warden {
inline namespace v0 {
namespace adapters {

// One of warden's history tables (job_starts, recovery_history) under the host's names.
struct history_mapping {
    std::string table;
    // warden column name (job_id, at, crawled_pages) -> the host's.
    std::vector<std::pair<std::string, std::string>> columns;

    [[nodiscard]] std::string column(std::string_view name) const {
        for (const auto& [ours, theirs] : columns)
            if (ours == name) return theirs;
        return std::string{name};
    }
};

// A tool option kept under a key of a JSON column of the host's table rather than in a column of
// its own (issue 20, item 2: HealthArchive keeps them in ArchiveJob.config's tool_options):
// `{"json": "config", "path": "tool_options.initial_workers"}` under `columns` in the file.
// Read by adapters/json_options.hpp, written with json_patch (SQLite) or jsonb operators.
struct json_field {
    std::string column;            // warden's column: a tool option (initial_workers, ...)
    std::string json_column;       // the host's JSON column (config)
    std::vector<std::string> path; // the keys, outermost first: one or two
    [[nodiscard]] std::string key() const {
        std::string out;
        for (const auto& k : path)
            out += (out.empty() ? "" : ".") + k;
        return out;
    }
};

struct table_mapping {
    std::string table = "jobs";
    // warden column name -> the host's; a column not listed has warden's name.
    std::vector<std::pair<std::string, std::string>> columns;
    // host status value -> the warden status it reads as. Empty: warden's own values (and
    // `pending`, read as queued). A value not listed reads as no status: the validator blocks
    // that job alone.
    std::vector<std::pair<std::string, job_status>> status_reads;
    // The value a write stores for each warden status (by job_status order); empty: warden's name.
    std::array<std::optional<std::string>, job_status_count> status_writes{};

    // The host's failure column's values (failure_classes in the file). Without it, warden's
    // class names ("host_<n>" for a host class) both ways.
    bool failure_mapped = false;
    // host value -> the warden class it reads as; a NULL column reads as no class.
    std::vector<std::pair<std::string, failure_class>> failure_reads;
    // warden class -> the host value a write stores.
    std::vector<std::pair<failure_class, std::string>> failure_writes;
    // What a write of a class failure_writes does not list stores (a class the host's column
    // cannot hold); without it, warden's name (which the host's CHECK may refuse).
    std::optional<std::string> failure_fallback;
    // What a host value failure_reads does not list reads as (with a load warning).
    failure_class failure_unknown = failure_class::infra_error;

    // The start and recovery history (history in the file); default: warden's own tables, which
    // `warden schema` creates beside the host's table.
    history_mapping starts{"job_starts", {}};
    history_mapping recoveries{"recovery_history", {}};

    // Tool options read from a key of a JSON column (json_field); none: each is a column.
    std::vector<json_field> json_fields;
    // warden's columns the host's table does not have (mapped to null in the file): read as
    // absent, and an action that would write one is not carried out (action_status::unsupported).
    std::vector<std::string> absent;

    [[nodiscard]] bool is_default() const noexcept {
        return table == "jobs" && columns.empty() && status_reads.empty() && !failure_mapped &&
               json_fields.empty() && absent.empty();
    }
    // Whether the host's table lacks warden's column `name`.
    [[nodiscard]] bool is_absent(std::string_view name) const {
        for (const auto& a : absent)
            if (a == name) return true;
        return false;
    }
    // The JSON key warden's column `name` is read from, or nothing (a column of its own).
    [[nodiscard]] const json_field* json_of(std::string_view name) const {
        for (const auto& f : json_fields)
            if (f.column == name) return &f;
        return nullptr;
    }
    // The host's JSON columns json_fields name, each once, in order of first mention.
    [[nodiscard]] std::vector<std::string> json_columns() const {
        std::vector<std::string> out;
        for (const auto& f : json_fields) {
            bool seen = false;
            for (const auto& c : out)
                seen = seen || c == f.json_column;
            if (!seen) out.push_back(f.json_column);
        }
        return out;
    }
    // The host's name of warden's column `name`.
    [[nodiscard]] std::string column(std::string_view name) const {
        for (const auto& [ours, theirs] : columns)
            if (ours == name) return theirs;
        return std::string{name};
    }
    // Every host value that reads as `s`: what a compare-and-set expecting `s` matches.
    [[nodiscard]] std::vector<std::string> reads_as(job_status s) const {
        std::vector<std::string> out;
        if (status_reads.empty()) {
            out.emplace_back(to_string(s));
            if (s == job_status::queued) out.emplace_back("pending");
            return out;
        }
        for (const auto& [value, status] : status_reads)
            if (status == s) out.push_back(value);
        return out;
    }
    // The value a write of `s` stores.
    [[nodiscard]] std::string stored(job_status s) const {
        const auto& v = status_writes[static_cast<std::size_t>(s)];
        return v ? *v : std::string{to_string(s)};
    }
    // The value a write of failure class `f` stores in the host's failure column; nothing (NULL)
    // for no class.
    [[nodiscard]] std::optional<std::string> stored(failure_class f) const {
        const auto ours = detail::failure_text(f);
        if (!ours) return std::nullopt;
        if (!failure_mapped) return std::string{*ours};
        for (const auto& [c, value] : failure_writes)
            if (c == f) return value;
        return failure_fallback ? failure_fallback : std::optional<std::string>{std::string{*ours}};
    }
    // Whether the host's failure value `v` is one failure_reads lists.
    [[nodiscard]] bool reads_failure(std::string_view v) const {
        for (const auto& [value, c] : failure_reads)
            if (value == v) return true;
        return false;
    }
};

// A name the mapping may splice into SQL: lower-case letters, digits and underscores, not
// starting with a digit (PostgreSQL folds unquoted names to lower case; anything else is refused
// rather than quoted, so a typo cannot become a different table).
[[nodiscard]] inline bool is_plain_identifier(std::string_view s) noexcept {
    if (s.empty() || s.size() > 63 || (s[0] >= '0' && s[0] <= '9')) return false;
    for (const char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

// What is wrong with a mapping, each naming its field; empty when it can be used.
[[nodiscard]] inline std::vector<std::string> check_mapping(const table_mapping& m) {
    std::vector<std::string> errors;
    if (!is_plain_identifier(m.table))
        errors.push_back("table: \"" + m.table + "\" is not a plain lower-case SQL name");
    const std::string known = "," + detail::column_list<job>() + ",";
    for (const auto& [ours, theirs] : m.columns) {
        std::string list = known;
        for (std::size_t at = list.find(' '); at != std::string::npos; at = list.find(' '))
            list.erase(at, 1);
        if (list.find("," + ours + ",") == std::string::npos)
            errors.push_back("columns." + ours + ": not a column of warden's jobs table");
        else if (!is_plain_identifier(theirs))
            errors.push_back("columns." + ours + ": \"" + theirs +
                             "\" is not a plain lower-case SQL name");
    }
    // Tool options in a JSON column: only tool options, plain names, one or two keys deep, each
    // key once, and a key that is also another's parent object would be overwritten by it.
    const std::string options = "," + detail::column_list<tool_options>() + ",";
    for (const auto& f : m.json_fields) {
        const std::string key = "columns." + f.column;
        std::string list = options;
        for (std::size_t at = list.find(' '); at != std::string::npos; at = list.find(' '))
            list.erase(at, 1);
        if (list.find("," + f.column + ",") == std::string::npos)
            errors.push_back(key + ": only a tool option (" + detail::column_list<tool_options>() +
                             ") may be read from a JSON column");
        if (!is_plain_identifier(f.json_column))
            errors.push_back(key + ".json: \"" + f.json_column +
                             "\" is not a plain lower-case SQL name");
        if (f.path.empty() || f.path.size() > 2)
            errors.push_back(key + ".path: \"" + f.key() +
                             "\" must be one key or two (object.key), dot-separated");
        for (const auto& k : f.path)
            if (!is_plain_identifier(k))
                errors.push_back(key + ".path: \"" + k + "\" is not a plain lower-case name");
        for (const auto& c : m.columns)
            if (c.first == f.column)
                errors.push_back(key + ": mapped twice (a column and a JSON key)");
        // The four counts are never missing in warden: a missing key would read as 0 and the
        // next start would write that 0 back, overriding the default the host's code falls back
        // to (`tool_options.get("max_container_restarts", 20)`). Only options warden can carry
        // as missing may live in a JSON object.
        if (f.column == "max_container_restarts" || f.column == "error_threshold_timeout" ||
            f.column == "error_threshold_http" || f.column == "backoff_delay_minutes")
            errors.push_back(key + ": warden always writes this count (a missing key would be " +
                             "written back as 0, replacing the host's default); keep it in a " +
                             "column");
        // The JSON column is written as a whole object: if it were also one of warden's own
        // columns, one UPDATE would assign it twice (PostgreSQL refuses that; SQLite keeps the
        // last assignment and loses the other write).
        {
            std::string names = known;
            for (std::size_t at = names.find(' '); at != std::string::npos; at = names.find(' '))
                names.erase(at, 1);
            for (std::size_t b = 1, e = names.find(',', b); e != std::string::npos;
                 b = e + 1, e = names.find(',', b)) {
                const std::string ours = names.substr(b, e - b);
                if (ours.empty() || m.is_absent(ours) || m.json_of(ours)) continue;
                if (m.column(ours) == f.json_column)
                    errors.push_back(key + ".json: \"" + f.json_column +
                                     "\" is also the column of " + ours +
                                     "; a JSON column must be one warden does not map");
            }
        }
        for (const auto& g : m.json_fields) {
            if (&g == &f || g.json_column != f.json_column) continue;
            if (g.path == f.path && &g < &f)
                errors.push_back(key + ".path: \"" + f.key() + "\" is also columns." + g.column +
                                 "'s");
            if (f.path.size() == 1 && g.path.size() == 2 && g.path[0] == f.path[0])
                errors.push_back(key + ".path: \"" + f.key() + "\" is the object that holds " +
                                 "columns." + g.column);
        }
    }
    // Columns the host's table lacks: warden's, not one every read and write needs, mapped once.
    for (const auto& a : m.absent) {
        std::string list = known;
        for (std::size_t at = list.find(' '); at != std::string::npos; at = list.find(' '))
            list.erase(at, 1);
        if (list.find("," + a + ",") == std::string::npos)
            errors.push_back("columns." + a + ": not a column of warden's jobs table");
        else if (a == "id" || a == "name" || a == "status" || a == "version")
            errors.push_back("columns." + a +
                             ": required, may not be null (id, name, status and version are)");
        for (const auto& c : m.columns)
            if (c.first == a)
                errors.push_back("columns." + a + ": mapped twice (null and a column)");
        if (m.json_of(a)) errors.push_back("columns." + a + ": mapped twice (null and a JSON key)");
    }
    // Every status warden writes must read back as itself, or a row it wrote would move.
    for (int i = 0; i < job_status_count; ++i) {
        const auto s = static_cast<job_status>(i);
        const std::string v = m.stored(s);
        bool reads_back = false;
        for (const auto& value : m.reads_as(s))
            reads_back = reads_back || value == v;
        if (!reads_back)
            errors.push_back("statuses.write." + std::string{to_string(s)} + ": \"" + v +
                             "\" does not read back as " + std::string{to_string(s)} +
                             " (list it under statuses.read)");
    }
    for (const auto* h : {&m.starts, &m.recoveries}) {
        const std::string key =
            "history." + std::string{h == &m.starts ? "job_starts" : "recovery_history"};
        if (!is_plain_identifier(h->table))
            errors.push_back(key + ".table: \"" + h->table +
                             "\" is not a plain lower-case SQL name");
        for (const auto& [ours, theirs] : h->columns) {
            const bool known =
                ours == "job_id" || ours == "at" || (h == &m.recoveries && ours == "crawled_pages");
            if (!known)
                errors.push_back(key + ".columns." + ours + ": not a column of warden's " +
                                 (h == &m.starts ? "job_starts" : "recovery_history") + " table");
            else if (!is_plain_identifier(theirs))
                errors.push_back(key + ".columns." + ours + ": \"" + theirs +
                                 "\" is not a plain lower-case SQL name");
        }
    }
    // Every failure value warden writes must be one it reads, or each row it wrote would warn.
    if (m.failure_mapped) {
        for (const auto& [c, value] : m.failure_writes)
            if (!m.reads_failure(value))
                errors.push_back("failure_classes.write." + std::string{to_string(c)} + ": \"" +
                                 value + "\" is not listed under failure_classes.read");
        if (m.failure_fallback && !m.reads_failure(*m.failure_fallback))
            errors.push_back("failure_classes.fallback: \"" + *m.failure_fallback +
                             "\" is not listed under failure_classes.read");
    }
    return errors;
}

// --- The SQL both adapters build from a mapping (SQLite and PostgreSQL read it alike) --------

// A SQL string literal: '...' with quotes doubled (SQLite; PostgreSQL with
// standard_conforming_strings, on since 9.1).
[[nodiscard]] inline std::string quote_literal(std::string_view v) {
    std::string out = "'";
    for (const char c : v)
        out += c == '\'' ? std::string{"''"} : std::string(1, c);
    return out + "'";
}

// The host's status column as warden's status name: each value statuses.read lists translated,
// anything else passed through as text (it reads as no status: the validator blocks that job
// alone). warden's own schema: the column (its `pending` parses as queued).
[[nodiscard]] inline std::string status_read_sql(const table_mapping& m) {
    const std::string host = m.column("status");
    if (m.status_reads.empty()) return host;
    std::string expr = "CASE " + host;
    for (const auto& [value, status] : m.status_reads)
        expr += " WHEN " + quote_literal(value) + " THEN '" + std::string{to_string(status)} + "'";
    return expr + " ELSE CAST(" + host + " AS TEXT) END";
}

// A condition: the row's status reads as the warden status `value` names (a parameter or a
// literal holding warden's name), as the compare-and-set of every write checks it.
[[nodiscard]] inline std::string status_is_sql(const table_mapping& m, std::string_view value) {
    const std::string host = m.column("status");
    if (m.status_reads.empty())
        return "(" + host + " = " + std::string{value} + " OR (" + std::string{value} +
               " = 'queued' AND " + host + " = 'pending'))";
    return "(" + status_read_sql(m) + ") = " + std::string{value};
}

// `sql` written against warden's own jobs table, through the mapping: {T} is the host's table,
// {expected} the condition that the row's status reads as the warden status `expected` (a
// parameter or a literal) names, {retryable} and {running} that it reads as that status,
// {status_read} the status as warden's name (status_read_sql), and any other {name} the host's name
// of warden's column `name`. Both adapters' statements are written this way, so the one text serves
// warden's schema and every host's.
[[nodiscard]] inline std::string mapped_sql(const table_mapping& m, std::string_view sql,
                                            std::string_view expected = {}) {
    std::string out;
    out.reserve(sql.size() + 64);
    for (std::size_t at = 0; at < sql.size();) {
        const std::size_t open = sql.find('{', at);
        const std::size_t close = open == std::string_view::npos ? open : sql.find('}', open);
        if (close == std::string_view::npos) {
            out += sql.substr(at);
            break;
        }
        out += sql.substr(at, open - at);
        const std::string_view name = sql.substr(open + 1, close - open - 1);
        if (name == "T")
            out += m.table;
        else if (name == "expected")
            out += status_is_sql(m, expected);
        else if (name == "status_read")
            out += status_read_sql(m);
        else if (name == "retryable" || name == "running")
            out += status_is_sql(m, "'" + std::string{name} + "'");
        else
            out += m.column(name);
        at = close + 1;
    }
    return out;
}

// The host's failure column as warden's class names: each value failure_classes.read lists
// translated, anything else NULL (an unknown value is the extra column job_select adds, read by
// settle_mapped_job).
[[nodiscard]] inline std::string failure_read_sql(const table_mapping& m) {
    const std::string host = m.column("failure_class");
    if (!m.failure_mapped) return host;
    std::string expr = "CASE " + host;
    for (const auto& [value, c] : m.failure_reads)
        expr += " WHEN " + quote_literal(value) + " THEN " +
                (c == failure_class::none ? std::string{"NULL"}
                                          : quote_literal(*detail::failure_text(c)));
    return expr + " ELSE NULL END";
}

// The host's failure value when failure_classes.read does not list it, else NULL: the column
// job_select adds after warden's when the failure column is mapped.
[[nodiscard]] inline std::string unknown_failure_sql(const table_mapping& m) {
    const std::string host = m.column("failure_class");
    std::string listed;
    for (const auto& [value, c] : m.failure_reads)
        listed += (listed.empty() ? "" : ", ") + quote_literal(value);
    if (listed.empty()) return "CAST(" + host + " AS TEXT)";
    return "CASE WHEN " + host + " IN (" + listed + ") THEN NULL ELSE CAST(" + host +
           " AS TEXT) END";
}

// "INSERT INTO job_starts (job_id, at) VALUES (?1, ?2)" through a history mapping, the values
// as `placeholders` lists them (?1, ?2 or $1, $2).
template <class Record>
[[nodiscard]] std::string history_insert_sql(const history_mapping& h,
                                             std::string_view placeholders) {
    std::string columns;
    const Record none{};
    detail::for_each_column(none, [&](const auto& entry, const auto&) {
        columns += (columns.empty() ? "" : ", ") + h.column(entry.name);
    });
    return "INSERT INTO " + h.table + " (" + columns + ") VALUES (" + std::string{placeholders} +
           ")";
}

// A history table's rows of a window, each with whether its job's row is gone (the last
// column): SELECT h.job_id, h.at, ..., j.id IS NULL FROM job_starts AS h LEFT JOIN jobs AS j ...
// WHERE h.at > `since` ORDER BY h.at, h.job_id, through the mapping. Qualified: a host's table
// may have a job_id column too.
template <class Record>
[[nodiscard]] std::string history_select_sql(const table_mapping& m, const history_mapping& h,
                                             std::string_view since) {
    std::string columns;
    const Record none{};
    detail::for_each_column(none, [&](const auto& entry, const auto&) {
        columns += (columns.empty() ? "h." : ", h.") + h.column(entry.name);
    });
    const std::string id = m.column("id");
    const std::string job = "h." + h.column("job_id");
    const std::string at = "h." + h.column("at");
    return "SELECT " + columns + ", CASE WHEN j." + id + " IS NULL THEN 1 ELSE 0 END FROM " +
           h.table + " AS h LEFT JOIN " + m.table + " AS j ON j." + id + " = " + job + " WHERE " +
           at + " > " + std::string{since} + " ORDER BY " + at + ", " + job;
}

// The jobs SELECT list through a mapping: each host column AS warden's name, the status and the
// failure class read as warden's, and (failure column mapped) the unknown failure value after
// them. warden's own schema: column_list<job>().
[[nodiscard]] inline std::string job_select(const table_mapping& m) {
    if (m.is_default()) return detail::column_list<job>();
    std::string out;
    const job row{};
    detail::for_each_column(row, [&](const auto& entry, const auto& member) {
        const std::string_view name = entry.name;
        // A tool option in a JSON column: NULL here, read from the columns json_select_sql adds
        // (json_options.hpp), which say which key of which job is bad.
        // A column the host lacks reads as absent: NULL, or the value a never-missing member
        // has when nobody set it ('' or 0).
        using M = std::remove_cvref_t<decltype(member)>;
        const std::string absent =
            is_optional_v<M> || std::is_same_v<M, failure_class> || std::is_same_v<M, campaign_kind>
                ? "NULL"
            : std::is_same_v<M, std::string> ? "''"
                                             : "0";
        const std::string expr = m.is_absent(name)         ? absent
                                 : name == "status"        ? status_read_sql(m)
                                 : name == "failure_class" ? failure_read_sql(m)
                                 : m.json_of(name)         ? std::string{"NULL"}
                                                           : m.column(name);
        out += (out.empty() ? "" : ", ") + expr + " AS " + std::string{name};
    });
    if (m.failure_mapped)
        out += ", " + (m.is_absent("failure_class") ? std::string{"NULL"} : unknown_failure_sql(m));
    return out;
}

// The first column after job_select's (warden's columns and the unknown failure value): where a
// load appends the JSON-kept tool options (adapters/json_options.hpp, json_select_sql).
[[nodiscard]] inline int json_select_first(const table_mapping& m) {
    return detail::column_count<job>() + (m.failure_mapped ? 1 : 0);
}

} // namespace adapters
} // namespace v0
} // namespace warden
