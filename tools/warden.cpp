// The `warden` CLI: the engine for watchdogs written in any language. A snapshot document (JSON)
// in, a plan (JSON or the operator's dry-run text) or a Prometheus textfile out. docs/formats.md
// describes the documents; exit codes: 0 plan produced, 1 input invalid, 2 usage error, 3 the
// database could not be opened, read or written (docs/sqlite.md).
#include <warden/adapters/sqlite.hpp>
#ifdef WARDEN_CLI_POSTGRES
#include <warden/adapters/mapping_json.hpp>
#include <warden/adapters/postgres.hpp>
#endif
#include <warden/engine.hpp>
#include <warden/host/probe.hpp>
#include <warden/host/run_lock.hpp>
#include <warden/io/json.hpp>
#include <warden/io/prometheus.hpp>
#include <warden/io/rfc3339.hpp>
#include <warden/io/text.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <sys/statvfs.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include "apply_report.hpp"
#include "cli_output.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_invalid = 1;
constexpr int exit_usage = 2;

// Enough to show what is wrong without flooding a journal with a 100k-row mistake.
constexpr std::size_t max_errors_shown = 100;

struct options {
    std::string input = "-";
    std::string format; // empty: json, or text when stdout is a terminal
    std::string now;    // empty: the document's "now"
    // The database commands (schema, decide --db, apply):
    std::string db;
    std::string runtime;     // a snapshot document without jobs: config, host, locks, processes...
    std::string sentinel;    // a path: the sentinel is present when it exists
    std::string deploy_lock; // a path: the deploy lock is present when it exists
    std::string disk;        // a path on the crawl disk: its used percent is measured
    std::string on_conflict = "skip";
    int busy_timeout_ms = 5000; // how long to wait for another writer's lock
    std::string metrics_out;    // decide, apply: also write the textfile here, atomically
    std::string host_config;    // apply: carry out the runtime actions with its "actions"
    std::string scope_lock;     // apply on PostgreSQL: the per-scope advisory lock's key
    std::string mapping;        // PostgreSQL: the host's own jobs table (docs/postgres.md)
};

struct usage_error {
    std::string message;
};

// Reads at most limit + 1 bytes so an oversized input is refused without being held whole.
std::string read_input(const std::string& path, std::size_t limit) {
    FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
    if (!f) throw usage_error{fmt::format("cannot open {}: {}", path, std::strerror(errno))};
    std::string out;
    char buffer[1 << 16];
    while (out.size() <= limit) {
        const std::size_t n = std::fread(buffer, 1, sizeof buffer, f);
        out.append(buffer, n);
        if (n < sizeof buffer) break;
    }
    const bool failed = std::ferror(f) != 0;
    if (f != stdin) std::fclose(f);
    if (failed) throw usage_error{fmt::format("cannot read {}", path)};
    return out;
}

// --now is checked here, before any arithmetic on it: the database path subtracts a day from it
// to select the history, which at INT64_MIN seconds would overflow before the validator ran.
std::optional<warden::timestamp> parse_now(const std::string& text) {
    if (text.empty()) return std::nullopt;
    std::optional<warden::timestamp> t = warden::parse_rfc3339(text);
    if (!t) {
        std::int64_t seconds = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
        if (ec == std::errc::result_out_of_range)
            throw usage_error{fmt::format("--now {}: outside the years 0001..9999", text)};
        if (ec != std::errc{} || end != text.data() + text.size())
            throw usage_error{
                fmt::format("--now {}: not an RFC 3339 time or integer epoch seconds", text)};
        if (seconds < warden::epoch_seconds(warden::earliest_time) ||
            seconds > warden::epoch_seconds(warden::latest_time))
            throw usage_error{fmt::format("--now {}: outside the years 0001..9999", text)};
        t = warden::from_epoch_seconds(seconds);
    }
    if (*t < warden::earliest_time || *t > warden::latest_time)
        throw usage_error{fmt::format("--now {}: outside the years 0001..9999", text)};
    return t;
}

// Where an error is: a path into the document, or for a snapshot loaded from a database the
// table, row and column (sqlite::database_field).
using error_locator = std::string (*)(const warden::validation_error&);

std::string document_field(const warden::validation_error& e) {
    return warden::document_path(e.field);
}

void print_diagnostics(const warden::snapshot_document& doc,
                       const std::vector<warden::validation_error>& errors,
                       error_locator where = document_field) {
    for (const auto& w : doc.warnings)
        warden_cli::log_line("warning", w);
    if (doc.warnings_dropped > 0)
        warden_cli::log_line("warning",
                             fmt::format("{} more warnings not shown", doc.warnings_dropped));
    for (std::size_t i = 0; i < errors.size() && i < max_errors_shown; ++i)
        warden_cli::log_line("error", errors[i].message, where(errors[i]), errors[i].job);
    if (errors.size() > max_errors_shown)
        warden_cli::log_line(
            "error", fmt::format("{} more errors not shown", errors.size() - max_errors_shown));
}

void print_json(const nlohmann::ordered_json& j) {
    const std::string text =
        j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
}

bool text_format(const options& o) {
    if (o.format.empty()) return isatty(STDOUT_FILENO) != 0;
    return o.format == "text";
}

// What every command shares: read, parse, decide. `decided` is false when the input was refused.
struct outcome {
    warden::snapshot_document doc;
    warden::plan plan;
    bool decided = false;
};

outcome run(const options& o) {
    warden::json_read_options read;
    read.now = parse_now(o.now);
    outcome out;
    const std::string text = read_input(o.input, read.limits.max_bytes);
    out.doc = warden::read_snapshot_document(text, read);
    if (!out.doc.ok()) {
        out.plan.errors = out.doc.errors;
        print_diagnostics(out.doc, out.plan.errors);
        return out;
    }
    out.plan = warden::decide(out.doc.snapshot, out.doc.config);
    print_diagnostics(out.doc, out.plan.errors);
    out.decided = out.plan.errors.empty();
    return out;
}

// The plan of a decided outcome, as the dry-run text or the JSON document; exit 1 if refused.
int print_plan(const outcome& r, const options& o) {
    if (!r.decided) return exit_invalid;
    if (text_format(o)) {
        const std::string text = warden::render_text(r.plan, r.doc.snapshot);
        std::fwrite(text.data(), 1, text.size(), stdout);
    } else {
        print_json(warden::to_json(r.plan, r.doc.snapshot));
    }
    return exit_ok;
}

