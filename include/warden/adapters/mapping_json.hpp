#pragma once
// The mapping file (JSON) of adapters/mapping.hpp, documented in docs/postgres.md:
//   {"table": "archive_jobs",
//    "columns": {"id": "job_id", "status": "state", ...},
//    "statuses": {"read": {"indexing": "running", ...}, "write": {"completed": "indexed", ...}},
//    "failure_classes": {"read": {"timeout": "transient", ...}, "write": {...},
//                        "fallback": "other", "unknown": "infra_error"}}
// Every key is documented in docs/mapping.md.
#include <warden/adapters/mapping.hpp>
#include <warden/core/failure_class.hpp>
#include <warden/core/job_status.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace warden {
inline namespace v0 {
namespace adapters {

namespace detail {

// A warden failure class by name as the file spells it ("none", "transient", ..., "host_<n>").
[[nodiscard]] inline std::optional<failure_class> class_named(const std::string& name) {
    if (name == "none") return failure_class::none;
    return parse_failure_class(name);
}

// "failure_classes": {"read": {host value: class}, "write": {class: host value},
//                     "fallback": host value, "unknown": class}
inline void read_failure_classes(const nlohmann::json& fc, table_mapping& out,
                                 std::vector<std::string>& errors) {
    if (!fc.is_object()) {
        errors.push_back("failure_classes: not an object");
        return;
    }
    out.failure_mapped = true;
    for (const auto& [key, value] : fc.items()) {
        const std::string field = "failure_classes." + key;
        if (key == "fallback") {
            if (value.is_string())
                out.failure_fallback = value.get<std::string>();
            else
                errors.push_back(field + ": not a string");
        } else if (key == "unknown") {
            const auto c = value.is_string() ? class_named(value.get<std::string>()) : std::nullopt;
            if (!c || *c == failure_class::none)
                errors.push_back(field + ": not a warden failure class (transient, infra_error, "
                                         "infra_error_config, orphaned, host_<64..255>)");
            else
                out.failure_unknown = *c;
        } else if (key == "read" || key == "write") {
            if (!value.is_object()) {
                errors.push_back(field + ": not an object");
                continue;
            }
            for (const auto& [from, to] : value.items()) {
                const std::string at = field + "." + from;
                if (!to.is_string()) {
                    errors.push_back(at + ": not a string");
                    continue;
                }
                const std::string v = to.get<std::string>();
                const std::string& name = key == "read" ? v : from;
                const auto c = class_named(name);
                if (!c || (key == "write" && *c == failure_class::none))
                    errors.push_back(at + ": \"" + name + "\" is not a warden failure class");
                else if (key == "read")
                    out.failure_reads.emplace_back(from, *c);
                else
                    out.failure_writes.emplace_back(*c, v);
            }
        } else {
            errors.push_back(field + ": unknown key (read, write, fallback, unknown)");
        }
    }
}

// "history": {"job_starts": {"table": ..., "columns": {"job_id": ..., "at": ...}},
//             "recovery_history": {...}}
inline void read_history_tables(const nlohmann::json& hj, table_mapping& out,
                                std::vector<std::string>& errors) {
    if (!hj.is_object()) {
        errors.push_back("history: not an object");
        return;
    }
    for (const auto& [name, value] : hj.items()) {
        const std::string field = "history." + name;
        history_mapping* h = name == "job_starts"         ? &out.starts
                             : name == "recovery_history" ? &out.recoveries
                                                          : nullptr;
        if (!h) {
            errors.push_back(field + ": unknown key (job_starts, recovery_history)");
            continue;
        }
        if (!value.is_object()) {
            errors.push_back(field + ": not an object");
            continue;
        }
        for (const auto& [key, v] : value.items()) {
            if (key == "table") {
                if (v.is_string())
                    h->table = v.get<std::string>();
                else
                    errors.push_back(field + ".table: not a string");
            } else if (key == "columns") {
                if (!v.is_object()) {
                    errors.push_back(field + ".columns: not an object");
                    continue;
                }
                for (const auto& [ours, theirs] : v.items()) {
                    if (theirs.is_string())
                        h->columns.emplace_back(ours, theirs.get<std::string>());
                    else
                        errors.push_back(field + ".columns." + ours + ": not a string");
                }
            } else {
                errors.push_back(field + "." + key + ": unknown key (table, columns)");
            }
        }
    }
}

// "columns": {"initial_workers": {"json": "config", "path": "tool_options.initial_workers"}}: a
// tool option kept under a key of a JSON column (table_mapping::json_fields).
inline void read_json_field(const std::string& ours, const nlohmann::json& v, table_mapping& out,
                            std::vector<std::string>& errors) {
    const std::string field = "columns." + ours;
    json_field f{ours, {}, {}};
    for (const auto& [key, value] : v.items()) {
        if (key != "json" && key != "path") {
            errors.push_back(field + "." + key + ": unknown key (json, path)");
        } else if (!value.is_string()) {
            errors.push_back(field + "." + key + ": not a string");
        } else if (key == "json") {
            f.json_column = value.get<std::string>();
        } else {
            const std::string path = value.get<std::string>();
            std::size_t from = 0;
            for (std::size_t dot = path.find('.');; dot = path.find('.', from)) {
                f.path.push_back(path.substr(from, dot - from));
                if (dot == std::string::npos) break;
                from = dot + 1;
            }
        }
    }
    if (!v.contains("json")) errors.push_back(field + ".json: missing (the JSON column)");
    if (!v.contains("path")) errors.push_back(field + ".path: missing (the key in it)");
    if (v.contains("json") && v.contains("path")) out.json_fields.push_back(std::move(f));
}

} // namespace detail

// Parses a mapping file's text into `out`; the errors name the field. A mapping with errors is
// not to be used.
[[nodiscard]] inline std::vector<std::string> read_mapping(const std::string& text,
                                                           table_mapping& out) {
    std::vector<std::string> errors;
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return {"the mapping is not a JSON object"};
    for (const auto& [key, value] : j.items())
        if (key != "table" && key != "columns" && key != "statuses" && key != "failure_classes" &&
            key != "history")
            errors.push_back(key +
                             ": unknown key (table, columns, statuses, failure_classes, history)");
    if (j.contains("table")) {
        if (j["table"].is_string())
            out.table = j["table"].get<std::string>();
        else
            errors.push_back("table: not a string");
    }
    if (j.contains("columns")) {
        if (!j["columns"].is_object()) errors.push_back("columns: not an object");
        for (const auto& [ours, theirs] : j["columns"].items()) {
            if (theirs.is_string())
                out.columns.emplace_back(ours, theirs.get<std::string>());
            else if (theirs.is_null())
                out.absent.push_back(ours); // the host's table lacks it
            else if (theirs.is_object())
                detail::read_json_field(ours, theirs, out, errors);
            else
                errors.push_back(
                    "columns." + ours +
                    ": not a string (a column), an object (a JSON key) or null (no such "
                    "column)");
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
    if (j.contains("history")) detail::read_history_tables(j["history"], out, errors);
    if (j.contains("failure_classes"))
        detail::read_failure_classes(j["failure_classes"], out, errors);
    if (errors.empty())
        for (auto& e : check_mapping(out))
            errors.push_back(std::move(e));
    return errors;
}

} // namespace adapters
} // namespace v0
} // namespace warden
