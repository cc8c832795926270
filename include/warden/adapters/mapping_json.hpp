#pragma once
// The mapping file (JSON) of adapters/mapping.hpp, documented in docs/postgres.md:
//   {"table": "archive_jobs",
//    "columns": {"id": "job_id", "status": "state", ...},
//    "statuses": {"read": {"indexing": "running", ...}, "write": {"completed": "indexed", ...}}}
#include <warden/adapters/mapping.hpp>
#include <warden/core/job_status.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace warden {
inline namespace v0 {
namespace adapters {

// Parses a mapping file's text into `out`; the errors name the field. A mapping with errors is
// not to be used.
[[nodiscard]] inline std::vector<std::string> read_mapping(const std::string& text,
                                                           table_mapping& out) {
    std::vector<std::string> errors;
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return {"the mapping is not a JSON object"};
    for (const auto& [key, value] : j.items())
        if (key != "table" && key != "columns" && key != "statuses")
            errors.push_back(key + ": unknown key (table, columns, statuses)");
    if (j.contains("table")) {
        if (j["table"].is_string())
            out.table = j["table"].get<std::string>();
        else
            errors.push_back("table: not a string");
    }
    if (j.contains("columns")) {
        if (!j["columns"].is_object()) errors.push_back("columns: not an object");
        for (const auto& [ours, theirs] : j["columns"].items()) {
            if (!theirs.is_string())
                errors.push_back("columns." + ours + ": not a string");
            else
                out.columns.emplace_back(ours, theirs.get<std::string>());
        }
    }
    if (j.contains("statuses")) {
        const auto& st = j["statuses"];
        if (!st.is_object()) errors.push_back("statuses: not an object");
        for (const auto& [key, value] : st.items()) {
            if (key != "read" && key != "write") {
                errors.push_back("statuses." + key + ": unknown key (read, write)");
                continue;
            }
            if (!value.is_object()) {
                errors.push_back("statuses." + key + ": not an object");
                continue;
            }
            for (const auto& [from, to] : value.items()) {
                const std::string field = "statuses." + key + "." + from;
                if (!to.is_string()) {
                    errors.push_back(field + ": not a string");
                    continue;
                }
                const std::string v = to.get<std::string>();
                if (key == "read") {
                    const auto s = parse_job_status(v);
                    if (!s || v == "pending")
                        errors.push_back(field + ": \"" + v + "\" is not a warden status");
                    else
                        out.status_reads.emplace_back(from, *s);
                } else {
                    const auto s = parse_job_status(from);
                    if (!s || from == "pending")
                        errors.push_back(field + ": \"" + from + "\" is not a warden status");
                    else
                        out.status_writes[static_cast<std::size_t>(*s)] = v;
                }
            }
        }
    }
    if (errors.empty())
        for (auto& e : check_mapping(out))
            errors.push_back(std::move(e));
    return errors;
}

} // namespace adapters
} // namespace v0
} // namespace warden
