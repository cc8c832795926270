#pragma once
// The host config file (docs/host.md): where `warden probe` finds the per-job locks, the crawl
// processes, the worker, the disk, the sentinel, the deploy lock and the progress logs ("probe"),
// and where `warden tick` finds its database, run lock and engine config ("tick"). "actions"
// belongs to host/actions.hpp and is skipped here; any other top-level key is a warning (forward
// compatibility), never an error.
#include <warden/io/json/parse.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden {
inline namespace v0 {
namespace host {

// One way a crawl's command line names its output dir: consecutive argv elements, each a literal
// except one that holds `{output_dir}` (with an optional literal prefix and suffix). Examples:
// ["--output-dir", "{output_dir}"], ["--output-dir={output_dir}"], ["-v", "{output_dir}:/output"].
struct output_dir_pattern {
    std::vector<std::string> args;
};

struct process_config {
    std::vector<output_dir_pattern> output_dir_patterns;
    // A process is a crawl candidate only if its command line contains one of these (production's
    // "archive-tool" or "docker run ... zimit" test); empty: every process is a candidate.
    std::vector<std::string> cmdline_contains;
    // fnmatch(3) globs over the systemd unit of a process's cgroup: a match is origin
    // systemd_unit with that unit's name (e.g. "healtharchive-job*.service").
    std::vector<std::string> job_unit_globs;
};

struct worker_config {
    std::string main_pid_file; // a file holding the worker's main pid
    std::string unit;          // or its systemd unit: the main pid is the unit's first process
    [[nodiscard]] bool configured() const noexcept {
        return !main_pid_file.empty() || !unit.empty();
    }
};

// A progress source per running job: the files under its output dir matching `log_globs`, each
// read from its last `tail_bytes`, whose last JSON line matching `json_match` carries the
// crawled-pages counter at `counter_field` (a dotted path), as production's crawlStatus lines do.
struct progress_config {
    std::string state_file; // the tracker's memory between runs; empty: progress is not probed
    std::vector<std::string> log_globs;
    std::int64_t tail_bytes = 1 << 20;
    std::vector<std::pair<std::string, std::string>> json_match; // dotted path -> string value
    std::string counter_field = "details.crawled";
    bool first_seen = false; // the historical bug (B15), for drills only: "source_choice"
    // Not a config key: false for `warden tick --dry-run`, which reads the state file but leaves
    // it as it was (a dry run writes nothing).
    bool save_state = true;
};

struct probe_config {
    std::string job_lock_path; // template over {id}, {name}, {output_dir}; empty: not probed
    process_config processes;
    worker_config worker;
    std::string disk_path;        // statvfs of this path gives disk_used_percent
    std::string sentinel_path;    // present when it exists
    std::string deploy_lock_path; // flock-probed like a job lock
    progress_config progress;
};

// The "tick" section: what `warden tick` needs besides the probe (docs/host.md, "tick").
struct tick_config {
    bool present = false;      // the section is in the file (warden tick requires it)
    std::string database;      // the SQLite jobs database
    std::string sentinel_path; // empty: probe.sentinel_path
    std::string run_lock_path; // flock'd for the whole run
    std::string metrics_path;  // the textfile, written atomically; empty: none
    std::string config_json;   // the engine config object, inline (its JSON text); or
    std::string config_path;   // a file holding that object
    // PostgreSQL only: the scope this watchdog decides (one per crawl host, or per source). The
    // tick holds the scope's advisory lock from before it reads the jobs until its runtime
    // actions are carried out, and skips the tick when another watchdog holds it (issue #20).
    std::string scope_lock;
};

struct host_config {
    probe_config probe;
    tick_config tick;
};

struct host_config_document {
    host_config config;
    std::vector<std::string> errors;   // "probe.job_locks.path: expected a string"
    std::vector<std::string> warnings; // unknown keys
    [[nodiscard]] bool ok() const noexcept { return errors.empty(); }
};

namespace detail {

class host_config_reader {
  public:
    explicit host_config_reader(host_config_document& doc)
        : doc_(doc) {}

    void error(const std::string& at, std::string message) {
        doc_.errors.push_back(fmt::format("{}: {}", at, message));
    }
    void wrong_type(const std::string& at, std::string_view expected,
                    const warden::detail::json& v) {
        error(at, fmt::format("expected {}, got {}", expected, warden::detail::json_type_name(v)));
    }
    bool object(const warden::detail::json& v, const std::string& at) {
        if (v.is_object()) return true;
        wrong_type(at, "an object", v);
        return false;
    }
    void string(const warden::detail::json& v, const std::string& at, std::string& out) {
        if (!v.is_string()) return wrong_type(at, "a string", v);
        const auto& s = v.get_ref<const std::string&>();
        if (s.find('\0') != std::string::npos) return error(at, "contains a NUL character");
        out = s;
    }
    void path(const warden::detail::json& v, const std::string& at, std::string& out) {
        string(v, at, out);
        if (!out.empty() && out.front() != '/') {
            error(at, fmt::format("\"{}\" is not an absolute path", out));
            out.clear();
        }
    }
    // tick.database: the SQLite file's absolute path, or a PostgreSQL connection URI
    // (docs/postgres.md), which names no file.
    void database(const warden::detail::json& v, const std::string& at, std::string& out) {
        string(v, at, out);
        if (out.rfind("postgresql://", 0) == 0 || out.rfind("postgres://", 0) == 0) return;
        if (!out.empty() && out.front() != '/') {
            error(at, fmt::format("\"{}\" is not an absolute path nor a postgresql:// URI", out));
            out.clear();
        }
    }
    void strings(const warden::detail::json& v, const std::string& at,
                 std::vector<std::string>& out) {
        if (!v.is_array()) return wrong_type(at, "an array of strings", v);
        out.clear();
        for (std::size_t i = 0; i < v.size(); ++i) {
            std::string s;
            const std::size_t before = doc_.errors.size();
            string(v[i], fmt::format("{}[{}]", at, i), s);
            if (doc_.errors.size() == before) out.push_back(std::move(s));
        }
    }
    template <class OnKey>
    void keys(const warden::detail::json& v, const std::string& at, OnKey on_key) {
        if (!object(v, at)) return;
        for (const auto& item : v.items()) {
            const std::string& key = item.key();
            const std::string where = at.empty() ? key : fmt::format("{}.{}", at, key);
            if (!on_key(key, item.value(), where))
                doc_.warnings.push_back(where + ": unknown key, ignored");
        }
    }

    void pattern(const warden::detail::json& v, const std::string& at, output_dir_pattern& out) {
        strings(v, at, out.args);
        std::size_t holes = 0;
        for (const auto& a : out.args)
            if (a.find("{output_dir}") != std::string::npos) ++holes;
        if (holes != 1 || out.args.empty())
            error(at, "needs exactly one element holding {output_dir}");
    }

    void processes(const warden::detail::json& v, const std::string& at, process_config& out) {
        keys(v, at, [&](const std::string& k, const auto& x, const std::string& w) {
            if (k == "output_dir_patterns") {
                if (!x.is_array()) {
                    wrong_type(w, "an array of patterns", x);
                    return true;
                }
                for (std::size_t i = 0; i < x.size(); ++i) {
                    output_dir_pattern p;
                    pattern(x[i], fmt::format("{}[{}]", w, i), p);
                    out.output_dir_patterns.push_back(std::move(p));
                }
            } else if (k == "cmdline_contains") {
                strings(x, w, out.cmdline_contains);
            } else if (k == "job_unit_globs") {
                strings(x, w, out.job_unit_globs);
            } else {
                return false;
            }
            return true;
        });
    }

    void progress(const warden::detail::json& v, const std::string& at, progress_config& out) {
        keys(v, at, [&](const std::string& k, const auto& x, const std::string& w) {
            if (k == "state_file") {
                path(x, w, out.state_file);
            } else if (k == "log_globs") {
                strings(x, w, out.log_globs);
                for (const auto& g : out.log_globs)
                    if (g.empty() || g.front() == '/' || g.find("..") != std::string::npos)
                        error(w, fmt::format("\"{}\": a glob relative to the output dir", g));
            } else if (k == "tail_bytes") {
                if (!x.is_number_integer() || x.template get<std::int64_t>() < 1024 ||
                    x.template get<std::int64_t>() > (std::int64_t{64} << 20))
                    error(w, "an integer from 1024 to 67108864");
                else
                    out.tail_bytes = x.template get<std::int64_t>();
            } else if (k == "json_match") {
                keys(x, w, [&](const std::string& mk, const auto& mv, const std::string& mw) {
                    std::string s;
                    string(mv, mw, s);
                    out.json_match.emplace_back(mk, std::move(s));
                    return true;
                });
            } else if (k == "counter_field") {
                string(x, w, out.counter_field);
                if (out.counter_field.empty()) error(w, "empty");
            } else if (k == "source_choice") {
                std::string s;
                string(x, w, s);
                if (s == "first_seen")
                    out.first_seen = true;
                else if (s != "freshest")
                    error(w, "expected \"freshest\" or \"first_seen\"");
            } else {
                return false;
            }
            return true;
        });
        if (out.state_file.empty()) error(at + ".state_file", "required");
        if (out.log_globs.empty()) error(at + ".log_globs", "required (at least one glob)");
    }

    void probe(const warden::detail::json& v, const std::string& at, probe_config& out) {
        keys(v, at, [&](const std::string& k, const auto& x, const std::string& w) {
            if (k == "job_lock_path") {
                path(x, w, out.job_lock_path);
                if (!out.job_lock_path.empty() &&
                    out.job_lock_path.find("{id}") == std::string::npos &&
                    out.job_lock_path.find("{name}") == std::string::npos &&
                    out.job_lock_path.find("{output_dir}") == std::string::npos)
                    error(w, "names no job: use {id}, {name} or {output_dir}");
            } else if (k == "processes") {
                processes(x, w, out.processes);
            } else if (k == "worker") {
                keys(x, w, [&](const std::string& wk, const auto& wv, const std::string& ww) {
                    if (wk == "main_pid_file")
                        path(wv, ww, out.worker.main_pid_file);
                    else if (wk == "unit")
                        string(wv, ww, out.worker.unit);
                    else
                        return false;
                    return true;
                });
            } else if (k == "disk_path") {
                path(x, w, out.disk_path);
            } else if (k == "sentinel_path") {
                path(x, w, out.sentinel_path);
            } else if (k == "deploy_lock_path") {
                path(x, w, out.deploy_lock_path);
            } else if (k == "progress") {
                progress(x, w, out.progress);
            } else {
                return false;
            }
            return true;
        });
    }

    void tick(const warden::detail::json& v, const std::string& at, tick_config& out) {
        out.present = true;
        keys(v, at, [&](const std::string& k, const auto& x, const std::string& w) {
            if (k == "database")
                database(x, w, out.database);
            else if (k == "sentinel_path")
                path(x, w, out.sentinel_path);
            else if (k == "run_lock_path")
                path(x, w, out.run_lock_path);
            else if (k == "metrics_path")
                path(x, w, out.metrics_path);
            else if (k == "scope_lock")
                scope_key(x, w, out.scope_lock);
            else if (k == "config" && x.is_object())
                out.config_json = x.dump();
            else if (k == "config" && x.is_string())
                path(x, w, out.config_path);
            else if (k == "config")
                wrong_type(w, "an object (the engine config) or the path of a file holding it", x);
            else
                return false;
            return true;
        });
    }

    // A scope key: a non-empty string of printable ASCII, at most 200 bytes (it is hashed into
    // the advisory lock's key, and printed in the log lines that say a tick was skipped).
    void scope_key(const warden::detail::json& x, const std::string& at, std::string& out) {
        if (!x.is_string()) return wrong_type(at, "a string (the scope's name)", x);
        const auto& v = x.get_ref<const std::string&>();
        bool printable = !v.empty() && v.size() <= 200;
        for (const char c : v)
            printable = printable && c >= 0x21 && c <= 0x7e;
        if (!printable)
            return error(at, "expected 1 to 200 printable ASCII characters without spaces");
        out = v;
    }

    void document(const warden::detail::json& root) {
        if (!root.is_object()) return wrong_type("$", "an object", root);
        bool has_probe = false;
        keys(root, "", [&](const std::string& k, const auto& x, const std::string& w) {
            if (k == "probe") {
                has_probe = true;
                probe(x, w, doc_.config.probe);
                return true;
            }
            if (k == "tick") {
                tick(x, w, doc_.config.tick);
                return true;
            }
            return k == "actions"; // host/actions.hpp reads it
        });
        if (!has_probe) error("probe", "required");
    }

  private:
    host_config_document& doc_;
};

} // namespace detail

// What `warden tick` needs of a parsed host config beyond its types: the "tick" section with its
// database and run lock, and a sentinel file (a tick without one could never apply). Checked
// only by tick, so that `warden probe` reads a file whose "tick" section is still being written.
[[nodiscard]] inline std::vector<std::string> tick_config_errors(const host_config& c) {
    std::vector<std::string> errors;
    if (!c.tick.present) return {"tick: required by warden tick"};
    if (c.tick.database.empty()) errors.emplace_back("tick.database: required");
    if (c.tick.run_lock_path.empty()) errors.emplace_back("tick.run_lock_path: required");
    const std::string_view db = c.tick.database;
    if (!c.tick.scope_lock.empty() && !db.empty() && db.rfind("postgresql://", 0) != 0 &&
        db.rfind("postgres://", 0) != 0)
        errors.emplace_back("tick.scope_lock: needs a PostgreSQL tick.database (SQLite's write "
                            "lock already lets one watchdog write at a time)");
    if (c.tick.sentinel_path.empty() && c.probe.sentinel_path.empty())
        errors.emplace_back("tick.sentinel_path: required when probe.sentinel_path is not set "
                            "(without a sentinel file a tick could never apply)");
    return errors;
}

inline constexpr std::size_t max_host_config_bytes = 1 << 20;

// Parses a host config file. Never throws on bad input: every problem is an error naming its
// key path ("probe.worker.main_pid_file: ...").
[[nodiscard]] inline host_config_document parse_host_config(std::string_view text) {
    host_config_document doc;
    if (text.size() > max_host_config_bytes) {
        doc.errors.push_back(
            fmt::format("$: {} bytes, over the limit of {}", text.size(), max_host_config_bytes));
        return doc;
    }
    warden::detail::json root;
    std::vector<validation_error> parse_errors;
    {
        // Depth-bounded, as snapshot documents are: a hand-written file nested 100k deep must be
        // refused, not overflow the stack.
        warden::detail::bounded_dom_builder builder(root, 64, parse_errors);
        const bool parsed = warden::detail::json::sax_parse(text.begin(), text.end(), &builder);
        if (!parsed || !parse_errors.empty()) {
            doc.errors.push_back(parse_errors.empty() ? std::string{"$: invalid JSON"}
                                                      : fmt::format("{}: {}", parse_errors[0].field,
                                                                    parse_errors[0].message));
            return doc;
        }
    }
    detail::host_config_reader(doc).document(root);
    return doc;
}

} // namespace host
} // namespace v0
} // namespace warden
