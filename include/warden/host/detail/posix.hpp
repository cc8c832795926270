#pragma once
// Small POSIX helpers for the host probe: whole-file reads with a bound, directory checks and the
// atomic file replacement (temp file in the same directory, fsync, rename, fsync of the directory).
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <optional>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace warden {
inline namespace v0 {
namespace host {
namespace detail {

[[nodiscard]] inline std::string parent_of(std::string_view path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string_view::npos) return ".";
    if (slash == 0) return "/";
    return std::string{path.substr(0, slash)};
}

// 0 when `dir` is a directory we can search, else the errno that says why not.
[[nodiscard]] inline int directory_error(const std::string& dir) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) return errno;
    if (!S_ISDIR(st.st_mode)) return ENOTDIR;
    if (::access(dir.c_str(), X_OK) != 0) return errno;
    return 0;
}

// Reads a whole file, at most `limit` bytes; errno in `error` when it cannot be opened or read.
struct read_result {
    std::string text;
    int error = 0;
};

[[nodiscard]] inline read_result read_file(const std::string& path, std::size_t limit) {
    read_result out;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        out.error = errno;
        return out;
    }
    char buffer[1 << 14];
    while (out.text.size() < limit) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            out.error = errno;
            break;
        }
        if (n == 0) break;
        out.text.append(buffer, static_cast<std::size_t>(n));
    }
    if (out.text.size() > limit) out.text.resize(limit);
    ::close(fd);
    return out;
}

// The last `bytes` of a file (a log's tail); errno in `error` on failure.
[[nodiscard]] inline read_result read_tail(const std::string& path, std::int64_t bytes) {
    read_result out;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        out.error = errno;
        return out;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        out.error = errno != 0 ? errno : EINVAL;
        ::close(fd);
        return out;
    }
    const off_t from = st.st_size > bytes ? st.st_size - static_cast<off_t>(bytes) : 0;
    char buffer[1 << 14];
    off_t at = from;
    while (static_cast<std::int64_t>(out.text.size()) < bytes) {
        const ssize_t n = ::pread(fd, buffer, sizeof buffer, at);
        if (n < 0) {
            if (errno == EINTR) continue;
            out.error = errno;
            break;
        }
        if (n == 0) break;
        out.text.append(buffer, static_cast<std::size_t>(n));
        at += n;
    }
    ::close(fd);
    return out;
}

// Writes `text` to `path` atomically: a temp file in the same directory, fsync, rename over
// `path`, fsync of the directory. A reader sees the old file or the new one, never a torn one.
// Returns 0, or the errno of the step that failed (the temp file is removed).
[[nodiscard]] inline int write_file_atomically(const std::string& path, std::string_view text) {
    const std::string dir = parent_of(path);
    std::string tmp = path + ".tmp.XXXXXX";
    const int fd = ::mkstemp(tmp.data());
    if (fd < 0) return errno;
    auto fail = [&](int e) {
        ::close(fd);
        ::unlink(tmp.c_str());
        return e;
    };
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(errno);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fchmod(fd, 0644) != 0) return fail(errno);
    if (::fsync(fd) != 0) return fail(errno);
    if (::close(fd) != 0) {
        const int e = errno;
        ::unlink(tmp.c_str());
        return e;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int e = errno;
        ::unlink(tmp.c_str());
        return e;
    }
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd); // the rename itself survives a crash
        ::close(dfd);
    }
    return 0;
}

} // namespace detail
} // namespace host
} // namespace v0
} // namespace warden
