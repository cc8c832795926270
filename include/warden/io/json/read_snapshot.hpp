#pragma once
// Reading a snapshot document (docs/formats.md): a snapshot and a config, every error naming the
// JSON path of the offending value.
#include <warden/core/config.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/io/json/parse.hpp>
#include <warden/io/rfc3339.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden {
inline namespace v0 {

struct json_read_options {
    json_limits limits;
    std::optional<timestamp> now; // overrides the document's "now" (the CLI's --now)
};

// A snapshot document as read. When `errors` is not empty the snapshot and config are partial
// and must not be decided on. Every error's `field` is the JSON path of the offending value.
struct snapshot_document {
    warden::snapshot snapshot;
    warden::config config;
    std::vector<validation_error> errors;
    std::vector<std::string> warnings; // "path: unknown key, ignored": forward compatibility
    std::size_t warnings_dropped = 0;  // beyond json_limits::max_warnings

    [[nodiscard]] bool ok() const noexcept { return errors.empty(); }
};

namespace detail {

// Turns a parsed document into warden types. Wrong types are errors; unknown keys are warnings.
class document_reader {
  public:
    explicit document_reader(snapshot_document& doc, const json_limits& limits)
        : doc_(doc)
        , limits_(limits) {}

    void error(const json_where& w, std::string message, std::optional<job_id> job = {}) {
        doc_.errors.push_back(validation_error{job, w.str(), std::move(message)});
    }
    void error(std::string path, std::string message, std::optional<job_id> job = {}) {
        doc_.errors.push_back(validation_error{job, std::move(path), std::move(message)});
    }
    void unknown(const json_where& w) {
        if (doc_.warnings.size() < limits_.max_warnings)
            doc_.warnings.push_back(w.str() + ": unknown key, ignored");
        else
            ++doc_.warnings_dropped;
    }
    void wrong_type(const json_where& w, std::string_view expected, const json& v) {
        error(w, fmt::format("expected {}, got {}", expected, json_type_name(v)));
    }

    bool object(const json& v, const json_where& w) {
        if (v.is_object()) return true;
        wrong_type(w, "an object", v);
        return false;
    }
    bool array(const json& v, const json_where& w) {
        if (v.is_array()) return true;
        wrong_type(w, "an array", v);
        return false;
    }

    template <class Int>
    bool integer(const json& v, const json_where& w, Int& out) {
        constexpr auto lo = std::numeric_limits<Int>::min();
        constexpr auto hi = std::numeric_limits<Int>::max();
        if (v.is_number_unsigned()) {
            const auto u = v.get<std::uint64_t>();
            if (u <= static_cast<std::uint64_t>(hi)) {
                out = static_cast<Int>(u);
                return true;
            }
        } else if (v.is_number_integer()) {
            const auto i = v.get<std::int64_t>();
            if (i >= lo && i <= hi) {
                out = static_cast<Int>(i);
                return true;
            }
        } else if (!v.is_number_float() || v.get<double>() != std::trunc(v.get<double>())) {
            wrong_type(w, "an integer", v);
            return false;
        }
        // Integers beyond 64 bits reach us as floats: say what is wrong with them.
        error(w, fmt::format("out of range [{}, {}]", lo, hi));
        return false;
    }
    template <class Int>
    void optional_integer(const json& v, const json_where& w, std::optional<Int>& out) {
        if (v.is_null()) {
            out.reset();
            return;
        }
        Int x{};
        if (integer(v, w, x)) out = x;
    }
    void boolean(const json& v, const json_where& w, bool& out) {
        if (v.is_boolean())
            out = v.get<bool>();
        else
            wrong_type(w, "a boolean", v);
    }
    void optional_boolean(const json& v, const json_where& w, std::optional<bool>& out) {
        if (v.is_null()) {
            out.reset();
            return;
        }
        if (v.is_boolean())
            out = v.get<bool>();
        else
            wrong_type(w, "a boolean", v);
    }
    void number(const json& v, const json_where& w, double& out) {
        if (v.is_number())
            out = v.get<double>();
        else
            wrong_type(w, "a number", v);
    }
    bool string(const json& v, const json_where& w, std::string& out) {
        if (!v.is_string()) {
            wrong_type(w, "a string", v);
            return false;
        }
        const auto& text = v.get_ref<const std::string&>();
        // Valid JSON ("\u0000"), but a host that hands the name to a C API would silently cut it.
        if (text.find('\0') != std::string::npos) {
            error(w, "contains a NUL character");
            return false;
        }
        out = text;
        return true;
    }
    // Text fields that databases leave NULL: null reads as the empty default.
    void text(const json& v, const json_where& w, std::string& out) {
        if (v.is_null())
            out.clear();
        else
            string(v, w, out);
    }
    void strings(const json& v, const json_where& w, std::vector<std::string>& out) {
        if (!array(v, w)) return;
        out.clear();
        const std::string at = w.str();
        for (std::size_t i = 0; i < v.size(); ++i) {
            const std::string key = fmt::format("[{}]", i);
            std::string s;
            if (string(v[i], json_where{{}, at + key}, s)) out.push_back(std::move(s));
        }
    }
    bool time(const json& v, const json_where& w, timestamp& out) {
        // Year 1 to 9999: what RFC 3339 can write back, and far from int64 overflow.
        constexpr std::int64_t min_epoch = -62135596800, max_epoch = 253402300799;
        if (v.is_string()) {
            if (auto t = parse_rfc3339(v.get_ref<const std::string&>())) {
                out = *t;
                return true;
            }
            error(w, "not an RFC 3339 time");
            return false;
        }
        if (v.is_number_integer() || v.is_number_unsigned()) {
            std::int64_t s = 0;
            if (!integer(v, w, s)) return false;
            if (s < min_epoch || s > max_epoch) {
                error(w, "epoch seconds outside years 1 to 9999");
                return false;
            }
            out = from_epoch_seconds(s);
            return true;
        }
        wrong_type(w, "an RFC 3339 time or integer epoch seconds", v);
        return false;
    }
    void optional_time(const json& v, const json_where& w, std::optional<timestamp>& out) {
        if (v.is_null()) {
            out.reset();
            return;
        }
        timestamp t{};
        if (time(v, w, t)) out = t;
    }
    void minutes(const json& v, const json_where& w, duration& out) {
        // A year of minutes is plenty and keeps the seconds far from overflow.
        std::int32_t m = 0;
        if (!integer(v, w, m)) return;
        if (m < -525600 || m > 525600) {
            error(w, "out of range [-525600, 525600] minutes");
            return;
        }
        out = std::chrono::minutes{m};
    }

    // A job row's max_container_restarts as the production watchdog reads it (issue #8: "a
    // non-numeric value counts as 0"): an integer, or a string. A string of an optional sign and
    // ASCII digits is that integer (out of range is an error, as for a number); any other string
    // ("", "abc", " 12", "12.0") counts as 0. Every other type is an error.
    void restarts(const json& v, const json_where& w, std::int32_t& out) {
        if (!v.is_string()) {
            integer(v, w, out);
            return;
        }
        std::string_view text = v.get_ref<const std::string&>();
        const bool negative = text.starts_with('-');
        if (negative || text.starts_with('+')) text.remove_prefix(1);
        if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) {
            out = 0;
            return;
        }
        constexpr std::int64_t lo = std::numeric_limits<std::int32_t>::min();
        constexpr std::int64_t hi = std::numeric_limits<std::int32_t>::max();
        std::int64_t n = 0;
        for (const char d : text) {
            n = n * 10 + (d - '0');
            if (n > hi + 1) break; // stays far from int64 overflow
        }
        if (negative) n = -n;
        if (n < lo || n > hi) {
            error(w, fmt::format("out of range [{}, {}]", lo, hi));
            return;
        }
        out = static_cast<std::int32_t>(n);
    }

    // Tool options: a job row's (`row`), which also carry the recovery options of issue #8, or
    // config.annual_minimums, which are the B4 minimums only.
    void options(const json& v, const json_where& w, tool_options& out, bool row) {
        if (!object(v, w)) return;
        const std::string at = w.str();
        for (const auto& [key, value] : v.items()) {
            const json_where f{at, key};
            if (key == "max_container_restarts" && row)
                restarts(value, f, out.max_container_restarts);
            else if (key == "max_container_restarts")
                integer(value, f, out.max_container_restarts);
            else if (key == "error_threshold_timeout")
                integer(value, f, out.error_threshold_timeout);
            else if (key == "error_threshold_http")
                integer(value, f, out.error_threshold_http);
            else if (key == "backoff_delay_minutes")
                integer(value, f, out.backoff_delay_minutes);
            else if (key == "page_cap")
                optional_integer(value, f, out.page_cap);
            else if (key == "monitoring" && row)
                optional_boolean(value, f, out.monitoring);
            else if (key == "adaptive_restart" && row)
                optional_boolean(value, f, out.adaptive_restart);
            else if (key == "stall_timeout_minutes" && row)
                optional_integer(value, f, out.stall_timeout_minutes);
            else
                unknown(f);
        }
    }

    void status(const json& v, const json_where& w, job_status& out) {
        std::string s;
        if (!string(v, w, s)) return;
        if (auto parsed = parse_job_status(s))
            out = *parsed;
        else
            error(w, fmt::format("unknown status \"{}\" (expected queued, pending, running, "
                                 "retryable, completed or failed)",
                                 s));
    }
    void failure(const json& v, const json_where& w, failure_class& out) {
        if (v.is_null()) {
            out = failure_class::none;
            return;
        }
        std::string s;
        if (!string(v, w, s)) return;
        // Host-defined classes travel as "host_<n>", n from 64 to 255 (see failure_class.hpp).
        if (auto parsed = parse_failure_class(s)) {
            out = *parsed;
            return;
        }
        error(w, fmt::format("unknown failure class \"{}\"", s));
    }
    void origin(const json& v, const json_where& w, process_origin& out) {
        std::string s;
        if (!string(v, w, s)) return;
        for (int k = 0; k < process_origin_count; ++k)
            if (to_string(static_cast<process_origin>(k)) == s) {
                out = static_cast<process_origin>(k);
                return;
            }
        error(w, fmt::format("unknown process origin \"{}\" (expected worker, systemd_unit or "
                             "other)",
                             s));
    }
    void campaign(const json& v, const json_where& w, campaign_kind& out) {
        if (v.is_null()) {
            out = campaign_kind::none;
            return;
        }
        std::string s;
        if (!string(v, w, s)) return;
        if (s == "annual")
            out = campaign_kind::annual;
        else if (s == "none")
            out = campaign_kind::none;
        else
            error(w, fmt::format("unknown campaign kind \"{}\" (expected annual or none)", s));
    }

    void job_row(const json& v, const std::string& at, job& j, bool& has_id) {
        if (!object(v, json_where{{}, at})) return;
        bool id_seen = false, has_name = false, has_status = false;
        for (const auto& [key, value] : v.items()) {
            const json_where f{at, key};
            if (key == "id") {
                std::int64_t id = 0;
                if (integer(value, f, id)) {
                    j.id = job_id{id};
                    has_id = true;
                }
                id_seen = true;
            } else if (key == "name") {
                string(value, f, j.name);
                has_name = true;
            } else if (key == "status") {
                status(value, f, j.status);
                has_status = true;
            } else if (key == "source") {
                text(value, f, j.source);
            } else if (key == "output_dir") {
                text(value, f, j.output_dir);
            } else if (key == "campaign_kind") {
                campaign(value, f, j.kind);
            } else if (key == "campaign_year") {
                optional_integer(value, f, j.campaign_year);
            } else if (key == "queued_at") {
                if (!value.is_null()) time(value, f, j.queued_at);
            } else if (key == "started_at") {
                optional_time(value, f, j.started_at);
            } else if (key == "finished_at") {
                optional_time(value, f, j.finished_at);
            } else if (key == "last_progress_at") {
                optional_time(value, f, j.last_progress_at);
            } else if (key == "crawled_pages") {
                optional_integer(value, f, j.crawled_pages);
            } else if (key == "progress_known") {
                boolean(value, f, j.progress_known);
            } else if (key == "completed_at") {
                optional_time(value, f, j.completed_at);
            } else if (key == "created_at") {
                optional_time(value, f, j.created_at);
            } else if (key == "retry_count") {
                integer(value, f, j.retry_count);
            } else if (key == "failure_class") {
                failure(value, f, j.failure);
            } else if (key == "last_error") {
                text(value, f, j.last_error);
            } else if (key == "tool_options") {
                options(value, f, j.options, true);
            } else if (key == "last_stage") {
                if (value.is_null()) {
                    j.last_stage.reset();
                } else {
                    std::string s;
                    if (string(value, f, s)) j.last_stage = std::move(s);
                }
            } else if (key == "has_outputs") {
                boolean(value, f, j.has_outputs);
            } else if (key == "version") {
                integer(value, f, j.version);
            } else {
                unknown(f);
            }
        }
        if (!id_seen) error(json_where{at, "id"}, "required");
        if (!has_name) error(json_where{at, "name"}, "required");
        if (!has_status) error(json_where{at, "status"}, "required");
    }

    // An array of objects or values; `each(element, path)` reads one.
    template <class Each>
    void elements(const json& v, const json_where& w, Each each) {
        if (!array(v, w)) return;
        const std::string at = w.str();
        for (std::size_t i = 0; i < v.size(); ++i)
            each(v[i], fmt::format("{}[{}]", at, i));
    }

    // Start and recovery history share one shape: `{"job_id": N, "at": time}`.
    template <class Record>
    void history(const json& v, const json_where& w, std::vector<Record>& out) {
        elements(v, w, [&](const json& e, const std::string& at) {
            Record r;
            fields(e, at, {"job_id", "at"},
                   [&](const std::string& k, const json& x, const json_where& f) {
                       if (k == "job_id") {
                           std::int64_t n = 0;
                           if (integer(x, f, n)) r.job = job_id{n};
                       } else if (k == "at") {
                           time(x, f, r.at);
                       } else {
                           return false;
                       }
                       return true;
                   });
            out.push_back(r);
        });
    }

    // Reads the listed keys of a small object; a missing required key is an error.
    template <class OnKey>
    void fields(const json& v, const std::string& at,
                std::initializer_list<std::string_view> required, OnKey on_key) {
        if (!object(v, json_where{{}, at})) return;
        std::vector<bool> seen(required.size(), false);
        for (const auto& [key, value] : v.items()) {
            const json_where f{at, key};
            std::size_t k = 0;
            for (const std::string_view r : required) {
                if (r == key) seen[k] = true;
                ++k;
            }
            if (!on_key(key, value, f)) unknown(f);
        }
        std::size_t k = 0;
        for (const std::string_view r : required)
            if (!seen[k++]) error(json_where{at, r}, "required");
    }

    void host(const json& v, const json_where& w, host_facts& out) {
        fields(v, w.str(), {}, [&](const std::string& key, const json& value, const json_where& f) {
            if (key == "sentinel")
                boolean(value, f, out.sentinel_present);
            else if (key == "deploy_lock")
                boolean(value, f, out.deploy_lock_present);
            else if (key == "deploy_lock_unprobeable")
                boolean(value, f, out.deploy_lock_unprobeable);
            else if (key == "deploy_lock_created_at")
                optional_time(value, f, out.deploy_lock_created_at);
            else if (key == "disk_used_percent")
                number(value, f, out.disk_used_percent);
            else if (key == "worker_alive")
                boolean(value, f, out.worker_alive);
            else if (key == "process_list_readable")
                boolean(value, f, out.process_list_readable);
            else
                return false;
            return true;
        });
    }

    void guards(const json& v, const json_where& w, guard_switches& g) {
        fields(v, w.str(), {}, [&](const std::string& key, const json& value, const json_where& f) {
            if (key == "reconcile")
                boolean(value, f, g.reconcile);
            else if (key == "legacy_detection")
                boolean(value, f, g.legacy_detection);
            else if (key == "raise_annual_minimums")
                boolean(value, f, g.raise_annual_minimums);
            else if (key == "stable_queue_order")
                boolean(value, f, g.stable_queue_order);
            else if (key == "classify_config_errors")
                boolean(value, f, g.classify_config_errors);
            else if (key == "consistency_repair")
                boolean(value, f, g.consistency_repair);
            else if (key == "bounded_retries")
                boolean(value, f, g.bounded_retries);
            else
                return false;
            return true;
        });
    }

    void configuration(const json& v, const json_where& w, config& c) {
        fields(v, w.str(), {}, [&](const std::string& key, const json& value, const json_where& f) {
            if (key == "ensure_min_running_jobs")
                integer(value, f, c.ensure_min_running_jobs);
            else if (key == "campaign_year")
                optional_integer(value, f, c.campaign_year);
            else if (key == "disk_threshold_percent")
                number(value, f, c.disk_threshold_percent);
            else if (key == "daily_start_cap")
                integer(value, f, c.daily_start_cap);
            else if (key == "daily_recovery_cap")
                integer(value, f, c.daily_recovery_cap);
            else if (key == "max_retries")
                integer(value, f, c.max_retries);
            else if (key == "recoveries_per_tick")
                integer(value, f, c.recoveries_per_tick);
            else if (key == "stall_after_minutes")
                minutes(value, f, c.stall_after);
            else if (key == "start_grace_minutes")
                minutes(value, f, c.start_grace);
            else if (key == "guard_window_minutes")
                minutes(value, f, c.guard_window);
            else if (key == "deploy_lock_stale_after_minutes")
                minutes(value, f, c.deploy_lock_stale_after);
            else if (key == "soft_recovery")
                boolean(value, f, c.soft_recovery);
            else if (key == "orphan_grace_minutes")
                minutes(value, f, c.orphan_grace);
            else if (key == "annual_minimums")
                options(value, f, c.annual_minimums, false);
            else if (key == "recovery_min_restarts_non_annual")
                integer(value, f, c.recovery_min_restarts_non_annual);
            else if (key == "annual_stall_timeout_minutes")
                integer(value, f, c.annual_stall_timeout_minutes);
            else if (key == "source_order")
                strings(value, f, c.source_order);
            else if (key == "final_stage")
                string(value, f, c.final_stage);
            else if (key == "config_error_patterns")
                strings(value, f, c.config_error_patterns);
            else if (key == "guards")
                guards(value, f, c.guards);
            else
                return false;
            return true;
        });
    }

    void document(const json& root, std::optional<timestamp> now_override) {
        snapshot& s = doc_.snapshot;
        if (!root.is_object()) {
            error("$", fmt::format("expected an object, got {}", json_type_name(root)));
            return;
        }
        bool has_now = false;
        for (const auto& [key, value] : root.items()) {
            const json_where f{{}, key};
            if (key == "now") {
                has_now = true;
                time(value, f, s.now);
            } else if (key == "host") {
                host(value, f, s.host);
            } else if (key == "config") {
                configuration(value, f, doc_.config);
            } else if (key == "jobs") {
                if (!array(value, f)) continue;
                s.jobs.resize(value.size());
                for (std::size_t i = 0; i < value.size(); ++i) {
                    const std::size_t before = doc_.errors.size();
                    bool has_id = false;
                    job_row(value[i], fmt::format("jobs[{}]", i), s.jobs[i], has_id);
                    // Name the row's id in its errors when the id itself was readable.
                    for (std::size_t e = before; has_id && e < doc_.errors.size(); ++e)
                        doc_.errors[e].job = s.jobs[i].id;
                }
            } else if (key == "locks") {
                elements(value, f, [&](const json& e, const std::string& at) {
                    job_id id{};
                    fields(e, at, {"job_id"},
                           [&](const std::string& k, const json& x, const json_where& w) {
                               if (k != "job_id") return false;
                               std::int64_t n = 0;
                               if (integer(x, w, n)) id = job_id{n};
                               return true;
                           });
                    s.locks.push_back(id);
                });
            } else if (key == "running_set") {
                elements(value, f, [&](const json& e, const std::string& at) {
                    std::int64_t n = 0;
                    if (integer(e, json_where{{}, at}, n)) s.running_set.push_back(job_id{n});
                });
            } else if (key == "processes") {
                elements(value, f, [&](const json& e, const std::string& at) {
                    process_fact p;
                    fields(e, at, {"pid"},
                           [&](const std::string& k, const json& x, const json_where& w) {
                               if (k == "pid")
                                   integer(x, w, p.pid);
                               else if (k == "output_dir")
                                   text(x, w, p.output_dir);
                               else if (k == "cmdline")
                                   text(x, w, p.cmdline);
                               else if (k == "origin")
                                   origin(x, w, p.origin);
                               else if (k == "unit")
                                   text(x, w, p.unit);
                               else
                                   return false;
                               return true;
                           });
                    s.processes.push_back(std::move(p));
                });
            } else if (key == "recoveries") {
                history(value, f, s.recoveries);
            } else if (key == "starts") {
                history(value, f, s.starts);
            } else {
                unknown(f);
            }
        }
        if (now_override)
            s.now = *now_override;
        else if (!has_now)
            error("now", "required (or pass the time explicitly, e.g. --now)");
    }

  private:
    snapshot_document& doc_;
    const json_limits& limits_;
};

} // namespace detail