// --metrics-out: the textfile `warden metrics` would print (warden_input_valid 0 for a refused
// input, so alerting sees it), plus `extra` series, written atomically. A file that cannot be
// written is reported and makes a command that otherwise succeeded exit 2.
int write_metrics(const options& o, const outcome& r, int status, const std::string& extra = {}) {
    if (o.metrics_out.empty()) return status;
    const std::string text =
        warden::render_prometheus(r.plan, r.doc.snapshot, warden::default_rails()) + extra;
    if (const auto failed = warden_cli::write_file_atomically(o.metrics_out, text)) {
        warden_cli::log_line("error", *failed, "--metrics-out");
        return status == exit_ok ? exit_usage : status;
    }
    return status;
}

int cmd_decide(const options& o) {
    const outcome r = run(o);
    return write_metrics(o, r, print_plan(r, o));
}

int cmd_metrics(const options& o) {
    // A refused input still gets a textfile (warden_input_valid 0) so that alerting sees it.
    const outcome r = run(o);
    const std::string text =
        warden::render_prometheus(r.plan, r.doc.snapshot, warden::default_rails());
    std::fwrite(text.data(), 1, text.size(), stdout);
    return r.decided ? exit_ok : exit_invalid;
}

int cmd_validate(const options& o) {
    const outcome r = run(o);
    if (text_format(o)) {
        if (r.decided) fmt::print("valid: {} jobs\n", r.doc.snapshot.jobs.size());
        for (const auto& e : r.plan.errors)
            fmt::print("{}: {}\n", warden::escape_text(warden::document_path(e.field)),
                       warden::escape_text(e.message));
    } else {
        nlohmann::ordered_json report = nlohmann::ordered_json::object();
        report["valid"] = r.decided;
        auto& errors = report["errors"] = nlohmann::ordered_json::array();
        for (const auto& e : r.plan.errors)
            errors.push_back(warden::to_json(e));
        report["warnings"] = r.doc.warnings;
        print_json(report);
    }
    return r.decided ? exit_ok : exit_invalid;
}

// --- The database commands (docs/sqlite.md) ------------------------------------------------------

constexpr int exit_db = 3; // the database could not be opened, read or written

struct db_error {
    warden::sqlite::error error;
};

double disk_used_percent(const std::string& path) {
    struct statvfs st {};
    if (::statvfs(path.c_str(), &st) != 0)
        throw usage_error{fmt::format("--disk {}: {}", path, std::strerror(errno))};
    const double total = static_cast<double>(st.f_blocks);
    if (total <= 0) return 0.0;
    return 100.0 * (total - static_cast<double>(st.f_bavail)) / total;
}

// What a database command decides with besides the rows: `now`, the config and the runtime
// facts from the side file, and the host facts from the flags. `ok` is false when the side file
// was refused (its errors already printed).
struct db_inputs {
    warden::timestamp now{};
    warden::snapshot_document doc; // config, and the side file's warnings
    warden::sqlite::runtime_facts runtime;
    bool ok = true;
};

// Reads a runtime document (a snapshot document without jobs: `--runtime`, or what `warden tick`
// builds from its probe and engine config) into `in`; `in.ok` false when it was refused.
void read_runtime_document(const std::string& text, db_inputs& in) {
    warden::json_read_options read;
    read.now = in.now;
    in.doc = warden::read_snapshot_document(text, read);
    if (!in.doc.ok()) {
        print_diagnostics(in.doc, in.doc.errors);
        in.ok = false;
        return;
    }
    if (!in.doc.snapshot.jobs.empty() || !in.doc.snapshot.starts.empty())
        throw usage_error{"--runtime: jobs and starts come from the database; the side file "
                          "holds config, host, locks, unprobeable_locks, processes, "
                          "running_set and progress only"};
    in.runtime.locks = in.doc.snapshot.locks;
    in.runtime.unprobeable_locks = in.doc.snapshot.unprobeable_locks;
    in.runtime.progress = in.doc.progress;
    in.runtime.processes = in.doc.snapshot.processes;
    in.runtime.running_set = in.doc.snapshot.running_set;
    in.runtime.host = in.doc.snapshot.host;
}

warden::timestamp now_or_clock(const options& o) {
    return parse_now(o.now).value_or(
        std::chrono::time_point_cast<warden::duration>(std::chrono::system_clock::now()));
}

db_inputs read_db_inputs(const options& o) {
    db_inputs in;
    in.now = now_or_clock(o);
    if (!o.runtime.empty()) {
        read_runtime_document(read_input(o.runtime, warden::json_read_options{}.limits.max_bytes),
                              in);
        if (!in.ok) return in;
    }
    if (!o.sentinel.empty()) in.runtime.host.sentinel_present = std::filesystem::exists(o.sentinel);
    if (!o.deploy_lock.empty())
        in.runtime.host.deploy_lock_present = std::filesystem::exists(o.deploy_lock);
    if (!o.disk.empty()) in.runtime.host.disk_used_percent = disk_used_percent(o.disk);
    return in;
}

// Errors of a snapshot read from the database name the table, column and job id.
std::string database_field(const warden::validation_error& e) {
    return warden::sqlite::database_field(e);
}

void print_load_warnings(const std::vector<warden::sqlite::load_warning>& warnings) {
    for (const auto& w : warnings)
        warden_cli::log_line("warning", w.message, {}, w.job);
}

// The plan's outcome once decided on rows read from the database.
outcome decided_from_db(db_inputs in, warden::snapshot read, warden::plan p,
                        const std::vector<warden::sqlite::load_warning>& warnings) {
    outcome out;
    out.doc = std::move(in.doc);
    out.doc.snapshot = std::move(read);
    out.plan = std::move(p);
    print_load_warnings(warnings);
    print_diagnostics(out.doc, out.plan.errors, database_field);
    out.decided = out.plan.errors.empty();
    return out;
}

