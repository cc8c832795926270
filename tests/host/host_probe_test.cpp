// The host probe against real parts (issue #19): lock files held by real processes, crawl
// stand-ins whose argv names an output dir under a real parent, a real disk, a real progress
// state file. No mocks. Runs as root or not: the unprobeable cases use ENOTDIR and ENOENT of the
// lock dir (no permission bit stops root), and the EACCES case drops to nobody in a child.
#include <warden/host/probe.hpp>

#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "../support/temp_dir.hpp"

namespace fs = std::filesystem;
using wt::temp_dir;
using namespace std::chrono_literals;
using warden::host::lock_state;

namespace {

// A fresh directory, removed with everything in it.
void write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::trunc) << text;
}

void append(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::app) << text;
}

// Orphans (the crawl stand-ins' grandchildren) are re-parented to this process and reaped here.
void become_subreaper() {
    static const bool done = [] { return ::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0; }();
    (void)done;
}

// A process group of helpers, killed and reaped on scope exit.
struct helper {
    pid_t pid = -1;
    ~helper() {
        if (pid <= 0) return;
        ::kill(-pid, SIGKILL);
        // Every process of the group: the helper, then its children, re-parented to this
        // subreaper when it died. Only once they are reaped are their lock fds released.
        while (::waitpid(-pid, nullptr, 0) > 0) {
        }
    }
};

