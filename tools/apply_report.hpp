#pragma once
// What `warden apply` did, for programs: the apply result document (docs/formats.md, "The apply
// result", docs/schema/apply-result.schema.json) and its Prometheus series (docs/metrics.md,
// "apply"). CLI-internal: the library's apply result is warden::sqlite::apply_result.
#include <warden/adapters/sqlite.hpp>
#include <warden/host/carry_out.hpp>
#include <warden/io/json.hpp>
#include <warden/io/prometheus.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace warden_cli {

// The five statuses of a plan action after apply, then the two states of an action that never
// reached the database: blocked by a rail, or planned by a dry run (sentinel absent).
inline constexpr std::string_view apply_statuses[] = {"applied", "conflict", "runtime_only",
                                                      "not_reached", "unsupported"};

// What one apply run did: `result` is empty (no statuses) for a dry run.
struct apply_report {
    const warden::plan& plan;
    const warden::snapshot& read;
    const warden::sqlite::apply_result& result;
    bool dry_run = false; // the sentinel file was absent: nothing written
    // --host-config: what carrying out the runtime actions did; null when not asked to.
    const std::vector<warden::host::runtime_result>* carried_out = nullptr;
};

inline nlohmann::ordered_json to_json(const warden::host::runtime_result& r) {
    using json = nlohmann::ordered_json;
    json out = json::object();
    out["action_index"] = r.action_index;
    out["kind"] = r.record.kind;
    out["job_id"] = warden::to_int(r.record.job);
    out["ok"] = r.record.ok;
    out["detail"] = r.record.detail;
    json& pids = out["pids"] = json::array();
    for (const auto& p : r.record.pids) {
        json item = json::object();
        item["pid"] = p.pid;
        item["outcome"] = warden::host::to_string(p.outcome);
        pids.push_back(std::move(item));
    }
    if (r.record.command) {
        const auto& c = *r.record.command;
        json& command = out["command"] = json::object();
        command["argv"] = c.argv;
        command["outcome"] = warden::host::to_string(c.outcome);
        command["exit_status"] =
            c.outcome == warden::host::command_outcome::exited ? json(c.exit_status) : json();
        command["signal"] = c.signal != 0 ? json(c.signal) : json();
        command["error"] = c.error;
        command["output"] = c.output;
        command["elapsed_ms"] = c.elapsed.count();
    } else {
        out["command"] = nullptr;
    }
    out["undo"] = r.undo ? json(std::string{warden::sqlite::to_string(*r.undo)}) : json();
    return out;
}

inline const warden::job* find_job(const warden::snapshot& s, warden::job_id id) {
    const auto it = std::find_if(s.jobs.begin(), s.jobs.end(),
                                 [&](const warden::job& j) { return j.id == id; });
    return it == s.jobs.end() ? nullptr : &*it;
}

// The runtime actions the host must carry out after this apply, in plan order: a crawl to launch
// for every start whose row write committed (the row now says running), the pids to signal for
// every stop reported runtime_only. Nothing after a dry run or a rollback.
inline nlohmann::ordered_json runtime_actions_json(const apply_report& r) {
    using json = nlohmann::ordered_json;
    json out = json::array();
    if (r.dry_run || !r.result.committed) return out;
    for (std::size_t i = 0; i < r.plan.actions.size() && i < r.result.actions.size(); ++i) {
        const warden::action& a = r.plan.actions[i];
        const auto status = r.result.actions[i];
        if (const auto* start = std::get_if<warden::start_job>(&a)) {
            if (status != warden::sqlite::action_status::applied) continue;
            json item = json::object();
            item["kind"] = "start";
            item["action_index"] = i;
            item["job_id"] = warden::to_int(start->job);
            const warden::job* j = find_job(r.read, start->job);
            item["name"] = j ? j->name : std::string{};
            item["source"] = j ? j->source : std::string{};
            item["output_dir"] = j ? j->output_dir : std::string{};
            item["tool_options"] = warden::to_json(a)["tool_options"];
            out.push_back(std::move(item));
        } else if (const auto* stop = std::get_if<warden::stop_job>(&a)) {
            if (status != warden::sqlite::action_status::runtime_only) continue;
            json item = json::object();
            item["kind"] = stop->restart ? "restart" : "stop";
            item["action_index"] = i;
            item["job_id"] = warden::to_int(stop->job);
            const warden::job* j = find_job(r.read, stop->job);
            item["name"] = j ? j->name : std::string{};
            item["pids"] = stop->pids;
            item["runner"] = warden::to_string(stop->runner);
            item["unit"] = stop->unit;
            item["rule"] = warden::to_string(stop->rule);
            item["reason"] = stop->reason;
            out.push_back(std::move(item));
        }
    }
    return out;
}