// The snapshot a database command decides on: jobs and start history from the database, the
// runtime and host facts from the side file and the flags, `now` from --now or the clock.
// Decides once on the rows read now (outside a write transaction: decide --db, and apply's dry
// run, which writes nothing).
outcome decide_from_db(warden::sqlite::database& db, db_inputs in) {
    std::vector<warden::sqlite::load_warning> warnings;
    warden::snapshot read =
        warden::sqlite::load_snapshot(db, in.now, std::move(in.runtime), &warnings);
    warden::plan p = warden::decide(read, in.doc.config);
    return decided_from_db(std::move(in), std::move(read), std::move(p), warnings);
}

outcome load_from_db(const options& o, warden::sqlite::database& db) {
    db_inputs in = read_db_inputs(o);
    if (!in.ok) {
        outcome out;
        out.plan.errors = in.doc.errors;
        return out;
    }
    return decide_from_db(db, std::move(in));
}

// --mapping FILE: the host's own jobs table (docs/mapping.md), for either adapter; a file with
// errors is a usage error, each error logged naming its key.
warden::adapters::table_mapping mapping_option(const options& o) {
    warden::adapters::table_mapping mapping;
    if (o.mapping.empty()) return mapping;
    const auto errors =
        warden::adapters::read_mapping(read_input(o.mapping, std::size_t{1} << 20), mapping);
    for (const auto& e : errors)
        warden_cli::log_line("error", e, "--mapping");
    if (!errors.empty())
        throw usage_error{fmt::format("--mapping {}: {} errors", o.mapping, errors.size())};
    return mapping;
}

warden::sqlite::database open_db(const options& o, warden::sqlite::database::mode m) {
    auto mapping = mapping_option(o);
    try {
        auto db =
            warden::sqlite::database::open(o.db, m, std::chrono::milliseconds{o.busy_timeout_ms});
        db.use_mapping(std::move(mapping));
        return db;
    } catch (const warden::sqlite::error& e) {
        throw db_error{e};
    }
}

int cmd_schema(const options& o) {
    auto db = open_db(o, warden::sqlite::database::mode::create);
    try {
        const int before = warden::sqlite::read_schema_version(db);
        warden::sqlite::create_schema(db);
        const std::string how = before == warden::sqlite::schema_version ? " (already there)"
                                : before == 0                            ? " (created)"
                                              : fmt::format(" (upgraded from version {})", before);
        fmt::print("{}: schema version {}{}\n", o.db, warden::sqlite::schema_version, how);
    } catch (const warden::sqlite::error& e) {
        throw db_error{e};
    }
    return exit_ok;
}

int cmd_decide_db(const options& o) {
    auto db = open_db(o, warden::sqlite::database::mode::read_only);
    try {
        const outcome r = load_from_db(o, db);
        return write_metrics(o, r, print_plan(r, o));
    } catch (const warden::sqlite::error& e) {
        throw db_error{e};
    }
}

// Why nothing was written, for the text output.
enum class apply_mode {
    apply,   // write while the sentinel file exists
    dry_run, // tick --dry-run: plan and print only
};

// The dry run and the per-action lines of `apply --format text`. `plan_printed`: the plan's
// dry-run text is already on stdout (tick prints it first, for the journal).
void print_apply_text(const outcome& r, const warden_cli::apply_report& report, apply_mode mode,
                      bool plan_printed) {
    if (report.dry_run) {
        fmt::print("dry run: {}, nothing applied\n{}",
                   mode == apply_mode::dry_run ? "--dry-run" : "the sentinel is absent",
                   plan_printed ? std::string{} : warden::render_text(r.plan, r.doc.snapshot));
        return;
    }
    const auto& result = report.result;
    warden::plan one;
    for (std::size_t i = 0; i < r.plan.actions.size(); ++i) {
        one.actions.assign(1, r.plan.actions[i]);
        std::string line = warden::render_text(one, r.doc.snapshot);
        line = line.substr(0, line.find('\n'));
        if (line.rfind("would ", 0) == 0) line = line.substr(6);
        std::string missing; // unsupported: the column the host's table lacks
        for (const auto& u : result.unsupported)
            if (u.action == i) missing = fmt::format(" (no column {})", u.column);
        fmt::print("{}{}: {}\n", warden::sqlite::to_string(result.actions[i]), missing, line);
    }
    for (const auto& b : r.plan.blocked)
        fmt::print("blocked by {}: {}\n", warden::escape_text(b.rail),
                   warden::escape_text(b.reason));
    fmt::print("{}: {} applied, {} conflicts, {} not reached, {} unsupported, {} blocked{}\n",
               result.committed ? "committed" : "rolled back", result.applied, result.conflicts,
               result.not_reached, result.unsupported.size(), r.plan.blocked.size(),
               result.committed ? "" : " (nothing written)");
}

// --host-config: the command templates of its "actions" section (docs/host-actions.md), read
// before anything is applied so that a typo cannot leave committed starts with no launch.
std::optional<warden::host::action_templates> read_action_templates(const options& o) {
    if (o.host_config.empty()) return std::nullopt;
    const std::string text = read_input(o.host_config, std::size_t{1} << 20);
    const auto parsed = nlohmann::json::parse(text, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object())
        throw usage_error{fmt::format("--host-config {}: not a JSON object", o.host_config)};
    if (!parsed.contains("actions"))
        throw usage_error{fmt::format("--host-config {}: no \"actions\" section", o.host_config)};
    warden::host::action_templates t;
    const auto errors = warden::host::parse_action_templates(parsed["actions"], t);
    if (!errors.empty()) {
        for (const auto& e : errors)
            warden_cli::log_line("error", e, "--host-config");
        throw usage_error{fmt::format("--host-config {}: {} errors in \"actions\"", o.host_config,
                                      errors.size())};
    }
    return t;
}

// The text lines of what carrying out did, and an error log line per failed action.
void print_carried_out(const std::vector<warden::host::runtime_result>& results, bool text_output) {
    for (const auto& r : results) {
        const std::string what =
            fmt::format("{} job {}", r.record.kind, warden::to_int(r.record.job));
        std::string undo;
        if (r.undo)
            undo = *r.undo == warden::sqlite::action_status::applied
                       ? " (start undone: the row is as before, no start counted)"
                       : " (not undone: the row moved since the start)";
        if (text_output)
            fmt::print("{}: {}{}{}\n", r.record.ok ? "carried out" : "failed", what,
                       r.record.ok ? "" : ": " + warden::escape_text(r.record.detail), undo);
        if (!r.record.ok)
            warden_cli::log_line("error", fmt::format("{}: {}{}", what, r.record.detail, undo), {},
                                 r.record.job);
    }
}