// A real process holding `path` with flock(1)'s lock mode: `flock -x` or `-s`.
helper hold_lock(const std::string& path, const char* mode = "-x") {
    become_subreaper();
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    helper h;
    h.pid = ::fork();
    REQUIRE(h.pid >= 0);
    if (h.pid == 0) {
        ::setpgid(0, 0);
        ::close(ready[0]);
        // The lock is taken by util-linux flock, which then runs `sh`, which reports on the pipe.
        const std::string report = "echo x >&" + std::to_string(ready[1]) + "; exec sleep 60";
        ::execlp("flock", "flock", mode, path.c_str(), "sh", "-c", report.c_str(),
                 static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(ready[1]);
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1); // the lock is held from here on
    ::close(ready[0]);
    return h;
}

// Waits until /proc/PID/cmdline holds `needle` (the exec happened).
bool wait_for_cmdline(pid_t pid, const std::string& needle) {
    for (int i = 0; i < 500; ++i) {
        const auto r =
            warden::host::detail::read_file("/proc/" + std::to_string(pid) + "/cmdline", 1 << 16);
        std::string text = r.text;
        for (char& ch : text)
            if (ch == '\0') ch = ' ';
        if (text.find(needle) != std::string::npos) return true;
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

// A crawl stand-in: `sh -c 'sleep 60; true' archive-tool --output-dir DIR`, whose argv names
// the output dir as a crawl's does (and forks a child of its own).
[[noreturn]] void exec_crawl(const std::string& dir) {
    ::execlp("sh", "sh", "-c", "sleep 60; true", "archive-tool", "--output-dir", dir.c_str(),
             static_cast<char*>(nullptr));
    ::_exit(127);
}

// A worker stand-in that starts one crawl as its child, then becomes `sleep 60`.
struct worker_with_crawl {
    helper group;
    pid_t crawl = -1;
};

worker_with_crawl start_worker(const std::string& crawl_dir, const std::string& pid_file) {
    become_subreaper();
    int report[2];
    REQUIRE(::pipe(report) == 0);
    worker_with_crawl w;
    w.group.pid = ::fork();
    REQUIRE(w.group.pid >= 0);
    if (w.group.pid == 0) {
        ::setpgid(0, 0);
        ::close(report[0]);
        const pid_t child = ::fork();
        if (child == 0) exec_crawl(crawl_dir);
        (void)!::write(report[1], &child, sizeof child);
        ::close(report[1]);
        ::execlp("sleep", "sleep", "60", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(report[1]);
    REQUIRE(::read(report[0], &w.crawl, sizeof w.crawl) == sizeof w.crawl);
    ::close(report[0]);
    write(pid_file, std::to_string(w.group.pid) + "\n");
    REQUIRE(wait_for_cmdline(w.crawl, crawl_dir));
    REQUIRE(wait_for_cmdline(w.group.pid, "sleep 60"));
    return w;
}

helper start_lone_crawl(const std::string& dir) {
    become_subreaper();
    helper h;
    h.pid = ::fork();
    REQUIRE(h.pid >= 0);
    if (h.pid == 0) {
        ::setpgid(0, 0);
        exec_crawl(dir);
    }
    REQUIRE(wait_for_cmdline(h.pid, dir));
    return h;
}

warden::job job_row(std::int64_t id, std::string name, std::string output_dir,
                    warden::job_status status = warden::job_status::running) {
    warden::job j;
    j.id = warden::job_id{id};
    j.name = std::move(name);
    j.output_dir = std::move(output_dir);
    j.status = status;
    return j;
}

warden::host::process_config crawl_patterns() {
    warden::host::process_config c;
    c.output_dir_patterns = {{{"--output-dir", "{output_dir}"}}, {{"--output-dir={output_dir}"}}};
    c.cmdline_contains = {"archive-tool"};
    c.job_unit_globs = {"healtharchive-job*.service"};
    return c;
}

const warden::process_fact* process_in(const std::vector<warden::process_fact>& ps,
                                       const std::string& dir) {
    for (const auto& p : ps)
        if (p.output_dir == dir) return &p;
    return nullptr;
}

} // namespace

TEST_CASE("flock probe: absent, free and held lock files", "[host][flock]") {
    temp_dir d;
    const std::string path = d / "job-1.lock";
    CHECK(warden::host::probe_lock(path).state == lock_state::absent);
    write(path, "");
    CHECK(warden::host::probe_lock(path).state == lock_state::free);
    {
        const helper h = hold_lock(path);
        CHECK(warden::host::probe_lock(path).state == lock_state::held);
    }
    SECTION("a shared holder also holds it") {
        const helper h = hold_lock(path, "-s");
        CHECK(warden::host::probe_lock(path).state == lock_state::held);
    }
    SECTION("the probe releases the lock at once") {
        CHECK(warden::host::probe_lock(path).state == lock_state::free);
        const int fd = ::open(path.c_str(), O_RDONLY);
        REQUIRE(fd >= 0);
        CHECK(::flock(fd, LOCK_EX | LOCK_NB) == 0);
        ::close(fd);
    }
}

TEST_CASE("flock probe: a failed probe is unprobeable with its errno, never absent",
          "[host][flock]") {
    temp_dir d;
    SECTION("the lock dir is a regular file: ENOTDIR (works as root)") {
        write(d / "locks", "not a directory");
        const auto p = warden::host::probe_lock(d / "locks/job-1.lock");
        CHECK(p.state == lock_state::unprobeable);
        CHECK(p.error_number == ENOTDIR);
    }
    SECTION("the lock dir is missing: ENOENT of the dir") {
        const auto p = warden::host::probe_lock(d / "gone/job-1.lock");
        CHECK(p.state == lock_state::unprobeable);
        CHECK(p.error_number == ENOENT);
    }
    SECTION("a lock dir without permission: EACCES (as nobody when run as root)") {
        fs::create_directory(d / "locks");
        write(d / "locks/job-1.lock", "");
        fs::permissions(d.path, fs::perms::all, fs::perm_options::add); // nobody may enter d
        fs::permissions(d / "locks", fs::perms::none);
        if (::geteuid() != 0) {
            const auto p = warden::host::probe_lock(d / "locks/job-1.lock");
            CHECK(p.state == lock_state::unprobeable);
            CHECK(p.error_number == EACCES);
        } else {
            // Permission bits do not stop root: probe from a child that dropped to nobody.
            int out[2];
            REQUIRE(::pipe(out) == 0);
            const pid_t child = ::fork();
            REQUIRE(child >= 0);
            if (child == 0) {
                ::close(out[0]);
                if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
                const auto p = warden::host::probe_lock(d / "locks/job-1.lock");
                const int result[2] = {static_cast<int>(p.state), p.error_number};
                (void)!::write(out[1], result, sizeof result);
                ::_exit(0);
            }
            ::close(out[1]);
            int result[2] = {-1, -1};
            const auto n = ::read(out[0], result, sizeof result);
            ::close(out[0]);
            int status = 0;
            ::waitpid(child, &status, 0);
            REQUIRE(WIFEXITED(status));
            REQUIRE(WEXITSTATUS(status) == 0);
            REQUIRE(n == sizeof result);
            CHECK(result[0] == static_cast<int>(lock_state::unprobeable));
            CHECK(result[1] == EACCES);
        }
    }
}

TEST_CASE("lock path template: id, name and output dir; an empty field gives no path",
          "[host][flock]") {
    const auto j = job_row(7, "hc-20260101", "/srv/jobs/hc-20260101");
    CHECK(warden::host::lock_path_for("/tmp/locks/job-{id}.lock", j) == "/tmp/locks/job-7.lock");
    CHECK(warden::host::lock_path_for("/l/{name}-{id}", j) == "/l/hc-20260101-7");
    CHECK(warden::host::lock_path_for("{output_dir}/.lock", j) == "/srv/jobs/hc-20260101/.lock");
    CHECK(warden::host::lock_path_for("/l/{other}/{id}", j) == "/l/{other}/7");
    CHECK(warden::host::lock_path_for("{output_dir}/.lock", job_row(8, "x", "")).empty());
}

TEST_CASE("processes: crawl stand-ins are attributed by output dir, ppid and origin",
          "[host][proc]") {
    temp_dir d;
    const std::string under_worker = d / "jobs/hc-20260101";
    const std::string lone = d / "jobs/phac-20260101";
    const auto worker = start_worker(under_worker, d / "worker.pid");
    const helper other = start_lone_crawl(lone + "/"); // a trailing slash is dropped

    warden::host::probe_config c;
    c.processes = crawl_patterns();
    c.worker.main_pid_file = d / "worker.pid";
    const auto r = warden::host::probe(c, {}, warden::from_epoch_seconds(1770000000));

    CHECK(r.host.process_list_readable);
    CHECK(r.host.worker_alive);
    const auto* w = process_in(r.processes, under_worker);
    REQUIRE(w);
    CHECK(w->pid == worker.crawl);
    CHECK(w->ppid == worker.group.pid);
    CHECK(w->origin == warden::process_origin::worker);
    CHECK(w->cmdline.find("archive-tool --output-dir " + under_worker) != std::string::npos);
    const auto* o = process_in(r.processes, lone);
    REQUIRE(o);
    CHECK(o->pid == other.pid);
    CHECK(o->ppid == ::getpid());
    CHECK(o->origin == warden::process_origin::other);
    // The crawls' own children (`sleep 60`) name no output dir: not crawls.
    for (const auto& p : r.processes)
        CHECK(p.cmdline.rfind("sleep", 0) != 0);

    SECTION("without the worker's pid, nothing is the worker's, and the worker is not alive") {
        write(d / "worker.pid", "99999999\n");
        const auto again = warden::host::probe(c, {}, warden::from_epoch_seconds(1770000000));
        CHECK_FALSE(again.host.worker_alive);
        const auto* p = process_in(again.processes, under_worker);
        REQUIRE(p);
        CHECK(p->origin == warden::process_origin::other);
    }
    SECTION("cmdline_contains filters candidates") {
        c.processes.cmdline_contains = {"zimit"};
        const auto again = warden::host::probe(c, {}, warden::from_epoch_seconds(1770000000));
        CHECK_FALSE(process_in(again.processes, under_worker));
    }
}

TEST_CASE("processes: an unreadable process list is reported, not read as empty", "[host][proc]") {
    temp_dir d;
    const auto t = warden::host::read_process_table(d / "no-proc-here");
    CHECK_FALSE(t.readable);
    CHECK(t.error_number == ENOENT);
    const auto r = warden::host::probe({}, {}, warden::from_epoch_seconds(0), d / "no-proc-here");
    CHECK_FALSE(r.host.process_list_readable);
    CHECK_FALSE(r.warnings.empty());
}

TEST_CASE("processes: argv patterns, cgroup units and ppid parsing", "[host][proc]") {
    using warden::host::extract_output_dir;
    const std::vector<warden::host::output_dir_pattern> patterns = {
        {{"--output-dir", "{output_dir}"}}, {{"-v", "{output_dir}:/output"}}};
    CHECK(extract_output_dir({"x", "--output-dir", "/a/b/"}, patterns) == "/a/b");
    CHECK(extract_output_dir({"docker", "run", "-v", "/srv/j:/output", "img"}, patterns) ==
          "/srv/j");
    CHECK(extract_output_dir({"x", "--output-dir"}, patterns).empty());
    CHECK(extract_output_dir({"-v", ":/output"}, patterns).empty());
    using warden::host::detail::cgroup_unit;
    CHECK(cgroup_unit("0::/system.slice/healtharchive-job8-auto.service\n") ==
          "healtharchive-job8-auto.service");
    CHECK(cgroup_unit("0::/system.slice/docker-1.scope/init\n") == "docker-1.scope");
    CHECK(cgroup_unit("4:memory:/x\n1:name=systemd:/system.slice/w.service\n") == "w.service");
    CHECK(cgroup_unit("0::/\n").empty());
    using warden::host::detail::stat_ppid;
    CHECK(stat_ppid("12 (a) b) S 34 12 12 0") == 34);
    CHECK_FALSE(stat_ppid("12 (a"));
}

TEST_CASE("probe: locks, deploy lock, disk and sentinel from real files", "[host][probe]") {
    temp_dir d;
    fs::create_directory(d / "locks");
    write(d / "not-a-dir", "");
    warden::host::probe_config c;
    c.job_lock_path = d / "locks/job-{id}.lock";
    c.deploy_lock_path = d / "deploy.lock";
    c.disk_path = d.path.string();
    c.sentinel_path = d / "enabled";
    const std::vector<warden::job> jobs = {job_row(1, "a", "/o/a"), job_row(2, "b", "/o/b"),
                                           job_row(3, "c", "/o/c")};
    write(d / "locks/job-2.lock", "");
    write(d / "locks/job-3.lock", "");
    const helper holds_2 = hold_lock(d / "locks/job-2.lock");
    const auto now = warden::from_epoch_seconds(1770000000);

    auto r = warden::host::probe(c, jobs, now);
    CHECK(r.locks == std::vector<warden::job_id>{warden::job_id{2}});
    CHECK(r.unprobeable_locks.empty());
    CHECK_FALSE(r.host.sentinel_present);
    CHECK_FALSE(r.host.deploy_lock_present);
    CHECK_FALSE(r.host.deploy_lock_unprobeable);
    CHECK(r.host.disk_used_percent > 0.0);
    CHECK(r.host.disk_used_percent <= 100.0);

    write(d / "enabled", "");
    write(d / "deploy.lock", "");
    {
        const helper deploy = hold_lock(d / "deploy.lock");
        r = warden::host::probe(c, jobs, now);
        CHECK(r.host.sentinel_present);
        CHECK(r.host.deploy_lock_present);
    }
    r = warden::host::probe(c, jobs, now); // the deploy ended; its file stays
    CHECK_FALSE(r.host.deploy_lock_present);

    // The lock dir cut over to a path under a regular file: every job unprobeable, with ENOTDIR.
    c.job_lock_path = d / "not-a-dir/job-{id}.lock";
    c.deploy_lock_path = d / "not-a-dir/deploy.lock";
    c.disk_path = d / "missing/disk";
    r = warden::host::probe(c, jobs, now);
    CHECK(r.locks.empty());
    REQUIRE(r.unprobeable_locks.size() == 3);
    CHECK(r.unprobeable_locks[0] == warden::unprobeable_lock{warden::job_id{1}, ENOTDIR});
    CHECK(r.host.deploy_lock_unprobeable);
    CHECK_FALSE(r.host.deploy_lock_created_at); // unknown age: held at any age
    CHECK(r.host.disk_used_percent == 100.0);   // unknown disk: taken as full
    // No output_dir_patterns: no process can be attributed, so the list is not evidence.
    CHECK_FALSE(r.host.process_list_readable);
}

TEST_CASE("progress: the tracker's memory survives in the state file between runs",
          "[host][progress]") {
    temp_dir d;
    const std::string out = d / "jobs/hc";
    fs::create_directories(out);
    const std::string log = out + "/archive_1.combined.log";
    auto status = [](int crawled) {
        return R"({"context":"crawlStatus","message":"Crawl statistics","details":{"crawled":)" +
               std::to_string(crawled) + R"(,"total":900}})" + "\n";
    };
    write(log,
          "not json\n" + status(10) + R"({"context":"other","details":{"crawled":99}})" + "\n");
    warden::host::probe_config c;
    c.progress.state_file = d / "progress.json";
    c.progress.log_globs = {"archive_*.combined.log"};
    c.progress.json_match = {{"context", "crawlStatus"}, {"message", "Crawl statistics"}};
    const std::vector<warden::job> jobs = {job_row(1, "hc", out),
                                           job_row(2, "done", out, warden::job_status::completed)};
    const auto t0 = warden::from_epoch_seconds(1770000000);

    auto r = warden::host::probe(c, jobs, t0);
    REQUIRE(r.progress.size() == 1); // the completed job is not tracked
    CHECK(r.progress[0].observation.progress_known);
    CHECK(r.progress[0].observation.crawled_pages == 10);
    CHECK(r.progress[0].observation.last_progress_at == t0);
    CHECK(r.progress[0].observation.source == log);
    REQUIRE(fs::exists(c.progress.state_file));

    // A second run (a fresh process, as a timer runs it) with the same counter: the progress
    // is as old as the first observation, which only the state file remembers.
    r = warden::host::probe(c, jobs, t0 + std::chrono::minutes{10});
    CHECK(r.progress[0].observation.last_progress_at == t0);

    append(log, status(25));
    r = warden::host::probe(c, jobs, t0 + std::chrono::minutes{20});
    CHECK(r.progress[0].observation.crawled_pages == 25);
    CHECK(r.progress[0].observation.last_progress_at == t0 + std::chrono::minutes{20});

    // Written atomically: no temp file is left beside it, and it parses back.
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(d.path))
        if (e.is_regular_file()) ++files;
    CHECK(files == 1);
    warden::progress_tracker t;
    const auto text = warden::host::detail::read_file(c.progress.state_file, 1 << 20);
    CHECK_FALSE(warden::host::restore_progress_state(t, text.text));
    CHECK(t.size() == 1);

    SECTION("a corrupt state file: a warning, and the tracker starts afresh") {
        write(c.progress.state_file, "{\"version\": 1, \"jobs\": [{\"job_id\": \"x\"}]}");
        r = warden::host::probe(c, jobs, t0 + std::chrono::minutes{30});
        CHECK(r.progress[0].observation.last_progress_at == t0 + std::chrono::minutes{30});
        CHECK_FALSE(r.warnings.empty());
    }
    SECTION("no readable log: progress not known") {
        fs::remove(log);
        r = warden::host::probe(c, jobs, t0 + std::chrono::minutes{30});
        CHECK_FALSE(r.progress[0].observation.progress_known);
    }
}

TEST_CASE("host config: the probe section is read, other commands' sections skipped",
          "[host][config]") {
    const auto doc = warden::host::parse_host_config(R"({
      "probe": {
        "job_lock_path": "/tmp/locks/job-{id}.lock",
        "processes": {"output_dir_patterns": [["--output-dir", "{output_dir}"]],
                      "cmdline_contains": ["archive-tool"], "job_unit_globs": ["j*.service"]},
        "worker": {"main_pid_file": "/run/w.pid"},
        "disk_path": "/srv", "sentinel_path": "/etc/on", "deploy_lock_path": "/tmp/d.lock",
        "progress": {"state_file": "/var/lib/w/p.json", "log_globs": ["*.log"]},
        "future_key": 1
      },
      "actions": {"stop": ["kill", "{pid}"]},
      "tick": {}
    })");
    CHECK(doc.ok());
    CHECK(doc.config.probe.job_lock_path == "/tmp/locks/job-{id}.lock");
    CHECK(doc.config.probe.processes.output_dir_patterns.size() == 1);
    CHECK(doc.config.probe.worker.main_pid_file == "/run/w.pid");
    CHECK(doc.warnings == std::vector<std::string>{"probe.future_key: unknown key, ignored"});

    const auto bad = warden::host::parse_host_config(R"({"probe": {
        "job_lock_path": "locks/job.lock", "disk_path": 3,
        "processes": {"output_dir_patterns": [["--out"]]}}})");
    CHECK_FALSE(bad.ok());
    const std::vector<std::string> want = {
        "probe.job_lock_path: \"locks/job.lock\" is not an absolute path",
        "probe.disk_path: expected a string, got an integer",
        "probe.processes.output_dir_patterns[0]: needs exactly one element holding {output_dir}"};
    CHECK(bad.errors == want);
    CHECK(warden::host::parse_host_config("[").errors.size() == 1);
    CHECK(warden::host::parse_host_config(std::string(100000, '[')).errors.size() == 1);
    CHECK(warden::host::parse_host_config("{}").errors ==
          std::vector<std::string>{"probe: required"});
}

