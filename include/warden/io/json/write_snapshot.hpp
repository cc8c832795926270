#pragma once
// The canonical snapshot document: what read_snapshot_document reads back to the same values.
#include <warden/core/config.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/io/json/write_values.hpp>
#include <warden/io/rfc3339.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden {
inline namespace v0 {

// The canonical snapshot document: every key written, times in RFC 3339 UTC. Reading it back
// gives the same snapshot and config.
[[nodiscard]] inline nlohmann::ordered_json to_json(const snapshot& s, const config& c) {
    using detail::json;
    json out = json::object();
    out["now"] = format_rfc3339(s.now);
    out["host"] = detail::fields_json(s.host, false);
    out["config"] = detail::fields_json(c, false);
    json& jobs = out["jobs"] = json::array();
    for (const job& j : s.jobs)
        jobs.push_back(detail::fields_json(j, true));
    json& locks = out["locks"] = json::array();
    for (const job_id id : s.locks)
        locks.push_back(json{{"job_id", to_int(id)}});
    json& unprobeable = out["unprobeable_locks"] = json::array();
    for (const unprobeable_lock& l : s.unprobeable_locks)
        unprobeable.push_back(detail::fields_json(l, false));
    json& processes = out["processes"] = json::array();
    for (const process_fact& p : s.processes)
        processes.push_back(detail::fields_json(p, false));
    json& running = out["running_set"] = json::array();
    for (const job_id id : s.running_set)
        running.push_back(to_int(id));
    json& starts = out["starts"] = json::array();
    for (const start_record& r : s.starts)
        starts.push_back(detail::fields_json(r, false));
    json& recoveries = out["recoveries"] = json::array();
    for (const recovery_record& r : s.recoveries)
        recoveries.push_back(detail::fields_json(r, false));
    return out;
}

} // namespace v0
} // namespace warden
