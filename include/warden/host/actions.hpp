#pragma once
// Carrying out a plan's runtime actions on a Linux host (issue 19, docs/host-actions.md): stop
// (signal the pids, wait, escalate to SIGKILL), restart (a unit or the worker, by a command
// template) and start (a command template with the job's fields), each with a timeout, and a
// record of what happened. Commands are argv arrays run by fork/exec, never through a shell, so
// a job name cannot become shell syntax. The templates come from the host config's "actions"
// section (parse_action_templates).
#include <warden/core/actions.hpp>
#include <warden/core/ids.hpp>
#include <warden/core/job.hpp>
#include <warden/host/detail/run_command.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace warden {
inline namespace v0 {
namespace host {

// One command: an argv whose elements may hold placeholders, `{id}`, `{name}`, `{source}`,
// `{output_dir}`, `{unit}` (expanded raw: each lands inside one argument, so no quoting is
// needed) and `{name:sh}` etc. (the value POSIX-shell-quoted, for a template that hands a
// string to `sh -c` or to `systemd-run --shell`); `{{` and `}}` are literal braces.
struct command_template {
    std::vector<std::string> argv;
};

// The host config's "actions" section.
struct action_templates {
    std::optional<command_template> start_job;        // launch a crawl for a started row
    std::optional<command_template> restart_unit;     // a stop_job{restart, systemd_unit}
    std::optional<command_template> stop_unit;        // a stop_job on a unit with no pids
    std::optional<command_template> restart_worker;   // a stop_job{restart, worker}
    std::chrono::milliseconds stop_timeout{30000};    // SIGTERM to SIGKILL
    std::chrono::milliseconds command_timeout{60000}; // each command
};

// The values a template's placeholders take.
struct template_values {
    job_id id{};
    std::string name;
    std::string source;
    std::string output_dir;
    std::string unit;
};

namespace detail {

// 'text' with every ' written as '\'': one word for any POSIX shell, whatever it holds.
[[nodiscard]] inline std::string shell_quote(std::string_view text) {
    std::string out = "'";
    for (const char c : text) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    out += '\'';
    return out;
}

inline const std::string* placeholder_value(const template_values& v, std::string_view name,
                                            std::string& scratch) {
    if (name == "id") return &(scratch = std::to_string(to_int(v.id)));
    if (name == "name") return &v.name;
    if (name == "source") return &v.source;
    if (name == "output_dir") return &v.output_dir;
    if (name == "unit") return &v.unit;
    return nullptr;
}

// Expands one argument; an error message for an unknown placeholder or an unmatched brace.
inline std::optional<std::string> expand(std::string_view arg, const template_values& v,
                                         std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < arg.size(); ++i) {
        const char c = arg[i];
        if ((c == '{' || c == '}') && i + 1 < arg.size() && arg[i + 1] == c) {
            out += c;
            ++i;
            continue;
        }
        if (c == '}') return fmt::format("\"{}\": unmatched }}", arg);
        if (c != '{') {
            out += c;
            continue;
        }
        const auto close = arg.find('}', i);
        if (close == std::string_view::npos) return fmt::format("\"{}\": unmatched {{", arg);
        std::string_view name = arg.substr(i + 1, close - i - 1);
        bool quoted = false;
        if (name.size() > 3 && name.substr(name.size() - 3) == ":sh") {
            quoted = true;
            name.remove_suffix(3);
        }
        std::string scratch;
        const std::string* value = placeholder_value(v, name, scratch);
        if (!value)
            return fmt::format("\"{}\": unknown placeholder {{{}}} (id, name, source, output_dir, "
                               "unit, each optionally :sh)",
                               std::string(arg), std::string(name));
        out += quoted ? shell_quote(*value) : *value;
        i = close;
    }
    return std::nullopt;
}

} // namespace detail

// The argv of a template for these values, or an error naming the bad argument.
struct expanded_command {
    std::vector<std::string> argv;
    std::string error;
};

[[nodiscard]] inline expanded_command expand_template(const command_template& t,
                                                      const template_values& v) {
    expanded_command out;
    std::string arg;
    for (const std::string& a : t.argv) {
        if (auto e = detail::expand(a, v, arg)) {
            out.error = *e;
            out.argv.clear();
            return out;
        }
        out.argv.push_back(arg);
    }
    return out;
}

// Reads the host config's "actions" object. Errors name the key ("actions.start_job[2]: ...");
// an empty vector means it was read whole.
[[nodiscard]] inline std::vector<std::string> parse_action_templates(const nlohmann::json& section,
                                                                     action_templates& out) {
    std::vector<std::string> errors;
    if (!section.is_object()) {
        errors.push_back("actions: expected an object");
        return errors;
    }
    const template_values probe{job_id{1}, "n", "s", "/d", "u"};
    for (const auto& item : section.items()) {
        const std::string& key = item.key();
        const nlohmann::json& v = item.value();
        const std::string at = "actions." + key;
        std::optional<command_template>* slot = key == "start_job"        ? &out.start_job
                                                : key == "restart_unit"   ? &out.restart_unit
                                                : key == "stop_unit"      ? &out.stop_unit
                                                : key == "restart_worker" ? &out.restart_worker
                                                                          : nullptr;
        if (slot) {
            if (v.is_null()) continue;
            if (!v.is_array() || v.empty()) {
                errors.push_back(at + ": expected a non-empty array of strings (an argv: no "
                                      "shell runs it)");
                continue;
            }
            command_template t;
            for (std::size_t i = 0; i < v.size(); ++i) {
                if (!v[i].is_string()) {
                    errors.push_back(fmt::format("{}[{}]: expected a string", at, i));
                    continue;
                }
                t.argv.push_back(v[i].get<std::string>());
            }
            const expanded_command check = expand_template(t, probe);
            if (!check.error.empty()) errors.push_back(at + ": " + check.error);
            *slot = std::move(t);
        } else if (key == "stop_timeout_seconds" || key == "command_timeout_seconds") {
            if (!v.is_number_integer() || v.get<std::int64_t>() < 1 ||
                v.get<std::int64_t>() > 3600) {
                errors.push_back(at + ": expected an integer from 1 to 3600");
                continue;
            }
            const std::chrono::milliseconds ms{v.get<std::int64_t>() * 1000};
            (key == "stop_timeout_seconds" ? out.stop_timeout : out.command_timeout) = ms;
        } else {
            errors.push_back(at + ": unknown key");
        }
    }
    return errors;
}

// What one pid did when stopped.
enum class stop_outcome : std::uint8_t {
    already_gone, // no such process when SIGTERM was to be sent
    terminated,   // gone within stop_timeout of SIGTERM
    killed,       // still there at the timeout: SIGKILL, then gone
    survived,     // still there after SIGKILL (uninterruptible sleep): reported, not hidden
    not_permitted // EPERM: not ours to signal
};

[[nodiscard]] constexpr const char* to_string(stop_outcome o) noexcept {
    switch (o) {
    case stop_outcome::already_gone: return "already_gone";
    case stop_outcome::terminated: return "terminated";
    case stop_outcome::killed: return "killed";
    case stop_outcome::survived: return "survived";
    case stop_outcome::not_permitted: return "not_permitted";
    }
    return "unknown";
}

struct pid_stop {
    std::int64_t pid = 0;
    stop_outcome outcome = stop_outcome::already_gone;
};

// What one runtime action did.
struct action_record {
    std::string kind; // "start", "stop", "restart"
    job_id job{};
    std::vector<pid_stop> pids;            // stop, restart: each pid signalled
    std::optional<command_result> command; // the template run, if any
    bool ok = false;                       // the action did what it was asked to
    std::string detail;                    // why not, when !ok
};

namespace detail {

inline bool wait_gone(pid_t pid, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (process_alive(pid)) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

} // namespace detail

// SIGTERM, wait up to `timeout`, SIGKILL, wait again briefly. The pids are the probe's; a pid
// reused since then would be signalled too, which is why the plan's pids come from the same
// tick's probe (docs/host-actions.md).
[[nodiscard]] inline pid_stop stop_pid(std::int64_t pid, std::chrono::milliseconds timeout) {
    pid_stop out{pid, stop_outcome::already_gone};
    if (pid <= 1) { // 0, -1 and negative pids name groups or everything: never signalled
        out.outcome = stop_outcome::not_permitted;
        return out;
    }
    const auto p = static_cast<pid_t>(pid);
    if (!detail::process_alive(p)) return out;
    if (::kill(p, SIGTERM) != 0) {
        out.outcome = errno == EPERM ? stop_outcome::not_permitted : stop_outcome::already_gone;
        return out;
    }
    if (detail::wait_gone(p, timeout)) {
        out.outcome = stop_outcome::terminated;
        return out;
    }
    ::kill(p, SIGKILL);
    out.outcome = detail::wait_gone(p, std::chrono::seconds(5)) ? stop_outcome::killed
                                                                : stop_outcome::survived;
    return out;
}

// A stop or restart (stop_job): its pids signalled, then for a restart the unit's or the
// worker's template; a unit with no pids is stopped by stop_unit.
[[nodiscard]] inline action_record carry_out_stop(const stop_job& a, const template_values& values,
                                                  const action_templates& t) {
    action_record r;
    r.kind = a.restart ? "restart" : "stop";
    r.job = a.job;
    r.ok = true;
    for (const std::int64_t pid : a.pids) {
        r.pids.push_back(stop_pid(pid, t.stop_timeout));
        const stop_outcome o = r.pids.back().outcome;
        if (o == stop_outcome::survived || o == stop_outcome::not_permitted) {
            r.ok = false;
            r.detail = fmt::format("pid {} {}", pid, to_string(o));
        }
    }
    const std::optional<command_template>* command = nullptr;
    if (a.restart)
        command = a.runner == runner_class::systemd_unit ? &t.restart_unit : &t.restart_worker;
    else if (a.pids.empty() && a.runner == runner_class::systemd_unit)
        command = &t.stop_unit;
    if (!command) return r;
    if (!*command) {
        if (a.restart && a.runner != runner_class::systemd_unit && !a.pids.empty())
            return r; // a worker's crawl: its pids are stopped; the worker starts the next one
        r.ok = false;
        r.detail = fmt::format(
            "no actions.{} template in the host config",
            a.restart ? (a.runner == runner_class::systemd_unit ? "restart_unit" : "restart_worker")
                      : "stop_unit");
        return r;
    }
    template_values v = values;
    v.unit = a.unit;
    const expanded_command e = expand_template(**command, v);
    if (!e.error.empty()) {
        r.ok = false;
        r.detail = e.error;
        return r;
    }
    r.command = detail::run_command(e.argv, t.command_timeout);
    if (!r.command->succeeded() && r.ok) {
        r.ok = false;
        r.detail = fmt::format("command {}", to_string(r.command->outcome));
    }
    return r;
}

// A start (start_job whose row write committed): the start_job template with the job's fields.
// A record that is not ok means nothing is running for a row that says running: the caller
// must undo the start (sqlite::undo_start) rather than leave it to the orphan sweep.
[[nodiscard]] inline action_record carry_out_start(const job& j, const action_templates& t) {
    action_record r;
    r.kind = "start";
    r.job = j.id;
    if (!t.start_job) {
        r.detail = "no actions.start_job template in the host config";
        return r;
    }
    const expanded_command e =
        expand_template(*t.start_job, template_values{j.id, j.name, j.source, j.output_dir, {}});
    if (!e.error.empty()) {
        r.detail = e.error;
        return r;
    }
    r.command = detail::run_command(e.argv, t.command_timeout);
    r.ok = r.command->succeeded();
    if (!r.ok)
        r.detail = r.command->outcome == command_outcome::exited
                       ? fmt::format("start command exited {}", r.command->exit_status)
                   : r.command->outcome == command_outcome::failed_to_start
                       ? fmt::format("start command failed to start: {}", r.command->error)
                       : fmt::format("start command {}", to_string(r.command->outcome));
    return r;
}

} // namespace host
} // namespace v0
} // namespace warden