// Parses a snapshot document (docs/formats.md). Never throws on bad input: every problem is an
// entry in `errors` naming its JSON path, e.g. "jobs[3].started_at: not an RFC 3339 time".
[[nodiscard]] inline snapshot_document read_snapshot_document(std::string_view text,
                                                              const json_read_options& opts = {}) {
    snapshot_document doc;
    if (text.size() > opts.limits.max_bytes) {
        doc.errors.push_back(
            validation_error{std::nullopt, "$",
                             fmt::format("document is {} bytes, over the limit of {}", text.size(),
                                         opts.limits.max_bytes)});
        return doc;
    }
    detail::json root;
    {
        detail::bounded_dom_builder builder(root, opts.limits.max_depth, doc.errors);
        const bool parsed = detail::json::sax_parse(text.begin(), text.end(), &builder);
        if (!parsed || !doc.errors.empty()) {
            if (doc.errors.empty())
                doc.errors.push_back(validation_error{std::nullopt, "$", "invalid JSON"});
            return doc;
        }
    }
    detail::document_reader reader(doc, opts.limits);
    reader.document(root, opts.now);
    return doc;
}

// The engine names durations as config members (config.stall_after); a document names them as
// its keys (config.stall_after_minutes). Errors from decide() are renamed so every error a host
// sees is a path into the document it wrote.
[[nodiscard]] inline std::string document_path(std::string_view engine_field) {
    if (engine_field == "config.stall_after") return "config.stall_after_minutes";
    if (engine_field == "config.start_grace") return "config.start_grace_minutes";
    if (engine_field == "config.guard_window") return "config.guard_window_minutes";
    if (engine_field == "config.deploy_lock_stale_after")
        return "config.deploy_lock_stale_after_minutes";
    if (engine_field == "config.orphan_grace") return "config.orphan_grace_minutes";
    return std::string{engine_field};
}

} // namespace v0
} // namespace warden
