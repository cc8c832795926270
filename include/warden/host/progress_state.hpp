#pragma once
// Progress for a host run by a timer (docs/host.md): the crawl logs read into progress readings,
// and the progress_tracker's memory kept in a state file between runs, written atomically, so a
// fresh process each tick measures progress exactly as a long-lived C++ host does.
#include <warden/core/ids.hpp>
#include <warden/host/config.hpp>
#include <warden/host/detail/posix.hpp>
#include <warden/io/json/parse.hpp>
#include <warden/io/rfc3339.hpp>
#include <warden/progress.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <glob.h>
#include <optional>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <vector>

namespace warden {
inline namespace v0 {
namespace host {

namespace detail {

// The value at a dotted path ("details.crawled") of a JSON object, or null.
[[nodiscard]] inline const warden::detail::json* at_path(const warden::detail::json& v,
                                                         std::string_view path) {
    const warden::detail::json* cur = &v;
    while (!path.empty()) {
        const auto dot = path.find('.');
        const std::string key{path.substr(0, dot)};
        if (!cur->is_object()) return nullptr;
        const auto it = cur->find(key);
        if (it == cur->end()) return nullptr;
        cur = &*it;
        path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
    }
    return cur;
}

// Escapes glob metacharacters so an output dir is matched literally.
[[nodiscard]] inline std::string glob_escape(std::string_view s) {
    std::string out;
    for (const char c : s) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

// Parses `text` with a depth bound (a log line or a state file nested 100k deep must not
// overflow the stack); a discarded value when it is not valid JSON within the bound.
[[nodiscard]] inline warden::detail::json parse_bounded(std::string_view text, std::size_t depth) {
    warden::detail::json root;
    std::vector<validation_error> errors;
    warden::detail::bounded_dom_builder builder(root, depth, errors);
    const bool parsed = warden::detail::json::sax_parse(text.begin(), text.end(), &builder);
    if (!parsed || !errors.empty())
        return warden::detail::json(warden::detail::json::value_t::discarded);
    return root;
}

} // namespace detail

// The crawled-pages counter of the last line of `tail` that is a JSON object matching
// `c.json_match` and holding a non-negative integer at `c.counter_field`; none if no line does.
[[nodiscard]] inline std::optional<std::int64_t> last_counter(std::string_view tail,
                                                              const progress_config& c) {
    std::size_t end = tail.size();
    while (end > 0) {
        const auto nl = tail.rfind('\n', end - 1);
        const std::size_t begin = nl == std::string_view::npos ? 0 : nl + 1;
        const std::string_view line = tail.substr(begin, end - begin);
        end = nl == std::string_view::npos ? 0 : nl;
        if (line.empty() || line.front() != '{') continue;
        const auto v = detail::parse_bounded(line, 32);
        if (v.is_discarded() || !v.is_object()) continue;
        bool match = true;
        for (const auto& [path, want] : c.json_match) {
            const auto* got = detail::at_path(v, path);
            if (!got || !got->is_string() || got->get_ref<const std::string&>() != want) {
                match = false;
                break;
            }
        }
        if (!match) continue;
        const auto* n = detail::at_path(v, c.counter_field);
        if (n && (n->is_number_unsigned() || n->is_number_integer()) && n->get<std::int64_t>() >= 0)
            return n->get<std::int64_t>();
    }
    return std::nullopt;
}

// This tick's progress readings for a job: one per file under `output_dir` matching a log glob,
// with its mtime and last counter. A file that cannot be read is a reading without a counter
// (unreadable this tick), and a warning.
[[nodiscard]] inline std::vector<progress_reading>
read_progress_sources(const progress_config& c, const std::string& output_dir,
                      std::vector<std::string>& warnings) {
    std::vector<progress_reading> out;
    if (output_dir.empty()) return out;
    for (const auto& g : c.log_globs) {
        const std::string pattern = detail::glob_escape(output_dir) + "/" + g;
        glob_t found{};
        const int rc = ::glob(pattern.c_str(), GLOB_NOSORT, nullptr, &found);
        if (rc == GLOB_ABORTED)
            warnings.push_back(fmt::format("progress: cannot list {}", output_dir));
        for (std::size_t i = 0; rc == 0 && i < found.gl_pathc && i < 1000; ++i) {
            progress_reading r;
            r.source = found.gl_pathv[i];
            struct stat st {};
            if (::stat(r.source.c_str(), &st) == 0)
                r.modified_at = from_epoch_seconds(static_cast<std::int64_t>(st.st_mtime));
            const auto tail = detail::read_tail(r.source, c.tail_bytes);
            if (tail.error != 0)
                warnings.push_back(
                    fmt::format("progress: {}: {}", r.source, std::strerror(tail.error)));
            else
                r.crawled_pages = last_counter(tail.text, c);
            out.push_back(std::move(r));
        }
        ::globfree(&found);
    }
    return out;
}

// The tracker's memory as the state file holds it (docs/host.md).
[[nodiscard]] inline std::string progress_state_json(const progress_tracker& t) {
    using warden::detail::json;
    auto time = [](const std::optional<timestamp>& at) {
        return at ? json(epoch_seconds(*at)) : json(nullptr);
    };
    json out = json::object();
    out["version"] = 1;
    out["source_choice"] =
        t.choice() == progress_source_choice::first_seen ? "first_seen" : "freshest";
    json& jobs = out["jobs"] = json::array();
    for (const auto& m : t.memory())
        jobs.push_back(json{{"job_id", to_int(m.job)},
                            {"seen_at", time(m.seen_at)},
                            {"since", time(m.since)},
                            {"source", m.source},
                            {"pages", m.pages},
                            {"pinned", m.pinned ? json(*m.pinned) : json(nullptr)}});
    return out.dump(2) + "\n";
}

// Restores a state file's text into `t`. On a malformed file nothing is restored and the error
// says what is wrong: the caller starts afresh (no job stalls before stall_after of observation,
// the safe direction) and says so.
[[nodiscard]] inline std::optional<std::string> restore_progress_state(progress_tracker& t,
                                                                       std::string_view text) {
    using warden::detail::json;
    const json v = detail::parse_bounded(text, 16);
    if (v.is_discarded() || !v.is_object()) return "not a JSON object";
    if (v.value("version", 0) != 1) return "unknown version (expected 1)";
    const auto jobs = v.find("jobs");
    if (jobs == v.end() || !jobs->is_array()) return "jobs: expected an array";
    constexpr std::int64_t min_epoch = -62135596800, max_epoch = 253402300799;
    auto time = [&](const json& e, const char* key, std::optional<timestamp>& out) {
        const auto it = e.find(key);
        if (it == e.end() || it->is_null()) return true;
        if (!it->is_number_integer()) return false;
        const auto s = it->get<std::int64_t>();
        if (s < min_epoch || s > max_epoch) return false;
        out = from_epoch_seconds(s);
        return true;
    };
    std::vector<progress_tracker::job_memory> saved;
    for (std::size_t i = 0; i < jobs->size(); ++i) {
        const json& e = (*jobs)[i];
        progress_tracker::job_memory m;
        const auto id = e.is_object() ? e.find("job_id") : e.end();
        if (!e.is_object() || id == e.end() || !id->is_number_integer())
            return fmt::format("jobs[{}].job_id: expected an integer", i);
        m.job = job_id{id->get<std::int64_t>()};
        if (!time(e, "seen_at", m.seen_at) || !time(e, "since", m.since))
            return fmt::format("jobs[{}]: seen_at and since are epoch seconds or null", i);
        const auto source = e.find("source");
        if (source != e.end() && source->is_string()) m.source = source->get<std::string>();
        const auto pages = e.find("pages");
        if (pages != e.end() && pages->is_number_integer()) m.pages = pages->get<std::int64_t>();
        const auto pinned = e.find("pinned");
        if (pinned != e.end() && pinned->is_string()) m.pinned = pinned->get<std::string>();
        saved.push_back(std::move(m));
    }
    t.restore(saved);
    return std::nullopt;
}

} // namespace host
} // namespace v0
} // namespace warden
