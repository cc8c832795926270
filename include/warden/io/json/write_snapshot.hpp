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
    json& host = out["host"] = json::object();
    host["sentinel"] = s.host.sentinel_present;
    host["deploy_lock"] = s.host.deploy_lock_present;
    host["deploy_lock_unprobeable"] = s.host.deploy_lock_unprobeable;
    host["deploy_lock_created_at"] = detail::time_json(s.host.deploy_lock_created_at);
    host["disk_used_percent"] = s.host.disk_used_percent;
    host["worker_alive"] = s.host.worker_alive;
    host["process_list_readable"] = s.host.process_list_readable;

    json& cfg = out["config"] = json::object();
    cfg["ensure_min_running_jobs"] = c.ensure_min_running_jobs;
    cfg["campaign_year"] = c.campaign_year ? json(*c.campaign_year) : json(nullptr);
    cfg["disk_threshold_percent"] = c.disk_threshold_percent;
    cfg["daily_start_cap"] = c.daily_start_cap;
    cfg["daily_recovery_cap"] = c.daily_recovery_cap;
    cfg["max_retries"] = c.max_retries;
    cfg["recoveries_per_tick"] = c.recoveries_per_tick;
    cfg["stall_after_minutes"] =
        std::chrono::duration_cast<std::chrono::minutes>(c.stall_after).count();
    cfg["start_grace_minutes"] =
        std::chrono::duration_cast<std::chrono::minutes>(c.start_grace).count();
    cfg["guard_window_minutes"] =
        std::chrono::duration_cast<std::chrono::minutes>(c.guard_window).count();
    cfg["soft_recovery"] = c.soft_recovery;
    cfg["deploy_lock_stale_after_minutes"] =
        std::chrono::duration_cast<std::chrono::minutes>(c.deploy_lock_stale_after).count();
    cfg["orphan_grace_minutes"] =
        std::chrono::duration_cast<std::chrono::minutes>(c.orphan_grace).count();
    cfg["annual_minimums"] = detail::minimums_json(c.annual_minimums);
    cfg["recovery_min_restarts_non_annual"] = c.recovery_min_restarts_non_annual;
    cfg["annual_stall_timeout_minutes"] = c.annual_stall_timeout_minutes;
    cfg["source_order"] = c.source_order;
    cfg["final_stage"] = c.final_stage;
    cfg["config_error_patterns"] = c.config_error_patterns;
    json& guards = cfg["guards"] = json::object();
    guards["reconcile"] = c.guards.reconcile;
    guards["legacy_detection"] = c.guards.legacy_detection;
    guards["raise_annual_minimums"] = c.guards.raise_annual_minimums;
    guards["stable_queue_order"] = c.guards.stable_queue_order;
    guards["classify_config_errors"] = c.guards.classify_config_errors;
    guards["consistency_repair"] = c.guards.consistency_repair;
    guards["bounded_retries"] = c.guards.bounded_retries;

    json& jobs = out["jobs"] = json::array();
    for (const job& j : s.jobs) {
        json row = json::object();
        row["id"] = to_int(j.id);
        row["name"] = j.name;
        row["source"] = j.source;
        row["output_dir"] = j.output_dir;
        row["status"] = to_string(j.status);
        row["campaign_kind"] = j.kind == campaign_kind::annual ? json("annual") : json(nullptr);
        row["campaign_year"] = j.campaign_year ? json(*j.campaign_year) : json(nullptr);
        row["queued_at"] = format_rfc3339(j.queued_at);
        row["started_at"] = detail::time_json(j.started_at);
        row["finished_at"] = detail::time_json(j.finished_at);
        row["last_progress_at"] = detail::time_json(j.last_progress_at);
        row["crawled_pages"] = j.crawled_pages ? json(*j.crawled_pages) : json(nullptr);
        row["progress_known"] = j.progress_known;
        row["completed_at"] = detail::time_json(j.completed_at);
        row["retry_count"] = j.retry_count;
        row["failure_class"] = j.failure == failure_class::none
                                   ? json(nullptr)
                                   : json(detail::failure_name(j.failure));
        row["last_error"] = j.last_error.empty() ? json(nullptr) : json(j.last_error);
        row["tool_options"] = detail::options_json(j.options);
        row["last_stage"] = j.last_stage ? json(*j.last_stage) : json(nullptr);
        row["has_outputs"] = j.has_outputs;
        row["version"] = j.version;
        row["created_at"] = detail::time_json(j.created_at);
        jobs.push_back(std::move(row));
    }
    json& locks = out["locks"] = json::array();
    for (const job_id id : s.locks)
        locks.push_back(json{{"job_id", to_int(id)}});
    json& processes = out["processes"] = json::array();
    for (const process_fact& p : s.processes) {
        json item = json::object();
        item["pid"] = p.pid;
        item["output_dir"] = p.output_dir;
        item["cmdline"] = p.cmdline;
        item["origin"] = to_string(p.origin);
        if (p.origin == process_origin::systemd_unit) item["unit"] = p.unit;
        processes.push_back(std::move(item));
    }
    json& running = out["running_set"] = json::array();
    for (const job_id id : s.running_set)
        running.push_back(to_int(id));
    json& starts = out["starts"] = json::array();
    for (const start_record& r : s.starts) {
        json item = json::object();
        item["job_id"] = to_int(r.job);
        item["at"] = format_rfc3339(r.at);
        starts.push_back(std::move(item));
    }
    json& recoveries = out["recoveries"] = json::array();
    for (const recovery_record& r : s.recoveries) {
        json item = json::object();
        item["job_id"] = to_int(r.job);
        item["at"] = format_rfc3339(r.at);
        recoveries.push_back(std::move(item));
    }
    return out;
}

} // namespace v0
} // namespace warden