// What apply did, on standard output (the apply result document with --format json) and in the
// --metrics-out textfile; returns the exit status. The text lines of the apply itself were
// printed before the runtime actions were carried out (apply_decided).
int report_apply(const options& o, const outcome& r, const warden_cli::apply_report& report,
                 int status) {
    if (o.format == "json") print_json(warden_cli::to_json(report));
    if (report.carried_out) print_carried_out(*report.carried_out, o.format != "json");
    return write_metrics(o, r, status, warden_cli::apply_prometheus(report));
}

// The shared half of `apply` and `tick`, once the runtime facts are read (`in`, whose
// host.sentinel_present is the sentinel FILE's): decide once and, when the file exists and this
// is no dry run, apply in one write transaction with compare-and-set (decide_and_apply), print
// what was decided and applied, carry out the runtime actions with `templates` (a failed start
// undone), and report. Without the file, or with `--dry-run`, a plan that writes nothing.
// apply_decided on SQLite.
struct sqlite_cli {
    static outcome decide_from(warden::sqlite::database& db, db_inputs in) {
        return decide_from_db(db, std::move(in));
    }
    template <class Decide>
    static auto decide_and_apply(warden::sqlite::database& db, warden::timestamp now,
                                 warden::adapters::runtime_facts runtime, Decide&& decide,
                                 const warden::adapters::apply_options& how) {
        return warden::sqlite::decide_and_apply(db, now, std::move(runtime),
                                                std::forward<Decide>(decide), how);
    }
    static std::vector<warden::host::runtime_result>
    carry_out(warden::sqlite::database& db, const warden::plan& p, const warden::snapshot& read,
              const warden::adapters::apply_result& result,
              const warden::host::action_templates& templates, warden::timestamp now) {
        return warden::host::carry_out(db, p, read, result, templates, now);
    }
    static std::vector<warden::job> load_jobs(warden::sqlite::database& db, warden::timestamp now) {
        return warden::sqlite::load_snapshot(db, now, {}).jobs;
    }
};

// `plan_first`: print the plan's dry-run text before the apply lines (tick: the journal).
// `Adapter` says how on the database (sqlite_cli here, pg_cli below): decide_from(db, in),
// decide_and_apply(db, now, runtime, decide, how) and carry_out(db, plan, read, result,
// templates, now).
template <class Adapter, class Db>
int apply_decided(const options& o, Db& db, db_inputs in,
                  const std::optional<warden::host::action_templates>& templates, apply_mode mode,
                  bool plan_first) {
    const bool text = o.format != "json";
    auto print_plan_text = [&](const outcome& r) {
        if (text && plan_first) {
            const std::string plan_text = warden::render_text(r.plan, r.doc.snapshot);
            std::fwrite(plan_text.data(), 1, plan_text.size(), stdout);
        }
    };
    const warden::timestamp now = in.now;
    if (!in.runtime.host.sentinel_present || mode == apply_mode::dry_run) {
        const outcome r = Adapter::decide_from(db, std::move(in));
        if (!r.decided) return write_metrics(o, r, exit_invalid);
        print_plan_text(r);
        const warden::adapters::apply_result nothing;
        warden_cli::apply_report report{r.plan, r.doc.snapshot, nothing, true};
        // With templates the document always has runtime_results: here none were carried out.
        const std::vector<warden::host::runtime_result> none;
        if (templates) report.carried_out = &none;
        if (text) print_apply_text(r, report, mode, plan_first);
        return report_apply(o, r, report, exit_ok);
    }
    warden::adapters::apply_options how;
    how.conflicts = o.on_conflict == "abort" ? warden::adapters::on_conflict::abort
                                             : warden::adapters::on_conflict::skip;
    const warden::config config = in.doc.config;
    auto done = Adapter::decide_and_apply(
        db, in.now, std::move(in.runtime),
        [&](const warden::snapshot& s) { return warden::decide(s, config); }, how);
    const auto result = std::move(done.result);
    const outcome r =
        decided_from_db(std::move(in), std::move(done.read), std::move(done.plan), done.warnings);
    // A host-wide error rolled everything back; errors that each name a job did not stop
    // the other jobs' writes, which are printed, and the exit status still says invalid.
    if (!r.decided && !result.committed) return write_metrics(o, r, exit_invalid);
    print_plan_text(r);
    warden_cli::apply_report report{r.plan, r.doc.snapshot, result, false};
    if (text) print_apply_text(r, report, mode, plan_first);
    std::fflush(stdout); // the journal has the plan before the commands run, which can take long
    // The runtime actions carried out after the commit; a failed start is undone
    // (docs/host-actions.md). A failed action is reported, the exit status kept.
    std::vector<warden::host::runtime_result> carried;
    if (templates) {
        carried = Adapter::carry_out(db, r.plan, r.doc.snapshot, result, *templates, now);
        report.carried_out = &carried;
    }
    return report_apply(o, r, report, r.decided ? exit_ok : exit_invalid);
}

// Decides from the database and applies the plan, reading, deciding and writing in one write
// transaction (decide_and_apply), but only while the sentinel FILE exists: the file is the only
// authority (issue 19), a runtime document's "host.sentinel" is overridden by it, and apply
// without --sentinel is a usage error. Without the file, a dry run that writes nothing. One line
// (or JSON item) per action: a stop is `runtime_only` (for the host to carry out) only when no
// write to its job failed before it; after a rollback nothing is `applied`.
int cmd_apply(const options& o) {
    if (o.sentinel.empty())
        throw usage_error{"apply needs --sentinel PATH: the sentinel file is the only authority "
                          "to write (a runtime document's \"sentinel\" is not)"};
    const auto templates = read_action_templates(o);
    auto db = open_db(o, warden::sqlite::database::mode::read_write);
    try {
        db_inputs in = read_db_inputs(o);
        if (!in.ok) {
            outcome refused;
            refused.plan.errors = in.doc.errors;
            return write_metrics(o, refused, exit_invalid);
        }
        in.runtime.host.sentinel_present = std::filesystem::exists(o.sentinel);
        return apply_decided<sqlite_cli>(o, db, std::move(in), templates, apply_mode::apply, false);
    } catch (const warden::sqlite::error& e) {
        throw db_error{e};
    }
}

