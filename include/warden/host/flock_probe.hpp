#pragma once
// Whether a lock file is held, by a non-blocking flock(2) on a read-only descriptor, released at
// once (docs/host.md). A probe that fails is `unprobeable` with its errno, never "not held": the
// production watchdog once read a PermissionError as "no lock" and hid a stall for 20 hours.
#include <warden/host/detail/posix.hpp>

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace warden {
inline namespace v0 {
namespace host {

enum class lock_state {
    absent,      // the lock file does not exist (its directory does): nobody holds it
    free,        // the file exists and nobody holds it
    held,        // another process holds it
    unprobeable, // the probe failed (`error_number` says why): taken as held
};

struct lock_probe {
    lock_state state = lock_state::absent;
    int error_number = 0; // errno when unprobeable
};

// Probes `path`. ENOENT of the file itself is `absent` only when its directory exists and is a
// searchable directory; a missing or unreadable directory is `unprobeable` (that is a lock dir
// moved, cut over or mis-permissioned, not "no lock").
[[nodiscard]] inline lock_probe probe_lock(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        const int e = errno;
        if (e != ENOENT) return {lock_state::unprobeable, e};
        const int dir_error = detail::directory_error(detail::parent_of(path));
        if (dir_error != 0) return {lock_state::unprobeable, dir_error};
        return {lock_state::absent, 0};
    }
    lock_probe out{lock_state::free, 0};
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
        ::flock(fd, LOCK_UN); // released at once: a runner's own LOCK_NB must not see it held
    } else if (errno == EWOULDBLOCK) {
        out.state = lock_state::held;
    } else {
        out = {lock_state::unprobeable, errno};
    }
    ::close(fd);
    return out;
}

} // namespace host
} // namespace v0
} // namespace warden
