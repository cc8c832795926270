#pragma once
// The JSON documents of docs/formats.md: a snapshot document (snapshot + config) in, a plan out.
// Needs nlohmann_json (CMake target warden::json); warden::warden itself never does.
#include <warden/core/config.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
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
#include <vector>

namespace warden {
inline namespace v0 {

// Bounds on what a document may cost before any field is read: a hostile or broken producer
// must get an error, never a stack overflow or an out-of-memory kill.
struct json_limits {
    std::size_t max_bytes = std::size_t{256} << 20;
    std::size_t max_depth = 64;
    std::size_t max_warnings = 100; // the count of further warnings is still reported
};

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

using json = nlohmann::ordered_json;

// Where a value sits, kept as two views so that the path string is only built for an error:
// a 100k-job document has millions of fields and almost never an error.
struct json_where {
    std::string_view parent;
    std::string_view key;

    [[nodiscard]] std::string str() const {
        if (parent.empty()) return std::string{key};
        return fmt::format("{}.{}", parent, key);
    }
};

[[nodiscard]] inline std::string_view json_type_name(const json& v) noexcept {
    switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a number";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    case json::value_t::binary:
    case json::value_t::discarded: break;
    }
    return "an unsupported value";
}

// Builds the DOM through nlohmann's SAX interface so that the parse can stop at a depth limit
// and every syntax error, duplicate key or depth error can name the JSON path it happened at.
class bounded_dom_builder {
  public:
    using number_integer_t = json::number_integer_t;
    using number_unsigned_t = json::number_unsigned_t;
    using number_float_t = json::number_float_t;
    using string_t = json::string_t;
    using binary_t = json::binary_t;

    bounded_dom_builder(json& root, std::size_t max_depth, std::vector<validation_error>& errors)
        : root_(root)
        , max_depth_(max_depth)
        , errors_(errors) {}

    bool null() { return put(json(nullptr)); }
    bool boolean(bool v) { return put(json(v)); }
    bool number_integer(number_integer_t v) { return put(json(v)); }
    bool number_unsigned(number_unsigned_t v) { return put(json(v)); }
    bool number_float(number_float_t v, const string_t&) { return put(json(v)); }
    bool string(string_t& v) { return put(json(std::move(v))); }
    bool binary(binary_t&) { return fail("binary values are not JSON"); }
    bool start_object(std::size_t) { return open(json::object()); }
    bool start_array(std::size_t) { return open(json::array()); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool key(string_t& k) {
        frame& f = frames_.back();
        f.key = std::move(k);
        if (f.value->contains(f.key)) return fail("duplicate key");
        return true;
    }
    bool parse_error(std::size_t position, const std::string&, const nlohmann::json::exception& e) {
        std::string_view what = e.what();
        // "[json.exception.parse_error.101] parse error at line 1, column 9: syntax error ..."
        if (const auto colon = what.find(": "); colon != std::string_view::npos)
            what.remove_prefix(colon + 2);
        return fail(fmt::format("invalid JSON at byte {}: {}", position, what));
    }

  private:
    struct frame {
        json* value;
        std::string key;   // objects: the key being read
        std::size_t index; // arrays: the index being read
    };

    [[nodiscard]] std::string path() const {
        std::string out;
        for (const frame& f : frames_) {
            if (f.value->is_array())
                out += fmt::format("[{}]", f.index);
            else if (!f.key.empty())
                out += out.empty() ? f.key : "." + f.key;
        }
        if (out.empty() || out.front() == '[') out.insert(0, "$");
        return out;
    }
    bool fail(std::string message) {
        errors_.push_back(validation_error{std::nullopt, path(), std::move(message)});
        return false;
    }
    json* slot(json v) {
        if (frames_.empty()) {
            root_ = std::move(v);
            return &root_;
        }
        frame& f = frames_.back();
        if (f.value->is_array()) {
            f.value->push_back(std::move(v));
            ++f.index;
            return &f.value->back();
        }
        json& child = (*f.value)[f.key];
        child = std::move(v);
        return &child;
    }
    // Once a value is complete its key no longer names where the parser is.
    void done() {
        if (!frames_.empty() && frames_.back().value->is_object()) frames_.back().key.clear();
    }
    bool put(json v) {
        slot(std::move(v));
        done();
        return true;
    }
    bool open(json container) {
        if (frames_.size() >= max_depth_)
            return fail(fmt::format("nested deeper than {} levels", max_depth_));
        json* at = slot(std::move(container));
        // The index was advanced for the container itself; its own elements count from zero,
        // and the parent's index must still name this container while it is being read.
        if (!frames_.empty() && frames_.back().value->is_array()) --frames_.back().index;
        frames_.push_back(frame{at, {}, 0});
        return true;
    }
    bool close() {
        frames_.pop_back();
        if (!frames_.empty() && frames_.back().value->is_array()) ++frames_.back().index;
        done();
        return true;
    }

    json& root_;
    std::size_t max_depth_;
    std::vector<validation_error>& errors_;
    std::vector<frame> frames_;
};

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