// --- PostgreSQL: --db postgresql://... (docs/postgres.md, issue 20) ----------------------------
// The same commands on the PostgreSQL adapter, which shares the SQLite adapter's result and
// runtime types, so everything above that prints, reports and writes metrics is reused.

bool is_postgres(const std::string& db) {
    return db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0;
}

#ifdef WARDEN_CLI_POSTGRES
namespace pg = warden::postgres;

struct pg_db_error {
    pg::error error;
};

pg::connection open_pg(const options& o) {
    auto mapping = mapping_option(o);
    try {
        auto db = pg::connection::open(o.db, std::chrono::milliseconds{o.busy_timeout_ms});
        db.use_mapping(std::move(mapping));
        return db;
    } catch (const pg::error& e) {
        throw pg_db_error{e};
    }
}

// The connection string may carry a password: the database is named by its name only.
std::string pg_name(pg::connection& db) {
    const char* name = PQdb(db.handle());
    return fmt::format("PostgreSQL database {}", name && *name ? name : "(default)");
}

int cmd_schema_pg(const options& o) {
    auto db = open_pg(o);
    try {
        const int before = pg::read_schema_version(db);
        pg::create_schema(db);
        const std::string how = before == pg::schema_version ? " (already there)"
                                : before == 0                ? " (created)"
                                              : fmt::format(" (upgraded from version {})", before);
        fmt::print("{}: schema version {}{}\n", pg_name(db), pg::schema_version, how);
    } catch (const pg::error& e) {
        throw pg_db_error{e};
    }
    return exit_ok;
}

outcome decide_from_pg(pg::connection& db, db_inputs in) {
    std::vector<warden::adapters::load_warning> warnings;
    warden::snapshot read = pg::load_snapshot(db, in.now, std::move(in.runtime), &warnings);
    warden::plan p = warden::decide(read, in.doc.config);
    return decided_from_db(std::move(in), std::move(read), std::move(p), warnings);
}

int cmd_decide_pg(const options& o) {
    auto db = open_pg(o);
    try {
        db_inputs in = read_db_inputs(o);
        if (!in.ok) {
            outcome refused;
            refused.plan.errors = in.doc.errors;
            return write_metrics(o, refused, print_plan(refused, o));
        }
        const outcome r = decide_from_pg(db, std::move(in));
        return write_metrics(o, r, print_plan(r, o));
    } catch (const pg::error& e) {
        throw pg_db_error{e};
    }
}

// `probe --db postgresql://...`: the jobs whose locks and progress are probed.
std::vector<warden::job> load_pg_jobs(const options& o, warden::timestamp now) {
    auto db = open_pg(o);
    try {
        std::vector<warden::adapters::load_warning> warnings;
        auto jobs = pg::load_snapshot(db, now, {}, &warnings).jobs;
        print_load_warnings(warnings);
        return jobs;
    } catch (const pg::error& e) {
        throw pg_db_error{e};
    }
}

// apply_decided on PostgreSQL: a failed start undone with postgres::undo_start.
struct pg_cli {
    static outcome decide_from(pg::connection& db, db_inputs in) {
        return decide_from_pg(db, std::move(in));
    }
    template <class Decide>
    static auto decide_and_apply(pg::connection& db, warden::timestamp now,
                                 warden::adapters::runtime_facts runtime, Decide&& decide,
                                 const warden::adapters::apply_options& how) {
        return pg::decide_and_apply(db, now, std::move(runtime), std::forward<Decide>(decide), how);
    }
    static std::vector<warden::host::runtime_result>
    carry_out(pg::connection& db, const warden::plan& p, const warden::snapshot& read,
              const warden::adapters::apply_result& result,
              const warden::host::action_templates& templates, warden::timestamp now) {
        return warden::host::carry_out_with(
            p, read, result, templates,
            [&](const warden::start_job& start, const warden::job& before,
                std::string_view reason) {
                return pg::undo_start(db, start, before, now, reason);
            });
    }
    static std::vector<warden::job> load_jobs(pg::connection& db, warden::timestamp now) {
        return pg::load_snapshot(db, now, {}).jobs;
    }
};

// `apply --db postgresql://...`: as cmd_apply, reading, deciding and writing in one transaction
// that locks the job tables against other writers (postgres::decide_and_apply). With
// --scope-lock KEY, the per-scope advisory lock is taken first: when another watchdog holds it,
// this one skips the tick (exit 0, nothing decided or written) rather than wait.
int cmd_apply_pg(const options& o) {
    if (o.sentinel.empty())
        throw usage_error{"apply needs --sentinel PATH: the sentinel file is the only authority "
                          "to write (a runtime document's \"sentinel\" is not)"};
    const auto templates = read_action_templates(o);
    auto db = open_pg(o);
    try {
        std::optional<pg::scope_lock> scope;
        if (!o.scope_lock.empty()) {
            scope.emplace(db, o.scope_lock);
            if (!scope->try_acquire()) {
                warden_cli::log_line("info", fmt::format("scope {} is held by another watchdog: "
                                                         "tick skipped, nothing decided or written",
                                                         o.scope_lock));
                if (o.format != "json") fmt::print("skipped: scope {} is held\n", o.scope_lock);
                return exit_ok;
            }
        }
        db_inputs in = read_db_inputs(o);
        if (!in.ok) {
            outcome refused;
            refused.plan.errors = in.doc.errors;
            return write_metrics(o, refused, exit_invalid);
        }
        in.runtime.host.sentinel_present = std::filesystem::exists(o.sentinel);
        // The runtime actions are carried out while the scope is still held (`scope` lives on).
        return apply_decided<pg_cli>(o, db, std::move(in), templates, apply_mode::apply, false);
    } catch (const pg::error& e) {
        throw pg_db_error{e};
    }
}
#else
[[noreturn]] void no_postgres();
std::vector<warden::job> load_pg_jobs(const options&, warden::timestamp) {
    no_postgres();
}
[[noreturn]] void no_postgres() {
    throw usage_error{"--db postgresql://...: this warden was built without PostgreSQL support "
                      "(install libpq-dev and rebuild)"};
}
int cmd_schema_pg(const options&) {
    no_postgres();
}
int cmd_decide_pg(const options&) {
    no_postgres();
}
int cmd_apply_pg(const options&) {
    no_postgres();
}
#endif

