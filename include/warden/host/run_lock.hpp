#pragma once
// The run lock of `warden tick` (docs/host.md, "tick"): a non-blocking exclusive flock(2) held for
// the whole run, so that a second tick started while one runs (a slow tick, an operator's manual
// run) exits at once instead of probing, deciding and applying beside it, as production's
// `flock -n` around its watchdog does. The lock is released when the descriptor is closed, which
// the kernel also does when the process dies: a crashed tick never leaves it held.
#include <cerrno>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <unistd.h>

namespace warden {
inline namespace v0 {
namespace host {

class run_lock {
  public:
    enum class state {
        acquired, // this process holds the lock until the object is destroyed
        busy,     // another process holds it: do nothing, successfully
        failed,   // the file could not be opened or locked (`error_number`)
    };

    // Opens (creating it 0644 if needed) and tries to lock `path` without waiting.
    explicit run_lock(const std::string& path) {
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
        if (fd_ < 0) {
            error_number_ = errno;
            return;
        }
        while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            if (errno == EINTR) continue;
            error_number_ = errno;
            state_ = errno == EWOULDBLOCK ? state::busy : state::failed;
            ::close(fd_);
            fd_ = -1;
            return;
        }
        state_ = state::acquired;
    }
    run_lock(const run_lock&) = delete;
    run_lock& operator=(const run_lock&) = delete;
    ~run_lock() {
        if (fd_ >= 0) ::close(fd_); // releases the flock
    }

    [[nodiscard]] state status() const noexcept { return state_; }
    [[nodiscard]] int error_number() const noexcept { return error_number_; }

  private:
    int fd_ = -1;
    state state_ = state::failed;
    int error_number_ = 0;
};

} // namespace host
} // namespace v0
} // namespace warden