    // An integer literal the parser could not hold in 64 bits arrives as a float, integral and
    // at least 2^63 in magnitude (-9223372036854775809 rounds to -2^63 as a double; a positive
    // literal below 2^64 is still an unsigned integer).
    [[nodiscard]] static bool beyond_64_bits(double d) noexcept {
        return d == std::trunc(d) && (d >= 0x1p63 || d <= -0x1p63);
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
        } else if (!v.is_number_float() || !beyond_64_bits(v.get<double>())) {
            // 2.0 and 3e9 are numbers, not integers, whatever their value.
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
        if (auto parsed = parse_failure_class(s)) {
            out = *parsed;
            return;
        }
        // Host-defined classes travel as "host_<n>", n from 64 to 255 (see failure_class.hpp).
        int n = 0;
        if (s.size() > 5 && s.size() <= 8 && s.starts_with("host_") &&
            read_digits(s, 5, s.size() - 5, n) && n >= 64 && n <= 255) {
            out = static_cast<failure_class>(n);
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

namespace detail {

[[nodiscard]] inline std::string failure_name(failure_class f) {
    if (f >= failure_class::first_host_defined) return fmt::format("host_{}", static_cast<int>(f));
    return std::string{to_string(f)};
}

[[nodiscard]] inline json time_json(const std::optional<timestamp>& t) {
    if (!t) return nullptr;
    return format_rfc3339(*t);
}

template <class T>
[[nodiscard]] json optional_json(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

// The B4 fields: config.annual_minimums.
[[nodiscard]] inline json minimums_json(const tool_options& o) {
    json out = json::object();
    out["max_container_restarts"] = o.max_container_restarts;
    out["error_threshold_timeout"] = o.error_threshold_timeout;
    out["error_threshold_http"] = o.error_threshold_http;
    out["backoff_delay_minutes"] = o.backoff_delay_minutes;
    out["page_cap"] = optional_json(o.page_cap);
    return out;
}

// A row's options: every key written, null for a missing value (as page_cap's null).
[[nodiscard]] inline json options_json(const tool_options& o) {
    json out = minimums_json(o);
    out["monitoring"] = optional_json(o.monitoring);
    out["adaptive_restart"] = optional_json(o.adaptive_restart);
    out["stall_timeout_minutes"] = optional_json(o.stall_timeout_minutes);
    return out;
}

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
        out["campaign_kind"] = a.kind == campaign_kind::annual ? "annual" : "none";
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

// The rules decide() runs; `completion` is the worker's and never appears in a plan.
inline constexpr rule_id decide_rules[] = {
    rule_id::consistency_repair, rule_id::failure_classification, rule_id::retry_budget,
    rule_id::reconcile,          rule_id::stall_recovery,         rule_id::orphan_sweep,
    rule_id::queue_fill,
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
    const plan_summary& s = p.summary;
    json& summary = out["summary"] = json::object();
    summary["running"] = s.running;
    summary["target"] = s.target;
    summary["stalled"] = s.stalled;
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
