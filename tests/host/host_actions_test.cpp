// The runtime actions (include/warden/host/actions.hpp, issue 19) on real processes: a stop that
// must escalate to SIGKILL, a start command that fails and is undone in a real SQLite file, a
// command that times out (its process group killed), template substitution with hostile job
// names. No mocks: every process here is forked and exec'd.
#include <warden/adapters/sqlite.hpp>
#include <warden/host/actions.hpp>
#include <warden/host/config.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fnmatch.h>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "../support/builders.hpp"
#include "../support/temp_dir.hpp"

using namespace wt;
namespace sq = warden::sqlite;
namespace host = warden::host;
using namespace std::chrono_literals;

namespace {

// A crawl stand-in: `sh -c SCRIPT` as our child. Returns its pid once the script has started
// (it writes `ready` to `ready_file` first, after setting its traps).
pid_t spawn(const std::string& script, const std::filesystem::path& ready_file) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    for (int i = 0; i < 500 && !std::filesystem::exists(ready_file); ++i)
        std::this_thread::sleep_for(10ms);
    REQUIRE(std::filesystem::exists(ready_file));
    return pid;
}

int reap(pid_t pid) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    return status;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

TEST_CASE("host actions: a stop escalates to SIGKILL when SIGTERM is trapped",
          "[host][actions][stop]") {
    temp_dir d;
    const auto ready = d.path / "ready";
    // The trap ignores SIGTERM; `exec sleep` inherits the ignored disposition.
    const pid_t pid = spawn("trap '' TERM; echo > '" + ready.string() + "'; exec sleep 60", ready);
    const auto started = std::chrono::steady_clock::now();
    const host::pid_stop r = host::stop_pid(pid, 300ms);
    CHECK(r.outcome == host::stop_outcome::killed);
    CHECK(std::chrono::steady_clock::now() - started >= 300ms); // it waited before escalating
    const int status = reap(pid);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
}

TEST_CASE("host actions: a stop that SIGTERM ends is not escalated", "[host][actions][stop]") {
    temp_dir d;
    const auto ready = d.path / "ready";
    const pid_t pid = spawn("echo > '" + ready.string() + "'; exec sleep 60", ready);
    const host::pid_stop r = host::stop_pid(pid, 5s);
    CHECK(r.outcome == host::stop_outcome::terminated);
    const int status = reap(pid);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGTERM);
    // Gone already, and pids that name groups or everyone: never signalled.
    CHECK(host::stop_pid(pid, 100ms).outcome == host::stop_outcome::already_gone);
    CHECK(host::stop_pid(0, 100ms).outcome == host::stop_outcome::not_permitted);
    CHECK(host::stop_pid(-1, 100ms).outcome == host::stop_outcome::not_permitted);
    CHECK(host::stop_pid(1, 100ms).outcome == host::stop_outcome::not_permitted);
}

TEST_CASE("host actions: a restart of a worker's crawl stops its pids and runs the template",
          "[host][actions][stop]") {
    temp_dir d;
    const auto ready = d.path / "ready";
    const pid_t pid = spawn("trap '' TERM; echo > '" + ready.string() + "'; exec sleep 60", ready);
    host::action_templates t;
    t.stop_timeout = 200ms;
    t.restart_worker = host::command_template{
        {"sh", "-c", "echo restarted > \"$0\"", (d.path / "restarted").string()}};
    const warden::stop_job stop{warden::job_id{5},
                                {pid},
                                warden::rule_id::stall_recovery,
                                "stalled",
                                warden::runner_class::worker,
                                {},
                                true};
    const host::action_record r = host::carry_out_stop(stop, {}, t);
    CHECK(r.kind == "restart");
    CHECK(r.ok);
    REQUIRE(r.pids.size() == 1);
    CHECK(r.pids[0].outcome == host::stop_outcome::killed);
    REQUIRE(r.command);
    CHECK(r.command->succeeded());
    CHECK(read_file(d.path / "restarted") == "restarted\n");
    reap(pid);
    // A unit's restart without a restart_unit template is reported, not silently skipped.
    const warden::stop_job unit_stop{warden::job_id{6},
                                     {},
                                     warden::rule_id::stall_recovery,
                                     "stalled",
                                     warden::runner_class::systemd_unit,
                                     "crawl-6.service",
                                     true};
    const host::action_record missing = host::carry_out_stop(unit_stop, {}, t);
    CHECK_FALSE(missing.ok);
    CHECK(missing.detail == "no actions.restart_unit template in the host config");
}