// `decide FILE` decides on the document alone: its `host` object already says whether the
// sentinel and the deploy lock are present and how full the disk is. The database flags are
// refused there rather than ignored (a start planned during a deploy because --deploy-lock was
// silently dropped) or merged (two sources for one fact, and a typo in a path would quietly
// pick the other one).
void refuse_database_flags(const options& o) {
    const std::pair<const char*, const std::string*> flags[] = {{"--runtime", &o.runtime},
                                                                {"--sentinel", &o.sentinel},
                                                                {"--deploy-lock", &o.deploy_lock},
                                                                {"--disk", &o.disk}};
    for (const auto& [flag, value] : flags)
        if (!value->empty())
            throw usage_error{fmt::format(
                "{} needs --db: without it, decide reads the host facts from the document's "
                "\"host\" object",
                flag)};
}

void add_db(CLI::App& cmd, options& o, bool needs_runtime) {
    cmd.add_option("--db", o.db,
                   "SQLite database (docs/sqlite.md), or a PostgreSQL connection URI "
                   "postgresql://... (docs/postgres.md)")
        ->required(!needs_runtime);
    cmd.add_option("--mapping", o.mapping,
                   "The host's own jobs table, names and statuses (a mapping file, "
                   "docs/mapping.md)");
    if (!needs_runtime) return;
    cmd.add_option("--runtime", o.runtime,
                   "Snapshot document with config, host, locks, processes, running_set (no jobs)");
    cmd.add_option("--sentinel", o.sentinel, "Automation sentinel: present when this path exists");
    cmd.add_option("--deploy-lock", o.deploy_lock, "Deploy lock: present when this path exists");
    cmd.add_option("--disk", o.disk, "Measure disk_used_percent on the filesystem of this path");
    cmd.add_option("--busy-timeout-ms", o.busy_timeout_ms,
                   "Wait this long for another writer's lock before failing (exit 3, busy)")
        ->capture_default_str()
        ->check(CLI::Range(0, 3600000));
}

void add_input(CLI::App& cmd, options& o) {
    cmd.add_option("input", o.input, "Snapshot document (JSON); - or nothing reads stdin")
        ->capture_default_str();
    cmd.add_option("--now", o.now,
                   "Decide at this time (RFC 3339 or epoch seconds) instead of the document's now");
}

void add_format(CLI::App& cmd, options& o) {
    cmd.add_option("--format", o.format, "json or text (default: text on a terminal, else json)")
        ->check(CLI::IsMember({"json", "text"}));
}

// --- warden probe (docs/host.md) -------------------------------------------------------------
// Self-contained: its options, its command and its registration, so that other commands merge
// around it.

struct probe_options {
    std::string host_config;
    std::string jobs; // a snapshot document whose jobs (and now) are used
};

// The runtime half of a snapshot, as `decide --db --runtime` and `apply --runtime` read it.
nlohmann::ordered_json probe_json(const warden::host::probe_result& r, warden::timestamp now) {
    using json = nlohmann::ordered_json;
    warden::snapshot s;
    s.now = now;
    s.host = r.host;
    s.locks = r.locks;
    s.unprobeable_locks = r.unprobeable_locks;
    s.processes = r.processes;
    const json whole = warden::to_json(s, warden::config{});
    json out = json::object();
    for (const char* key : {"now", "host", "locks", "unprobeable_locks", "processes"})
        out[key] = whole.at(key);
    json& progress = out["progress"] = json::array();
    for (const auto& p : r.progress) {
        warden::progress_fact f{p.job, p.observation.last_progress_at, p.observation.crawled_pages,
                                p.observation.progress_known, p.observation.source};
        progress.push_back(warden::detail::fields_json(f, false));
    }
    return out;
}

int cmd_probe(const probe_options& po, const options& o) {
    const std::string text = read_input(po.host_config, warden::host::max_host_config_bytes);
    const warden::host::host_config_document cfg = warden::host::parse_host_config(text);
    for (const auto& w : cfg.warnings)
        fmt::print(stderr, "warning: {}: {}\n", po.host_config, warden::escape_text(w));
    for (const auto& e : cfg.errors)
        fmt::print(stderr, "error: {}: {}\n", po.host_config, warden::escape_text(e));
    if (!cfg.ok()) return exit_invalid;

    warden::timestamp now = parse_now(o.now).value_or(
        std::chrono::time_point_cast<warden::duration>(std::chrono::system_clock::now()));
    std::vector<warden::job> jobs;
    if (!po.jobs.empty()) {
        warden::json_read_options read;
        read.now = parse_now(o.now);
        const std::string doc_text = read_input(po.jobs, read.limits.max_bytes);
        warden::snapshot_document doc = warden::read_snapshot_document(doc_text, read);
        print_diagnostics(doc, doc.errors);
        if (!doc.ok()) return exit_invalid;
        now = doc.snapshot.now;
        jobs = std::move(doc.snapshot.jobs);
    } else if (is_postgres(o.db)) {
        jobs = load_pg_jobs(o, now);
    } else if (!o.db.empty()) {
        auto db = open_db(o, warden::sqlite::database::mode::read_only);
        try {
            std::vector<warden::sqlite::load_warning> warnings;
            jobs = warden::sqlite::load_snapshot(db, now, {}, &warnings).jobs;
            print_load_warnings(warnings);
        } catch (const warden::sqlite::error& e) {
            throw db_error{e};
        }
    }
    const warden::host::probe_result r = warden::host::probe(cfg.config.probe, jobs, now);
    for (const auto& w : r.warnings)
        fmt::print(stderr, "warning: {}\n", warden::escape_text(w));
    print_json(probe_json(r, now));
    return exit_ok;
}

CLI::App* add_probe(CLI::App& app, probe_options& po, options& o) {
    CLI::App* probe = app.add_subcommand(
        "probe", "Print the runtime half of a snapshot read from this Linux host (docs/host.md)");
    probe->add_option("--host-config", po.host_config, "Host config file (JSON, docs/host.md)")
        ->required();
    auto* db = probe->add_option(
        "--db", o.db, "Read the jobs from this SQLite database or postgresql://... connection URI");
    probe->add_option("--mapping", o.mapping,
                      "With a PostgreSQL --db: the host's own jobs table (docs/postgres.md)");
    auto* jobs =
        probe->add_option("--jobs", po.jobs, "Read the jobs (and now) from a snapshot document");
    db->excludes(jobs);
    probe->add_option("--now", o.now, "Probe at this time instead of the clock");
    return probe;
}

