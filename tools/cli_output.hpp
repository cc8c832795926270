#pragma once
// What the CLI writes besides its standard output: diagnostic lines on standard error, as text or
// as JSON lines (--log-format json, for journald and Loki), and files written atomically
// (--metrics-out). CLI-internal.
#include <warden/core/ids.hpp>
#include <warden/io/rfc3339.hpp>
#include <warden/io/text.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace warden_cli {

enum class log_format { text, json };

// One process, one format: set once from --log-format before any line is written.
inline log_format& current_log_format() {
    static log_format format = log_format::text;
    return format;
}

// One diagnostic on standard error. Text: `LEVEL: FIELD: MESSAGE` with the host's strings
// escaped (docs/formats.md, "Text output"), one line whatever they hold. JSON: one object per
// line, `{"time", "level", "message"}` plus `"field"` and `"job_id"` when known, strings
// unescaped (JSON escapes them), so a log shipper keeps the fields as fields.
inline void log_line(std::string_view level, std::string_view message, std::string_view field = {},
                     std::optional<warden::job_id> job = std::nullopt) {
    if (current_log_format() == log_format::text) {
        if (field.empty())
            fmt::print(stderr, "{}: {}\n", level, warden::escape_text(message));
        else
            fmt::print(stderr, "{}: {}: {}\n", level, warden::escape_text(field),
                       warden::escape_text(message));
        return;
    }
    nlohmann::ordered_json line = nlohmann::ordered_json::object();
    line["time"] = warden::format_rfc3339(
        std::chrono::time_point_cast<warden::duration>(std::chrono::system_clock::now()));
    line["level"] = level;
    line["message"] = message;
    if (!field.empty()) line["field"] = field;
    if (job) line["job_id"] = warden::to_int(*job);
    const std::string text =
        line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    fmt::print(stderr, "{}\n", text);
}

// The last word of a failed command: `warden: MESSAGE` as text (kept as it always was), or a
// JSON line with level "error" and the exit status.
inline void log_fatal(std::string_view message, int exit_status) {
    if (current_log_format() == log_format::text) {
        fmt::print(stderr, "warden: {}\n", message);
        return;
    }
    nlohmann::ordered_json line = nlohmann::ordered_json::object();
    line["time"] = warden::format_rfc3339(
        std::chrono::time_point_cast<warden::duration>(std::chrono::system_clock::now()));
    line["level"] = "error";
    line["message"] = message;
    line["exit_status"] = exit_status;
    fmt::print(stderr, "{}\n",
               line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

// Writes `text` to `path` so that a reader (node_exporter's textfile collector) sees the old file
// or the new one, never a part: a temporary file in the same directory (a rename across
// filesystems is not atomic), named `.NAME.XXXXXX` so that the collector, which reads only
// `*.prom`, never reads it; written, fsync'd, made 0644 (mkstemp creates 0600 and the collector
// often runs as another user), renamed over `path`, and the directory fsync'd so the rename
// survives a power loss. Returns an error message, or nothing on success; on failure the
// temporary file is removed and `path` is as it was.
inline std::optional<std::string> write_file_atomically(const std::string& path,
                                                        std::string_view text) {
    const std::filesystem::path target(path);
    std::filesystem::path dir = target.parent_path();
    if (dir.empty()) dir = ".";
    std::string temp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
    const int fd = ::mkstemp(temp.data());
    if (fd < 0)
        return fmt::format("cannot create a temporary file in {}: {}", dir.string(),
                           std::strerror(errno));
    auto fail = [&](std::string_view what) {
        const std::string message = fmt::format("{} {}: {}", what, temp, std::strerror(errno));
        ::close(fd);
        ::unlink(temp.c_str());
        return std::optional<std::string>{message};
    };
    std::size_t written = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail("cannot write");
        written += static_cast<std::size_t>(n);
    }
    if (::fchmod(fd, 0644) != 0) return fail("cannot chmod");
    if (::fsync(fd) != 0) return fail("cannot fsync");
    if (::close(fd) != 0) {
        const std::string message = fmt::format("cannot close {}: {}", temp, std::strerror(errno));
        ::unlink(temp.c_str());
        return message;
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const std::string message =
            fmt::format("cannot rename {} to {}: {}", temp, path, std::strerror(errno));
        ::unlink(temp.c_str());
        return message;
    }
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        ::fsync(dir_fd); // best effort: the file is already in place
        ::close(dir_fd);
    }
    return std::nullopt;
}

} // namespace warden_cli
