#pragma once
// A host's own jobs table seen as warden's (issue 20, item 2; this is its first part): the table's
// name, its column names, and its status values mapped onto warden's both ways (several host
// values may read as one warden status; a write names the one to store). The default mapping is
// warden's own schema. docs/postgres.md, "A host's own table"; the JSON form: mapping_json.hpp.
#include <warden/adapters/detail/columns.hpp>
#include <warden/core/job.hpp>
#include <warden/core/job_status.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden {
inline namespace v0 {
namespace adapters {

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

    [[nodiscard]] bool is_default() const noexcept {
        return table == "jobs" && columns.empty() && status_reads.empty();
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
    return errors;
}

} // namespace adapters
} // namespace v0
} // namespace warden
