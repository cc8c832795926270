#pragma once
// Reading a snapshot document (docs/formats.md): a snapshot and a config, every error naming the
// JSON path of the offending value.
#include <warden/core/config.hpp>
#include <warden/core/fields.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/io/json/parse.hpp>
#include <warden/io/rfc3339.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
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
    // The document's "progress" (what `warden probe` measured), already written over the jobs'
    // rows when the document has jobs; kept for a runtime document, whose jobs come from a
    // database.
    std::vector<progress_fact> progress;
    std::vector<validation_error> errors;
    std::vector<std::string> warnings; // "path: unknown key, ignored" (forward compatibility), a
                                       // running job without progress fields
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
    void warn(std::string message) {
        if (doc_.warnings.size() < limits_.max_warnings)
            doc_.warnings.push_back(std::move(message));
        else
            ++doc_.warnings_dropped;
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
        if (auto parsed = parse_process_origin(s)) {
            out = *parsed;
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
        if (auto parsed = parse_campaign_kind(s))
            out = *parsed;
        else
            error(w, fmt::format("unknown campaign kind \"{}\" (expected annual or none)", s));
    }

    // Issue #21 item 2: a concurrency limit's `by`.
    void key(const json& v, const json_where& w, limit_key& out) {
        std::string s;
        if (!string(v, w, s)) return;
        if (auto parsed = parse_limit_key(s))
            out = *parsed;
        else
            error(w,
                  fmt::format("unknown limit key \"{}\" (expected source, class or group_key)", s));
    }

    // config.source_profiles: an object from source name to a profile object, each read by its
    // field list; the values are checked by validate(config).
    void profiles(const json& v, const json_where& w, source_profiles& out) {
        if (!object(v, w)) return;
        const std::string at = w.str();
        for (const auto& item : v.items()) {
            source_profile p;
            object_fields(item.value(), fmt::format("{}.{}", at, item.key()), p, false);
            out.insert_or_assign(item.key(), std::move(p));
        }
    }

    // One member by its type, and where the type alone does not say, by its field's flags. `row`:
    // inside a job row (tool options carry issue #8's recovery options only there).
    template <class S, class M>
    void member(const field<S, M>& f, const json& v, const json_where& w, M& out, bool row) {
        if constexpr (std::is_same_v<M, job_id>) {
            std::int64_t n = 0;
            if (integer(v, w, n)) out = job_id{n};
        } else if constexpr (std::is_same_v<M, std::string>) {
            if (f.has(not_null))
                string(v, w, out);
            else
                text(v, w, out);
        } else if constexpr (std::is_same_v<M, std::optional<std::string>>) {
            if (v.is_null()) {
                out.reset();
            } else {
                std::string s;
                if (string(v, w, s)) out = std::move(s);
            }
        } else if constexpr (std::is_same_v<M, job_status>) {
            status(v, w, out);
        } else if constexpr (std::is_same_v<M, campaign_kind>) {
            campaign(v, w, out);
        } else if constexpr (std::is_same_v<M, failure_class>) {
            failure(v, w, out);
        } else if constexpr (std::is_same_v<M, process_origin>) {
            origin(v, w, out);
        } else if constexpr (std::is_same_v<M, timestamp>) {
            if (!(f.has(null_keeps_default) && v.is_null())) time(v, w, out);
        } else if constexpr (std::is_same_v<M, std::optional<timestamp>>) {
            optional_time(v, w, out);
        } else if constexpr (std::is_same_v<M, duration>) {
            minutes(v, w, out);
        } else if constexpr (std::is_same_v<M, bool>) {
            boolean(v, w, out);
        } else if constexpr (std::is_same_v<M, std::optional<bool>>) {
            optional_boolean(v, w, out);
        } else if constexpr (std::is_same_v<M, double>) {
            number(v, w, out);
        } else if constexpr (std::is_same_v<M, std::vector<std::string>>) {
            strings(v, w, out);
        } else if constexpr (std::is_integral_v<M>) {
            if constexpr (std::is_same_v<M, std::int32_t>)
                if (f.has(numeric_text) && row) return restarts(v, w, out);
            integer(v, w, out);
        } else if constexpr (std::is_same_v<M, std::optional<backoff_policy>> ||
                             std::is_same_v<M, std::optional<tool_options>>) {
            // Issue #21 items 3 and 1: an object, each missing key at its default; null: none
            // (no backoff, no class minimums).
            if (v.is_null()) {
                out.reset();
                return;
            }
            typename M::value_type b;
            const std::size_t before = doc_.errors.size();
            object_fields(v, w.str(), b, false);
            if (doc_.errors.size() == before) out = b;
        } else if constexpr (std::is_same_v<M, std::optional<campaign_end>>) {
            if (v.is_null()) {
                out.reset();
                return;
            }
            std::string s;
            if (!string(v, w, s)) return;
            if (auto parsed = parse_campaign_end(s))
                out = *parsed;
            else
                error(w, fmt::format("unknown value \"{}\" (expected calendar_year or closed)", s));
        } else if constexpr (std::is_same_v<M, std::vector<std::int32_t>>) {
            if (!array(v, w)) return;
            out.clear();
            const std::string at = w.str();
            for (std::size_t i = 0; i < v.size(); ++i) {
                std::int32_t n = 0;
                if (integer(v[i], json_where{{}, fmt::format("{}[{}]", at, i)}, n))
                    out.push_back(n);
            }
        } else if constexpr (is_optional_v<M>) {
            optional_integer(v, w, out);
        } else if constexpr (std::is_same_v<M, source_profiles>) {
            profiles(v, w, out);
        } else if constexpr (std::is_same_v<M, limit_key>) {
            key(v, w, out);
        } else if constexpr (std::is_same_v<M, std::vector<concurrency_limit>> ||
                             std::is_same_v<M, std::vector<class_spec>>) {
            out.clear();
            elements(v, w, [&](const json& e, const std::string& at) {
                typename M::value_type each;
                object_fields(e, at, each, false);
                out.push_back(std::move(each));
            });
        } else if constexpr (has_fields<M>) {
            object_fields(v, w.str(), out, row);
        } else {
            static_assert(has_fields<M>, "no JSON reader for this member type");
        }
    }

    // Reads an object by T's field list (core/fields.hpp): each key by its field, an unknown key
    // (or a row-only one outside a row) a warning, a missing required key an error, in list
    // order. `on_read(name, ok)` hears of each field read, `ok` when it added no error.
    template <has_fields T, class OnRead>
    void object_fields(const json& v, const std::string& at, T& out, bool row, OnRead on_read) {
        if (!object(v, json_where{{}, at})) return;
        constexpr std::size_t count = std::tuple_size_v<std::decay_t<decltype(fields_of<T>::list)>>;
        std::array<bool, count> seen{};
        for (const auto& item : v.items()) {
            // Named copies, not a structured binding: clang 14 cannot capture a binding.
            const std::string& key = item.key();
            const json& value = item.value();
            const json_where w{at, key};
            bool known = false;
            std::size_t i = 0;
            for_each_field<T>([&](const auto& f) {
                const std::size_t k = i++;
                if (known || f.name != key || (!row && f.has(row_only))) return;
                known = true;
                seen[k] = true;
                const std::size_t before = doc_.errors.size();
                member(f, value, w, f.of(out), row);
                on_read(f.name, doc_.errors.size() == before);
            });
            if (!known) unknown(w);
        }
        std::size_t i = 0;
        for_each_field<T>([&](const auto& f) {
            if (f.has(required) && !seen[i]) error(json_where{at, f.name}, "required");
            ++i;
        });
    }
    template <has_fields T>
    void object_fields(const json& v, const std::string& at, T& out, bool row) {
        object_fields(v, at, out, row, [](std::string_view, bool) {});
    }

    // A row with no progress field at all (issue 19) is progress_known false: the host has said
    // nothing about progress, and reading that as "no progress since started_at" would restart
    // every crawl older than stall_after (and stop, rather than reconcile, a waiting row's live
    // runner) while validate says valid. A running row says so in a warning. Any of the three
    // keys, even null (`"last_progress_at": null`: no report yet, judged from started_at), says
    // the host measures progress.
    void job_row(const json& v, const std::string& at, job& j, bool& has_id) {
        bool progress_field = false;
        object_fields(v, at, j, true, [&](std::string_view name, bool ok) {
            if (name == "id") has_id = ok;
            if (name == "last_progress_at" || name == "crawled_pages" || name == "progress_known")
                progress_field = true;
        });
        if (progress_field || !v.is_object()) return;
        j.progress_known = false;
        if (j.status == job_status::running)
            warn(fmt::format("{}: running job without last_progress_at, crawled_pages or "
                             "progress_known: read as progress_known false (never judged "
                             "stalled); report last_progress_at, or progress_known false",
                             at));
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
            object_fields(e, at, r, false);
            out.push_back(r);
        });
    }

    // Reads the listed keys of a small object; a missing required key is an error.
    template <class OnKey>
    void fields(const json& v, const std::string& at, std::initializer_list<std::string_view> keys,
                OnKey on_key) {
        if (!object(v, json_where{{}, at})) return;
        std::vector<bool> seen(keys.size(), false);
        for (const auto& [key, value] : v.items()) {
            const json_where f{at, key};
            std::size_t k = 0;
            for (const std::string_view r : keys) {
                if (r == key) seen[k] = true;
                ++k;
            }
            if (!on_key(key, value, f)) unknown(f);
        }
        std::size_t k = 0;
        for (const std::string_view r : keys)
            if (!seen[k++]) error(json_where{at, r}, "required");
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
                object_fields(value, f.str(), s.host, false);
            } else if (key == "config") {
                object_fields(value, f.str(), doc_.config, false);
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
            } else if (key == "unprobeable_locks") {
                elements(value, f, [&](const json& e, const std::string& at) {
                    unprobeable_lock l;
                    object_fields(e, at, l, false);
                    s.unprobeable_locks.push_back(l);
                });
            } else if (key == "progress") {
                elements(value, f, [&](const json& e, const std::string& at) {
                    progress_fact p;
                    object_fields(e, at, p, false);
                    doc_.progress.push_back(p);
                });
            } else if (key == "running_set") {
                elements(value, f, [&](const json& e, const std::string& at) {
                    std::int64_t n = 0;
                    if (integer(e, json_where{{}, at}, n)) s.running_set.push_back(job_id{n});
                });
            } else if (key == "processes") {
                elements(value, f, [&](const json& e, const std::string& at) {
                    process_fact p;
                    object_fields(e, at, p, false);
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
        if (!s.jobs.empty())
            for (const std::size_t k : overlay_progress(s.jobs, doc_.progress))
                error(fmt::format("progress[{}].job_id", k), "no job with this id",
                      doc_.progress[k].job);
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
    if (engine_field == "config.stale_pipeline_after") return "config.stale_pipeline_after_minutes";
    return std::string{engine_field};
}

} // namespace v0
} // namespace warden
