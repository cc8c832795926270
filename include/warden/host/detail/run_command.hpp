#pragma once
// Running one command for the runtime actions (host/actions.hpp): fork and exec of an argv, no
// shell, with a timeout; and signalling a pid and waiting for it to go. Linux only.
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace warden {
inline namespace v0 {
namespace host {

// How one command ended.
enum class command_outcome : std::uint8_t {
    exited,          // exit_status holds its status (0: success)
    signaled,        // killed by signal `signal`
    timed_out,       // still running at the timeout: its process group was killed
    failed_to_start, // fork or exec failed (`error` says why): nothing ran
};

[[nodiscard]] constexpr const char* to_string(command_outcome o) noexcept {
    switch (o) {
    case command_outcome::exited: return "exited";
    case command_outcome::signaled: return "signaled";
    case command_outcome::timed_out: return "timed_out";
    case command_outcome::failed_to_start: return "failed_to_start";
    }
    return "unknown";
}

struct command_result {
    std::vector<std::string> argv;
    command_outcome outcome = command_outcome::failed_to_start;
    int exit_status = -1; // when exited
    int signal = 0;       // when signaled (or the signal that ended a timed-out command)
    std::string error;    // when failed_to_start: the errno text of fork or exec
    std::string output;   // standard output and error, the first max_output_bytes
    std::chrono::milliseconds elapsed{0};
    [[nodiscard]] bool succeeded() const noexcept {
        return outcome == command_outcome::exited && exit_status == 0;
    }
};

namespace detail {

inline constexpr std::size_t max_output_bytes = 4096;

// True while `pid` exists and is not a zombie: a zombie has exited, whoever has to reap it (a
// stand-in's parent in a test, or a worker that is slow to wait()).
[[nodiscard]] inline bool process_alive(pid_t pid) {
    if (::kill(pid, 0) != 0) return errno == EPERM; // EPERM: it exists, owned by someone else
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return true; // no /proc: trust kill()
    const auto close = line.rfind(')');
    return close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'Z';
}

// Runs argv[0] (looked up in PATH) with argv, without a shell, in its own process group, with
// standard input /dev/null and its output captured; kills the group (SIGKILL) at `timeout`.
[[nodiscard]] inline command_result run_command(const std::vector<std::string>& argv,
                                                std::chrono::milliseconds timeout) {
    using clock = std::chrono::steady_clock;
    command_result r;
    r.argv = argv;
    if (argv.empty()) {
        r.error = "empty command";
        return r;
    }
    int out[2];
    int exec_error[2]; // close-on-exec: EOF means exec succeeded, 4 bytes are its errno
    if (::pipe2(out, O_CLOEXEC) != 0) {
        r.error = std::string("pipe: ") + std::strerror(errno);
        return r;
    }
    if (::pipe2(exec_error, O_CLOEXEC) != 0) {
        r.error = std::string("pipe: ") + std::strerror(errno);
        ::close(out[0]);
        ::close(out[1]);
        return r;
    }
    std::vector<char*> args;
    for (const std::string& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const auto started = clock::now();
    const pid_t pid = ::fork();
    if (pid < 0) {
        r.error = std::string("fork: ") + std::strerror(errno);
        for (int fd : {out[0], out[1], exec_error[0], exec_error[1]})
            ::close(fd);
        return r;
    }
    if (pid == 0) {
        // The child: only async-signal-safe calls until exec.
        ::setpgid(0, 0);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        const int null = ::open("/dev/null", O_RDONLY);
        if (null >= 0) ::dup2(null, STDIN_FILENO);
        ::dup2(out[1], STDOUT_FILENO);
        ::dup2(out[1], STDERR_FILENO);
        ::execvp(args[0], args.data());
        const int e = errno;
        [[maybe_unused]] const auto n = ::write(exec_error[1], &e, sizeof e);
        ::_exit(127);
    }
    ::setpgid(pid, pid); // both sides: no race with a kill of the group
    ::close(out[1]);
    ::close(exec_error[1]);
    int child_errno = 0;
    const bool exec_failed = ::read(exec_error[0], &child_errno, sizeof child_errno) ==
                             static_cast<ssize_t>(sizeof child_errno);
    ::close(exec_error[0]);

    const auto deadline = started + timeout;
    int status = 0;
    bool reaped = false;
    bool timed_out = false;
    bool output_open = true;
    while (!reaped) {
        const pid_t w = ::waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            reaped = true;
            break;
        }
        if (clock::now() >= deadline) {
            timed_out = true;
            ::kill(-pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            reaped = true;
            break;
        }
        if (output_open) {
            pollfd p{out[0], POLLIN, 0};
            if (::poll(&p, 1, 20) > 0) {
                char buffer[1024];
                const ssize_t n = ::read(out[0], buffer, sizeof buffer);
                if (n <= 0) {
                    output_open = false;
                } else if (r.output.size() < max_output_bytes) {
                    r.output.append(buffer, static_cast<std::size_t>(n));
                }
            }
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    // What the command wrote just before it exited; its children may hold the pipe open, so
    // read only what is there now.
    for (pollfd p{out[0], POLLIN, 0}; output_open && ::poll(&p, 1, 0) > 0;) {
        char buffer[1024];
        const ssize_t n = ::read(out[0], buffer, sizeof buffer);
        if (n <= 0) break;
        if (r.output.size() < max_output_bytes)
            r.output.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    if (r.output.size() > max_output_bytes) r.output.resize(max_output_bytes);
    r.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started);
    if (exec_failed) {
        r.outcome = command_outcome::failed_to_start;
        r.error = std::string("exec ") + argv[0] + ": " + std::strerror(child_errno);
    } else if (timed_out) {
        r.outcome = command_outcome::timed_out;
        r.signal = SIGKILL;
    } else if (WIFSIGNALED(status)) {
        r.outcome = command_outcome::signaled;
        r.signal = WTERMSIG(status);
    } else {
        r.outcome = command_outcome::exited;
        r.exit_status = WEXITSTATUS(status);
    }
    return r;
}

} // namespace detail
} // namespace host
} // namespace v0
} // namespace warden