TEST_CASE("host config: the HealthArchive example in contrib/ is valid", "[host][config]") {
    const auto text = warden::host::detail::read_file(
        std::string{WARDEN_SOURCE_DIR} + "/contrib/healtharchive.host.json", 1 << 20);
    REQUIRE(text.error == 0);
    const auto doc = warden::host::parse_host_config(text.text);
    CHECK(doc.errors.empty());
    CHECK(doc.warnings.empty());
    CHECK(doc.config.probe.job_lock_path == "/tmp/healtharchive-job-locks/job-{id}.lock");
    CHECK(doc.config.probe.worker.unit == "healtharchive-worker.service");
    CHECK(doc.config.probe.progress.json_match.size() == 2);
}

TEST_CASE("processes: a procfs mounted with hidepid hides other users' processes", "[host][proc]") {
    using warden::host::detail::hides_processes;
    const std::string hidden = "22 1 0:21 / /proc rw,nosuid - proc proc rw,hidepid=invisible\n";
    const std::string open = "22 1 0:21 / /proc rw,nosuid - proc proc rw\n";
    CHECK(hides_processes(hidden, "/proc", false));
    CHECK_FALSE(hides_processes(hidden, "/proc", true)); // root sees them all
    CHECK_FALSE(hides_processes(open, "/proc", false));
    CHECK_FALSE(hides_processes(hidden, "/other", false));
}