inline nlohmann::ordered_json to_json(const apply_report& r) {
    using json = nlohmann::ordered_json;
    json out = json::object();
    out["dry_run"] = r.dry_run;
    out["committed"] = !r.dry_run && r.result.committed;
    json& actions = out["actions"] = json::array();
    for (std::size_t i = 0; i < r.plan.actions.size(); ++i) {
        json item = json::object();
        item["status"] = r.dry_run || i >= r.result.actions.size()
                             ? std::string{"dry_run"}
                             : std::string{warden::sqlite::to_string(r.result.actions[i])};
        item["action"] = warden::to_json(r.plan.actions[i]);
        // unsupported: the column the host's table lacks (mapped to null), by warden's name
        for (const auto& u : r.result.unsupported)
            if (u.action == i) item["missing_column"] = u.column;
        actions.push_back(std::move(item));
    }
    for (const warden::blocked_action& b : r.plan.blocked) {
        json item = json::object();
        item["status"] = "blocked";
        item["action"] = warden::to_json(b.proposed);
        item["rail"] = b.rail;
        item["reason"] = b.reason;
        actions.push_back(std::move(item));
    }
    out["runtime_actions"] = runtime_actions_json(r);
    if (r.carried_out) {
        json& results = out["runtime_results"] = json::array();
        for (const auto& x : *r.carried_out)
            results.push_back(to_json(x));
    }
    json& counts = out["counts"] = json::object();
    counts["applied"] = r.dry_run ? 0 : r.result.applied;
    counts["conflicts"] = r.dry_run ? 0 : r.result.conflicts;
    counts["not_reached"] = r.dry_run ? 0 : r.result.not_reached;
    counts["unsupported"] = r.dry_run ? 0 : static_cast<std::int64_t>(r.result.unsupported.size());
    counts["blocked"] = r.plan.blocked.size();
    out["plan"] = warden::to_json(r.plan, r.read);
    return out;
}

// The apply series, appended to the plan's textfile (render_prometheus): every status is always
// present, a zero is information.
inline std::string apply_prometheus(const apply_report& r) {
    std::string out;
    auto family = [&](std::string_view name, std::string_view help) {
        out += fmt::format("# HELP warden_{} {}\n# TYPE warden_{} gauge\n", name, help, name);
    };
    family("apply_dry_run", "1 if apply planned only: the sentinel file was absent.");
    out += fmt::format("warden_apply_dry_run {}\n", r.dry_run ? 1 : 0);
    family("apply_committed", "1 if apply committed its transaction, 0 if nothing was written.");
    out += fmt::format("warden_apply_committed {}\n", !r.dry_run && r.result.committed ? 1 : 0);
    family("apply_actions", "Plan actions after apply, by status (blocked: denied by a rail).");
    for (const std::string_view status : apply_statuses) {
        std::int64_t n = 0;
        if (!r.dry_run)
            n = std::count_if(r.result.actions.begin(), r.result.actions.end(),
                              [&](auto s) { return warden::sqlite::to_string(s) == status; });
        out += fmt::format("warden_apply_actions{{status=\"{}\"}} {}\n", status, n);
    }
    out += fmt::format("warden_apply_actions{{status=\"blocked\"}} {}\n", r.plan.blocked.size());
    family("apply_runtime_actions",
           "Runtime actions apply handed to the host to carry out, by kind.");
    const auto runtime = runtime_actions_json(r);
    for (const std::string_view kind : {"start", "stop", "restart"})
        out += fmt::format("warden_apply_runtime_actions{{kind=\"{}\"}} {}\n", kind,
                           std::count_if(runtime.begin(), runtime.end(),
                                         [&](const auto& item) { return item["kind"] == kind; }));
    if (!r.carried_out) return out;
    family("runtime_action_results",
           "Runtime actions carried out (--host-config), by kind and result.");
    for (const std::string_view kind : {"start", "stop", "restart"})
        for (const bool ok : {true, false})
            out += fmt::format(
                "warden_runtime_action_results{{kind=\"{}\",result=\"{}\"}} {}\n", kind,
                ok ? "ok" : "failed",
                std::count_if(r.carried_out->begin(), r.carried_out->end(), [&](const auto& x) {
                    return x.record.kind == kind && x.record.ok == ok;
                }));
    family("runtime_starts_undone",
           "Failed starts whose row was put back as it was before the start (no start counted).");
    out +=
        fmt::format("warden_runtime_starts_undone {}\n",
                    std::count_if(r.carried_out->begin(), r.carried_out->end(), [](const auto& x) {
                        return x.undo == warden::sqlite::action_status::applied;
                    }));
    return out;
}

} // namespace warden_cli