TEST_CASE("host actions: a command past its timeout is killed with its process group",
          "[host][actions][timeout]") {
    temp_dir d;
    const auto child_pid = d.path / "child.pid";
    // The command's own child, in the background, must die with it: its pid is written first.
    const auto started = std::chrono::steady_clock::now();
    const host::command_result r = host::detail::run_command(
        {"sh", "-c", "sleep 30 & echo $! > \"$0\"; wait", child_pid.string()}, 400ms);
    CHECK(r.outcome == host::command_outcome::timed_out);
    CHECK(r.signal == SIGKILL);
    CHECK(std::chrono::steady_clock::now() - started < 10s);
    CHECK(r.elapsed >= 400ms);
    const std::string text = read_file(child_pid);
    REQUIRE_FALSE(text.empty());
    const pid_t grandchild = std::stoi(text);
    bool gone = false;
    for (int i = 0; i < 200 && !gone; ++i) {
        gone = !host::detail::process_alive(grandchild);
        if (!gone) std::this_thread::sleep_for(10ms);
    }
    CHECK(gone);
}

TEST_CASE("host actions: exit status, signal and exec failure are recorded",
          "[host][actions][command]") {
    const auto ok = host::detail::run_command({"sh", "-c", "echo hello"}, 5s);
    CHECK(ok.succeeded());
    CHECK(ok.output == "hello\n");
    const auto failed = host::detail::run_command({"sh", "-c", "echo boom >&2; exit 3"}, 5s);
    CHECK(failed.outcome == host::command_outcome::exited);
    CHECK(failed.exit_status == 3);
    CHECK(failed.output == "boom\n");
    const auto killed = host::detail::run_command({"sh", "-c", "kill -USR1 $$"}, 5s);
    CHECK(killed.outcome == host::command_outcome::signaled);
    CHECK(killed.signal == SIGUSR1);
    const auto missing = host::detail::run_command({"/nonexistent/warden-test-binary"}, 5s);
    CHECK(missing.outcome == host::command_outcome::failed_to_start);
    CHECK(missing.error.find("No such file or directory") != std::string::npos);
}

TEST_CASE("host actions: hostile job names stay one argument, and quoted for a shell",
          "[host][actions][template]") {
    temp_dir d;
    const std::string pwned = (d.path / "PWNED").string();
    const std::string hostile_names[] = {
        "$(touch " + pwned + ")",
        "`touch " + pwned + "`",
        "x'; touch " + pwned + "; echo '",
        "x\"; touch " + pwned + "; echo \"",
        "a b\tc\nd; touch " + pwned,
        "-rf --help {id} {{}}",
        "",
    };
    for (const std::string& name : hostile_names) {
        INFO(name);
        warden::job j = job_builder{42, job_status::queued};
        j.name = name;
        j.output_dir = "/srv/crawls/" + name;
        host::action_templates t;
        // Raw: the name is one argv element of printf, whatever it holds.
        t.start_job =
            host::command_template{{"printf", "[%s]|[%s]|%s", "{name}", "{output_dir}", "{id}"}};
        const host::action_record raw = host::carry_out_start(j, t);
        REQUIRE(raw.command);
        CHECK(raw.ok);
        CHECK(raw.command->argv[2] == name);
        CHECK(raw.command->output == "[" + name + "]|[/srv/crawls/" + name + "]|42");
        // Through a shell, as `systemd-run --shell` or `sh -c` would take it: {name:sh}.
        t.start_job = host::command_template{{"sh", "-c", "printf '[%s]' {name:sh}"}};
        const host::action_record shell = host::carry_out_start(j, t);
        REQUIRE(shell.command);
        CHECK(shell.ok);
        CHECK(shell.command->output == "[" + name + "]");
    }
    CHECK_FALSE(std::filesystem::exists(pwned));
}