// --- warden tick (docs/host.md, "tick") --------------------------------------------------------
// One run of the watchdog: run lock, probe, decide once, apply (apply_decided, as `apply`), carry
// out. Self-contained like probe.

struct tick_options {
    std::string host_config;
    bool dry_run = false;
};

// The engine config object of the "tick" section: inline, or read from its file.
nlohmann::ordered_json tick_engine_config(const warden::host::tick_config& t) {
    if (t.config_json.empty() && t.config_path.empty()) return nlohmann::ordered_json::object();
    const std::string text = t.config_path.empty()
                                 ? t.config_json
                                 : read_input(t.config_path, warden::host::max_host_config_bytes);
    auto parsed = nlohmann::ordered_json::parse(text, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object())
        throw usage_error{fmt::format("tick.config {}: not a JSON object", t.config_path)};
    return parsed;
}

// The database half of a tick, on either adapter (`Adapter`: sqlite_cli or pg_cli): read the
// jobs, probe them, read the runtime document the probe makes, and decide and apply.
template <class Adapter, class Db>
int tick_on(const tick_options& to, options& o, Db& db,
            const warden::host::host_config_document& cfg,
            const std::optional<warden::host::action_templates>& templates,
            nlohmann::ordered_json engine_config, const std::string& sentinel, db_inputs in) {
    // The jobs whose locks and progress are probed (warnings about them are printed once,
    // when the plan is decided on the rows read again).
    const std::vector<warden::job> jobs = Adapter::load_jobs(db, in.now);
    warden::host::probe_config pc = cfg.config.probe;
    pc.progress.save_state = !to.dry_run;
    const warden::host::probe_result probed = warden::host::probe(pc, jobs, in.now);
    for (const auto& w : probed.warnings)
        warden_cli::log_line("warning", w);
    // The probe's output with the engine config is exactly the runtime document that
    // `warden probe` prints and `apply --runtime` reads: one path, one reader.
    nlohmann::ordered_json runtime = probe_json(probed, in.now);
    runtime["config"] = std::move(engine_config);
    read_runtime_document(runtime.dump(), in);
    if (!in.ok) {
        outcome refused;
        refused.plan.errors = in.doc.errors;
        return write_metrics(o, refused, exit_invalid);
    }
    // The sentinel FILE is the only authority, read after the probe, just before applying.
    in.runtime.host.sentinel_present = std::filesystem::exists(sentinel);
    return apply_decided<Adapter>(o, db, std::move(in), templates,
                                  to.dry_run ? apply_mode::dry_run : apply_mode::apply, true);
}

int cmd_tick(const tick_options& to, options& o) {
    const std::string text = read_input(to.host_config, warden::host::max_host_config_bytes);
    const warden::host::host_config_document cfg = warden::host::parse_host_config(text);
    for (const auto& w : cfg.warnings)
        warden_cli::log_line("warning", w, to.host_config);
    std::vector<std::string> errors = cfg.errors;
    if (cfg.ok()) errors = warden::host::tick_config_errors(cfg.config);
    for (const auto& e : errors)
        warden_cli::log_line("error", e, to.host_config);
    if (!errors.empty()) return exit_invalid;
    const warden::host::tick_config& tc = cfg.config.tick;
    // Everything that can be refused is read before the run lock is taken and anything written:
    // the actions' templates (a typo must not leave committed starts with no launch) and the
    // engine config.
    o.host_config = to.host_config;
    const auto templates = read_action_templates(o);
    nlohmann::ordered_json engine_config = tick_engine_config(tc);

    // The run lock, before anything is probed or written: a second tick exits 0 at once. A dry
    // run writes nothing, so it neither takes nor waits for the lock.
    std::optional<warden::host::run_lock> lock;
    if (!to.dry_run) {
        lock.emplace(tc.run_lock_path);
        if (lock->status() == warden::host::run_lock::state::busy) {
            warden_cli::log_line(
                "info", fmt::format("another warden tick holds the run lock {}: nothing done",
                                    tc.run_lock_path));
            return exit_ok;
        }
        if (lock->status() == warden::host::run_lock::state::failed)
            throw usage_error{fmt::format("tick.run_lock_path {}: {}", tc.run_lock_path,
                                          std::strerror(lock->error_number()))};
    }
    o.db = tc.database;
    // The tick's own textfile is the timer's; a dry run writes one only when asked on the
    // command line, so an operator's dry run never replaces the timer's metrics.
    if (o.metrics_out.empty() && !to.dry_run) o.metrics_out = tc.metrics_path;
    const std::string& sentinel =
        tc.sentinel_path.empty() ? cfg.config.probe.sentinel_path : tc.sentinel_path;

    db_inputs in;
    in.now = now_or_clock(o);
    if (is_postgres(o.db)) {
#ifdef WARDEN_CLI_POSTGRES
        auto db = open_pg(o);
        try {
            // tick.scope_lock: one watchdog decides this scope per tick. Taken after the run lock
            // and before the jobs are read; held (`scope` lives on) until the runtime actions
            // are carried out. Held by another watchdog: skipped, exit 0, nothing probed or
            // written. A dry run writes nothing, so it neither takes nor waits for the scope.
            std::optional<pg::scope_lock> scope;
            if (!tc.scope_lock.empty() && !to.dry_run) {
                scope.emplace(db, tc.scope_lock);
                if (!scope->try_acquire()) {
                    warden_cli::log_line("info",
                                         fmt::format("scope {} is held by another watchdog: tick "
                                                     "skipped, nothing probed, decided or written",
                                                     tc.scope_lock));
                    if (o.format != "json")
                        fmt::print("skipped: scope {} is held\n", tc.scope_lock);
                    return exit_ok;
                }
            }
            return tick_on<pg_cli>(to, o, db, cfg, templates, std::move(engine_config), sentinel,
                                   std::move(in));
        } catch (const pg::error& e) {
            throw pg_db_error{e};
        }
#else
        no_postgres();
#endif
    }
    auto db = open_db(o, to.dry_run ? warden::sqlite::database::mode::read_only
                                    : warden::sqlite::database::mode::read_write);
    try {
        return tick_on<sqlite_cli>(to, o, db, cfg, templates, std::move(engine_config), sentinel,
                                   std::move(in));
    } catch (const warden::sqlite::error& e) {
        throw db_error{e};
    }
}

