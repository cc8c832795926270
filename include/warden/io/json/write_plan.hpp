#pragma once
// The plan document (docs/formats.md, docs/schema/plan.schema.json) and its outcome.
#include <warden/core/actions.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/io/json/read_snapshot.hpp>
#include <warden/io/json/write_values.hpp>
#include <warden/io/rfc3339.hpp>
#include <warden/outcome.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace warden {
inline namespace v0 {

namespace detail {

// Each action kind as a JSON object. Row writes always carry their compare-and-set expectation.
struct action_json {
    static json head(std::string_view kind, job_id job) {
        json out = json::object();
        out["kind"] = kind;
        out["job_id"] = to_int(job);
        return out;
    }
    static void expect(json& out, job_status status, std::int64_t version) {
        out["expected_status"] = to_string(status);
        out["expected_version"] = version;
    }

    json operator()(const set_status& a) const {
        json out = head(kind_name(a), a.job);
        expect(out, a.expected_status, a.expected_version);
        out["status"] = to_string(a.status);
        if (a.failure) out["failure_class"] = failure_name(*a.failure);
        out["rule"] = to_string(a.rule);
        out["reason"] = a.reason;
        out["evidence"] = to_string(a.evidence.kind);
        out["evidence_value"] = a.evidence.value;
        // A stall recovery's count for its recovery record (issue #17); only when known.
        if (a.crawled_pages) out["crawled_pages"] = *a.crawled_pages;
        if (a.clears_finished_at) out["clears_finished_at"] = true; // issue #16, item 1
        return out;
    }
    json operator()(const start_job& a) const {
        json out = head(kind_name(a), a.job);
        expect(out, a.expected_status, a.expected_version);
        out["tool_options"] = options_json(a.options);
        out["rule"] = to_string(a.rule);
        return out;
    }
    json operator()(const backfill_campaign& a) const {
        json out = head(kind_name(a), a.job);
        expect(out, a.expected_status, a.expected_version);
        out["campaign_kind"] = to_string(a.kind);
        out["campaign_year"] = a.year;
        out["campaign_date"] = fmt::format("{:04}-01-01", a.year);
        out["campaign_date_utc"] = format_rfc3339(a.campaign_date());
        out["rule"] = to_string(a.rule);
        return out;
    }
    json operator()(const set_tool_options& a) const {
        json out = head(kind_name(a), a.job);
        expect(out, a.expected_status, a.expected_version);
        out["before"] = options_json(a.before);
        out["after"] = options_json(a.after);
        out["rule"] = to_string(a.rule);
        return out;
    }
    json operator()(const stop_job& a) const {
        json out = head(kind_name(a), a.job);
        out["pids"] = a.pids;
        out["runner"] = to_string(a.runner);
        if (a.runner == runner_class::systemd_unit) out["unit"] = a.unit;
        out["restart"] = a.restart;
        out["rule"] = to_string(a.rule);
        out["reason"] = a.reason;
        return out;
    }
};

// The rules decide() runs, in rule_id order; `completion` is the worker's and never appears in a
// plan.
inline constexpr rule_id decide_rules[] = {
    rule_id::consistency_repair, rule_id::failure_classification,
    rule_id::retry_budget,       rule_id::reconcile,
    rule_id::stall_recovery,     rule_id::orphan_sweep,
    rule_id::queue_fill,         rule_id::deadline,
};

} // namespace detail

[[nodiscard]] inline nlohmann::ordered_json to_json(const validation_error& e) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    out["path"] = document_path(e.field);
    out["job_id"] = e.job ? nlohmann::ordered_json(to_int(*e.job)) : nlohmann::ordered_json();
    out["message"] = e.message;
    return out;
}

[[nodiscard]] inline nlohmann::ordered_json to_json(const action& a) {
    return std::visit(detail::action_json{}, a);
}

// The plan document (docs/formats.md, docs/schema/plan.schema.json).
[[nodiscard]] inline nlohmann::ordered_json to_json(const plan& p) {
    using detail::json;
    json out = json::object();
    json& actions = out["actions"] = json::array();
    for (const action& a : p.actions)
        actions.push_back(to_json(a));
    json& blocked = out["blocked"] = json::array();
    for (const blocked_action& b : p.blocked) {
        json item = json::object();
        item["action"] = to_json(b.proposed);
        item["rail"] = b.rail;
        item["reason"] = b.reason;
        blocked.push_back(std::move(item));
    }
    json& anomalies = out["anomalies"] = json::array();
    for (const anomaly& a : p.anomalies) {
        json item = json::object();
        item["job_id"] = to_int(a.job);
        item["kind"] = to_string(a.kind);
        item["detail"] = a.detail;
        anomalies.push_back(std::move(item));
    }
    json& skipped = out["skipped"] = json::array();
    for (const skipped_start& k : p.skipped) {
        json item = json::object();
        item["job_id"] = to_int(k.job);
        item["reason"] = to_string(k.reason);
        item["campaign_year"] = k.campaign_year ? json(*k.campaign_year) : json(nullptr);
        item["target_year"] = k.target_year;
        skipped.push_back(std::move(item));
    }
    json& errors = out["errors"] = json::array();
    for (const validation_error& e : p.errors)
        errors.push_back(to_json(e));
    json& observations = out["observations"] = json::array();
    for (const observation& o : p.observations) {
        json item = json::object();
        item["job_id"] = to_int(o.job);
        item["kind"] = to_string(o.kind);
        item["value"] = o.value;
        observations.push_back(std::move(item));
    }
    const plan_summary& s = p.summary;
    json& summary = out["summary"] = json::object();
    summary["running"] = s.running;
    summary["target"] = s.target;
    summary["stalled"] = s.stalled;
    summary["degraded"] = s.degraded;
    summary["jobs"] = s.jobs;
    summary["starts_last_24h"] = s.starts_last_24h;
    summary["recoveries_last_24h"] = s.recoveries_last_24h;
    summary["deploy_lock"] = s.deploy_lock;
    json& by_status = summary["by_status"] = json::object();
    for (int i = 0; i < job_status_count; ++i)
        by_status[std::string{to_string(static_cast<job_status>(i))}] =
            s.by_status[static_cast<std::size_t>(i)];
    json& by_rule = summary["actions_by_rule"] = json::object();
    for (const rule_id r : detail::decide_rules)
        by_rule[std::string{to_string(r)}] = s.actions_by_rule[static_cast<std::size_t>(r)];
    return out;
}

// The plan document with the tick's outcome (include/warden/outcome.hpp), which needs the
// snapshot's host facts: what `warden decide --format json` prints.
[[nodiscard]] inline nlohmann::ordered_json to_json(const plan& p, const snapshot& s) {
    nlohmann::ordered_json out = to_json(p);
    const tick_reason reason = outcome_of(p, s);
    nlohmann::ordered_json& outcome = out["outcome"] = nlohmann::ordered_json::object();
    outcome["result"] = to_string(result_of(reason));
    outcome["reason"] = to_string(reason);
    return out;
}

} // namespace v0
} // namespace warden