TEST_CASE("host actions: the actions section is read with errors naming the key",
          "[host][actions][config]") {
    host::action_templates t;
    const auto good = nlohmann::json::parse(R"({
        "start_job": ["systemd-run", "--unit=crawl-{id}", "--", "crawl", "--out", "{output_dir}"],
        "restart_unit": ["systemctl", "stop", "{unit}"],
        "stop_timeout_seconds": 20, "command_timeout_seconds": 90})");
    CHECK(host::parse_action_templates(good, t).empty());
    REQUIRE(t.start_job);
    CHECK(t.start_job->argv.size() == 6);
    CHECK(t.stop_timeout == 20s);
    CHECK(t.command_timeout == 90s);
    const auto bad = nlohmann::json::parse(R"({
        "start_job": "systemd-run --unit=crawl-{id} crawl",
        "restart_unit": ["systemctl", "restart", "{unti}"],
        "stop_unit": ["systemctl", "stop", "{unit"],
        "stop_timeout_seconds": 0,
        "restart_everything": []})");
    host::action_templates b;
    const auto errors = host::parse_action_templates(bad, b);
    REQUIRE(errors.size() == 5);
    const std::string all = [&] {
        std::string s;
        for (const auto& e : errors)
            s += e + "\n";
        return s;
    }();
    CHECK(all.find("actions.start_job: expected a non-empty array of strings") !=
          std::string::npos);
    CHECK(all.find("actions.restart_unit: \"{unti}\": unknown placeholder {unti}") !=
          std::string::npos);
    CHECK(all.find("actions.stop_unit: \"{unit\": unmatched {") != std::string::npos);
    CHECK(all.find("actions.stop_timeout_seconds: expected an integer from 1 to 3600") !=
          std::string::npos);
    CHECK(all.find("actions.restart_everything: unknown key") != std::string::npos);
}

TEST_CASE("host actions: a start whose command fails is undone in SQLite, cap and retry kept",
          "[host][actions][sqlite]") {
    temp_dir d;
    const auto path = d.path / "jobs.db";
    auto db = sq::database::open(path.string(), sq::database::mode::create, 5s);
    sq::create_schema(db);
    warden::job before = job_builder{9, job_status::retryable, "hc-20260101"}.annual();
    before.retry_count = 1;
    before.started_at = now - 3h;
    before.finished_at = now - 2h;
    sq::insert_job(db, before);
    warden::config c;
    c.ensure_min_running_jobs = 1;
    sq::runtime_facts rt;
    rt.host = {true, false, 40.0};
    const auto p = warden::decide(sq::load_snapshot(db, now, rt), c);
    REQUIRE(p.actions.size() == 1);
    const auto* start = std::get_if<warden::start_job>(&p.actions[0]);
    REQUIRE(start);
    const auto applied = sq::apply(db, p, now);
    REQUIRE(applied.actions[0] == sq::action_status::applied);
    auto count = [&](const char* sql) {
        sq::detail::statement st(db.handle(), sql);
        st.step();
        return st.integer(0);
    };
    REQUIRE(count("SELECT count(*) FROM job_starts") == 1);
    REQUIRE(count("SELECT retry_count FROM jobs WHERE id = 9") == 2);

    host::action_templates t;
    t.start_job = host::command_template{{"sh", "-c", "echo 'unit exists' >&2; exit 1"}};
    const host::action_record r = host::carry_out_start(before, t);
    REQUIRE_FALSE(r.ok);
    CHECK(r.detail == "start command exited 1");

    SECTION("undone: the row is as before the start, with the reason; no start record") {
        CHECK(sq::undo_start(db, *start, before, now, r.detail) == sq::action_status::applied);
        CHECK(count("SELECT count(*) FROM job_starts") == 0);
        CHECK(count("SELECT retry_count FROM jobs WHERE id = 9") == 1);
        CHECK(count("SELECT version FROM jobs WHERE id = 9") == before.version + 2);
        sq::detail::statement row(db.handle(),
                                  "SELECT status, started_at, finished_at, last_error FROM jobs");
        REQUIRE(row.step());
        CHECK(row.text(0) == "retryable");
        CHECK(row.integer(1) == warden::epoch_seconds(now - 3h));
        CHECK(row.integer(2) == warden::epoch_seconds(now - 2h));
        CHECK(row.text(3) == "start command exited 1");
        // Undone once: a second undo finds the row moved and writes nothing.
        CHECK(sq::undo_start(db, *start, before, now, r.detail) == sq::action_status::conflict);
    }
    SECTION("a row that moved since the start (the crawl did start) is not undone") {
        db.exec("UPDATE jobs SET last_stage = 'crawl', version = version + 1 WHERE id = 9");
        CHECK(sq::undo_start(db, *start, before, now, r.detail) == sq::action_status::conflict);
        CHECK(count("SELECT count(*) FROM job_starts") == 1);
        CHECK(count("SELECT status = 'running' FROM jobs WHERE id = 9") == 1);
    }
}