CLI::App* add_tick(CLI::App& app, tick_options& to, options& o) {
    CLI::App* tick = app.add_subcommand(
        "tick", "One run of the watchdog: run lock, probe, decide once, apply while the sentinel "
                "file exists, carry out the runtime actions (docs/host.md)");
    tick->add_option("--host-config", to.host_config,
                     "Host config file with \"probe\", \"actions\" and \"tick\" (docs/host.md)")
        ->required();
    tick->add_flag("--dry-run", to.dry_run, "Plan and print only: nothing is written");
    tick->add_option("--format", o.format,
                     "text (default: the plan, then what was applied and carried out) or json "
                     "(the apply result document)")
        ->check(CLI::IsMember({"json", "text"}));
    tick->add_option("--metrics-out", o.metrics_out,
                     "Write the textfile here (atomically) instead of tick.metrics_path");
    tick->add_option("--now", o.now, "Decide at this time instead of the clock");
    tick->add_option("--mapping", o.mapping,
                     "With a PostgreSQL tick.database: the host's own jobs table (JSON, "
                     "docs/postgres.md)");
    return tick;
}

int run_command(int argc, char** argv) {
    CLI::App app{"warden: what a job watchdog may safely do this tick.\n"
                 "Exit codes: 0 plan produced, 1 input invalid, 2 usage error, 3 database error.",
                 "warden"};
    app.require_subcommand(1);
    app.fallthrough(); // --log-format is the app's, and may follow the command's name
    app.set_version_flag("--version", fmt::format("warden {}.{}.{}", warden::version_major,
                                                  warden::version_minor, warden::version_patch));
    options o;
    CLI::App* decide = app.add_subcommand("decide", "Print the plan for one snapshot");
    add_input(*decide, o);
    add_format(*decide, o);
    CLI::App* metrics =
        app.add_subcommand("metrics", "Print the decision as a Prometheus textfile");
    add_input(*metrics, o);
    CLI::App* validate = app.add_subcommand("validate", "Print only the validation report");
    add_input(*validate, o);
    add_format(*validate, o);
    add_db(*decide, o, true);
    decide->get_option("--db")->description("Read jobs from this SQLite database, not a document");
    CLI::App* schema = app.add_subcommand("schema", "Create the SQLite tables (idempotent)");
    add_db(*schema, o, false);
    CLI::App* apply = app.add_subcommand(
        "apply", "Decide from a SQLite database and apply the plan in one transaction "
                 "(only while the sentinel is present)");
    add_db(*apply, o, true);
    apply->get_option("--db")->required();
    apply->add_option("--now", o.now, "Decide at this time instead of the clock");
    apply->add_option("--on-conflict", o.on_conflict, "skip (default) or abort")
        ->check(CLI::IsMember({"skip", "abort"}));
    apply
        ->add_option("--format", o.format,
                     "text (default) or json: the apply result document (docs/formats.md)")
        ->check(CLI::IsMember({"json", "text"}));
    apply->add_option("--scope-lock", o.scope_lock,
                      "PostgreSQL: hold this scope's advisory lock for the tick, or skip the tick "
                      "when another watchdog holds it (docs/postgres.md)");
    apply->add_option("--host-config", o.host_config,
                      "Carry out the runtime actions after the commit with the command templates "
                      "of this file's \"actions\" section (docs/host-actions.md)");
    for (CLI::App* cmd : {decide, apply})
        cmd->add_option("--metrics-out", o.metrics_out,
                        "Also write the Prometheus textfile to this path (atomically: a temporary "
                        "file in the same directory, fsync, rename)");
    std::string log_format = "text";
    app.add_option("--log-format", log_format,
                   "Diagnostics on standard error: text (default) or json (one object per line)")
        ->check(CLI::IsMember({"text", "json"}));

    probe_options probe_opts;
    CLI::App* probe = add_probe(app, probe_opts, o);
    tick_options tick_opts;
    CLI::App* tick = add_tick(app, tick_opts, o);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? exit_ok : exit_usage;
    }
    if (log_format == "json") warden_cli::current_log_format() = warden_cli::log_format::json;
    if (tick->parsed()) return cmd_tick(tick_opts, o); // its database is the host config's
    if (probe->parsed()) return cmd_probe(probe_opts, o);
    if (schema->parsed()) return is_postgres(o.db) ? cmd_schema_pg(o) : cmd_schema(o);
    if (apply->parsed()) {
        if (!o.scope_lock.empty() && !is_postgres(o.db))
            throw usage_error{"--scope-lock needs a PostgreSQL --db (SQLite's write lock already "
                              "serialises watchdogs on one file)"};
        return is_postgres(o.db) ? cmd_apply_pg(o) : cmd_apply(o);
    }
    if (decide->parsed()) {
        if (o.db.empty()) refuse_database_flags(o);
        if (o.db.empty() && decide->count("--busy-timeout-ms") > 0)
            throw usage_error{"--busy-timeout-ms needs --db"};
        if (is_postgres(o.db)) return cmd_decide_pg(o);
        return o.db.empty() ? cmd_decide(o) : cmd_decide_db(o);
    }
    if (metrics->parsed()) return cmd_metrics(o);
    return cmd_validate(o);
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run_command(argc, argv);
    } catch (const usage_error& e) {
        warden_cli::log_fatal(e.message, exit_usage);
        return exit_usage;
    } catch (const db_error& e) {
        warden_cli::log_fatal(fmt::format("database {}: {}",
                                          warden::sqlite::to_string(e.error.kind()),
                                          e.error.what()),
                              exit_db);
        return exit_db;
#ifdef WARDEN_CLI_POSTGRES
    } catch (const pg_db_error& e) {
        warden_cli::log_fatal(fmt::format("database {}: {}",
                                          warden::postgres::to_string(e.error.kind()),
                                          e.error.what()),
                              exit_db);
        return exit_db;
#endif
    } catch (const std::exception& e) {
        // Out of memory on a huge input, or a write to a closed pipe: no plan was produced.
        warden_cli::log_fatal(e.what(), exit_invalid);
        return exit_invalid;
    }
}