// Issue 19: the HealthArchive example's "actions" section, read as `warden tick` reads it (the
// whole file through the host config parser, then its "actions" through parse_action_templates).
// Its start is production's auto-start line (scripts/vps-crawl-auto-recover.py: systemd-run of
// `ha-backend run-db-job --id N` as haadmin with the backend env), under a unit name the probe's
// job_unit_globs attribute to the job; its worker restart is production's stop and start of
// healtharchive-worker.service.
TEST_CASE("host config: the HealthArchive example's actions parse and expand to production's "
          "commands",
          "[host][actions][config]") {
    const std::string file = std::string{WARDEN_SOURCE_DIR} + "/contrib/healtharchive.host.json";
    std::ifstream in(file);
    REQUIRE(in);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const auto doc = host::parse_host_config(text);
    REQUIRE(doc.errors.empty());
    CHECK(doc.warnings.empty());
    const auto root = nlohmann::json::parse(text);
    REQUIRE(root.contains("actions"));
    host::action_templates t;
    CHECK(host::parse_action_templates(root["actions"], t).empty());
    REQUIRE(t.start_job);
    REQUIRE(t.restart_unit);
    REQUIRE(t.stop_unit);
    REQUIRE(t.restart_worker);
    CHECK(t.stop_timeout == 60s);
    CHECK(t.command_timeout == 120s);

    const host::template_values v{warden::job_id{42}, "hc-20260101", "hc",
                                  "/srv/healtharchive/jobs/hc/20260101-hc-20260101", ""};
    const auto start = host::expand_template(*t.start_job, v);
    REQUIRE(start.error.empty());
    REQUIRE(start.argv.size() > 4);
    CHECK(start.argv.front() == "systemd-run");
    const std::vector<std::string> tail(start.argv.end() - 4, start.argv.end());
    CHECK(tail == std::vector<std::string>{"/opt/healtharchive-backend/.venv/bin/ha-backend",
                                           "run-db-job", "--id", "42"});
    const auto has = [&](const std::string& arg) {
        return std::find(start.argv.begin(), start.argv.end(), arg) != start.argv.end();
    };
    CHECK(has("--unit=healtharchive-job42-warden"));
    CHECK(has("--collect")); // a failed unit of this name would refuse the next start
    CHECK(has("--property=EnvironmentFile=/etc/healtharchive/backend.env"));
    CHECK(has("--property=User=haadmin"));
    // The unit it starts is one the probe attributes to its job (origin systemd_unit).
    REQUIRE(doc.config.probe.processes.job_unit_globs.size() == 1);
    CHECK(::fnmatch(doc.config.probe.processes.job_unit_globs[0].c_str(),
                    "healtharchive-job42-warden.service", 0) == 0);

    // A transient unit is stopped, never restarted (docs/host-actions.md).
    host::template_values unit = v;
    unit.unit = "healtharchive-job42-warden.service";
    CHECK(host::expand_template(*t.restart_unit, unit).argv ==
          std::vector<std::string>{"systemctl", "stop", "healtharchive-job42-warden.service"});
    CHECK(host::expand_template(*t.stop_unit, unit).argv ==
          std::vector<std::string>{"systemctl", "stop", "healtharchive-job42-warden.service"});
    CHECK(host::expand_template(*t.restart_worker, v).argv ==
          std::vector<std::string>{"systemctl", "restart", "healtharchive-worker.service"});
}
