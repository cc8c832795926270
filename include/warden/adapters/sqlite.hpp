#pragma once
// The SQLite applier: load a snapshot from a jobs database and apply a plan in one transaction,
// every row write a compare-and-set whose 0-row result is a conflict, never a success (B7).
// Header-only; the host links libsqlite3 (CMake: warden::sqlite).
#include <warden/core/actions.hpp>
#include <warden/core/job.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/core/time.hpp>
#include <warden/rules/completion.hpp>

#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden {
inline namespace v0 {
namespace sqlite {

// Bumped whenever the tables change; a database of a newer version is refused, never guessed at,
// and one of an older version is refused until create_schema upgrades it. Version 2 added
// recovery_history (the daily recovery cap's persisted history, issue #8); version 3 the jobs
// columns monitoring, adaptive_restart, stall_timeout_minutes (a stall recovery's tool options)
// and created_at (queue order), all nullable (issue #8).
inline constexpr int schema_version = 3;

enum class error_kind : std::uint8_t {
    cannot_open,    // missing file, no permission, not a directory
    not_a_database, // the file is not SQLite, or is corrupt
    no_schema,      // SQLite, but `warden schema` never ran on it
    newer_schema,   // written by a newer warden: refuse rather than misread
    older_schema,   // an older warden's tables: `warden schema` upgrades them
    busy,           // another writer held the lock past the busy timeout
    read_only,      // the file or its directory is not writable
    constraint,     // a row violates the schema
    other,
};

[[nodiscard]] constexpr std::string_view to_string(error_kind k) noexcept {
    switch (k) {
    case error_kind::cannot_open: return "cannot_open";
    case error_kind::not_a_database: return "not_a_database";
    case error_kind::no_schema: return "no_schema";
    case error_kind::newer_schema: return "newer_schema";
    case error_kind::older_schema: return "older_schema";
    case error_kind::busy: return "busy";
    case error_kind::read_only: return "read_only";
    case error_kind::constraint: return "constraint";
    case error_kind::other: return "other";
    }
    return "other";
}

// I/O fails for reasons no snapshot can show, so the adapter throws; decide() never does.
class error : public std::runtime_error {
  public:
    error(error_kind kind, const std::string& what)
        : std::runtime_error(what)
        , kind_(kind) {}
    [[nodiscard]] error_kind kind() const noexcept { return kind_; }

  private:
    error_kind kind_;
};

namespace detail {

[[nodiscard]] inline error_kind classify(int code) noexcept {
    switch (code & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT: return error_kind::not_a_database;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return error_kind::busy;
    case SQLITE_READONLY: return error_kind::read_only;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM: return error_kind::cannot_open;
    case SQLITE_CONSTRAINT: return error_kind::constraint;
    default: return error_kind::other;
    }
}

[[noreturn]] inline void fail(sqlite3* db, int code, std::string_view doing) {
    const char* message = db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
    throw error(classify(code), fmt::format("{}: {}", doing, message));
}

class statement {
  public:
    statement(sqlite3* db, std::string_view sql)
        : db_(db) {
        const int rc =
            sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
        if (rc != SQLITE_OK) fail(db, rc, "prepare");
    }
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;
    ~statement() { sqlite3_finalize(stmt_); }

    statement& bind(int at, std::int64_t v) {
        check(sqlite3_bind_int64(stmt_, at, v));
        return *this;
    }
    statement& bind(int at, std::string_view v) {
        check(sqlite3_bind_text(stmt_, at, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
        return *this;
    }
    statement& bind_null(int at) {
        check(sqlite3_bind_null(stmt_, at));
        return *this;
    }
    template <class T>
    statement& bind(int at, const std::optional<T>& v) {
        return v ? bind(at, *v) : bind_null(at);
    }
    statement& bind(int at, timestamp t) { return bind(at, epoch_seconds(t)); }

    // True while rows come; throws on error.
    bool step() {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        fail(db_, rc, "step");
    }
    // Runs a write and returns the rows it changed.
    int run() {
        while (step()) {
        }
        const int changed = sqlite3_changes(db_);
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
        return changed;
    }
    void reset() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }

    [[nodiscard]] bool is_null(int col) const {
        return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
    }
    [[nodiscard]] std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
    [[nodiscard]] std::string text(int col) const {
        const auto* p = sqlite3_column_text(stmt_, col);
        return p ? std::string(reinterpret_cast<const char*>(p),
                               static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
                 : std::string{};
    }
    [[nodiscard]] std::optional<std::int64_t> maybe_integer(int col) const {
        if (is_null(col)) return std::nullopt;
        return integer(col);
    }
    [[nodiscard]] std::optional<timestamp> maybe_time(int col) const {
        if (is_null(col)) return std::nullopt;
        return from_epoch_seconds(integer(col));
    }

  private:
    void check(int rc) {
        if (rc != SQLITE_OK) fail(db_, rc, "bind");
    }
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

} // namespace detail

// One connection. Move-only; closes on destruction.
class database {
  public:
    enum class mode : std::uint8_t { read_only, read_write, create };

    // Opens and proves the file is SQLite (SQLite opens lazily and would only fail later).
    [[nodiscard]] static database
    open(const std::string& path, mode m,
         std::chrono::milliseconds busy_timeout = std::chrono::seconds{5}) {
        int flags = SQLITE_OPEN_NOMUTEX;
        flags |= m == mode::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
        if (m == mode::create) flags |= SQLITE_OPEN_CREATE;
        sqlite3* raw = nullptr;
        const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
        database db{raw};
        if (rc != SQLITE_OK) detail::fail(raw, rc, fmt::format("open {}", path));
        sqlite3_extended_result_codes(raw, 1);
        sqlite3_busy_timeout(raw, static_cast<int>(busy_timeout.count()));
        db.exec("PRAGMA foreign_keys = ON");
        detail::statement probe(raw, "SELECT count(*) FROM sqlite_schema");
        probe.step();
        return db;
    }

    database(database&& other) noexcept
        : db_(std::exchange(other.db_, nullptr)) {}
    database& operator=(database&& other) noexcept {
        std::swap(db_, other.db_);
        return *this;
    }
    database(const database&) = delete;
    database& operator=(const database&) = delete;
    ~database() { sqlite3_close_v2(db_); }

    [[nodiscard]] sqlite3* handle() const noexcept { return db_; }

    void exec(const std::string& sql) {
        char* message = nullptr;
        const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
        if (rc != SQLITE_OK) {
            const std::string text = message ? message : sqlite3_errstr(rc);
            sqlite3_free(message);
            throw error(detail::classify(rc), text);
        }
    }

  private:
    explicit database(sqlite3* db)
        : db_(db) {}
    sqlite3* db_;
};

// The tables, documented in docs/sqlite.md. STRICT makes SQLite enforce the column types, and the
// CHECKs keep every row within what warden's types can hold: a bad row is refused at write time,
// not discovered by the watchdog at 3 a.m.
inline constexpr std::string_view schema_sql = R"sql(
CREATE TABLE IF NOT EXISTS warden_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS jobs (
    id                      INTEGER PRIMARY KEY,
    name                    TEXT NOT NULL,
    source                  TEXT NOT NULL DEFAULT '',
    output_dir              TEXT NOT NULL DEFAULT '',
    status                  TEXT NOT NULL CHECK (status IN
                                ('queued', 'pending', 'running', 'retryable', 'completed', 'failed')),
    campaign_kind           TEXT CHECK (campaign_kind IS NULL OR campaign_kind = 'annual'),
    campaign_year           INTEGER CHECK (campaign_year BETWEEN 0 AND 9999),
    queued_at               INTEGER NOT NULL,
    started_at              INTEGER,
    finished_at             INTEGER,
    last_progress_at        INTEGER,
    completed_at            INTEGER,
    retry_count             INTEGER NOT NULL DEFAULT 0 CHECK (retry_count BETWEEN 0 AND 2147483647),
    failure_class           TEXT CHECK (failure_class IS NULL OR failure_class IN
                                ('none', 'transient', 'infra_error', 'infra_error_config', 'orphaned')),
    last_error              TEXT NOT NULL DEFAULT '',
    max_container_restarts  INTEGER NOT NULL DEFAULT 0 CHECK (max_container_restarts BETWEEN 0 AND 2147483647),
    error_threshold_timeout INTEGER NOT NULL DEFAULT 0 CHECK (error_threshold_timeout BETWEEN 0 AND 2147483647),
    error_threshold_http    INTEGER NOT NULL DEFAULT 0 CHECK (error_threshold_http BETWEEN 0 AND 2147483647),
    backoff_delay_minutes   INTEGER NOT NULL DEFAULT 0 CHECK (backoff_delay_minutes BETWEEN 0 AND 2147483647),
    page_cap                INTEGER CHECK (page_cap IS NULL OR page_cap BETWEEN 0 AND 2147483647),
    last_stage              TEXT,
    has_outputs             INTEGER NOT NULL DEFAULT 0 CHECK (has_outputs IN (0, 1)),
    version                 INTEGER NOT NULL DEFAULT 0 CHECK (version >= 0)
    -- + version_3_job_columns, added by create_schema
) STRICT;
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status);
CREATE TABLE IF NOT EXISTS job_starts (
    job_id INTEGER NOT NULL REFERENCES jobs (id),
    at     INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS job_starts_by_time ON job_starts (at, job_id);
CREATE TABLE IF NOT EXISTS recovery_history (
    job_id INTEGER NOT NULL REFERENCES jobs (id),
    at     INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS recovery_history_by_time ON recovery_history (at, job_id);
CREATE TABLE IF NOT EXISTS job_stages (
    job_id INTEGER NOT NULL REFERENCES jobs (id),
    stage  TEXT NOT NULL,
    at     INTEGER NOT NULL,
    PRIMARY KEY (job_id, stage)
) STRICT;
)sql";

// The schema version a database carries: 0 when warden's tables were never created.
[[nodiscard]] inline int read_schema_version(database& db) {
    detail::statement has_meta(db.handle(),
                               "SELECT count(*) FROM sqlite_schema WHERE name = 'warden_meta'");
    has_meta.step();
    if (has_meta.integer(0) == 0) return 0;
    detail::statement version(db.handle(),
                              "SELECT value FROM warden_meta WHERE key = 'schema_version'");
    if (!version.step()) return 0;
    const std::string text = version.text(0);
    int v = 0;
    for (char c : text) {
        if (c < '0' || c > '9' || v > 100000)
            throw error(error_kind::other, "warden_meta.schema_version is not a number: " + text);
        v = v * 10 + (c - '0');
    }
    return v;
}

// Refuses a database warden cannot read correctly. An older schema is refused too: read as it
// is, a version 1 database has no recovery history, and the recovery cap would never deny; a
// version 2 one lacks the version 3 columns of jobs, which every read and write names.
inline void require_schema(database& db) {
    const int v = read_schema_version(db);
    if (v == 0)
        throw error(error_kind::no_schema, "no warden schema: run `warden schema --db FILE` first");
    if (v < schema_version)
        throw error(error_kind::older_schema,
                    fmt::format("database schema version {} is older than this warden's {}: run "
                                "`warden schema --db FILE` to upgrade it",
                                v, schema_version));
    if (v > schema_version)
        throw error(error_kind::newer_schema,
                    fmt::format("database schema version {} is newer than this warden's {}: "
                                "upgrade warden, do not downgrade the database",
                                v, schema_version));
}

// The columns version 3 added to jobs (issue #8), as ALTER TABLE ... ADD COLUMN takes them. All
// nullable, so every existing row reads as "missing". create_schema adds them to a new database
// too, so there is one definition of each.
inline constexpr std::string_view version_3_job_columns[] = {
    "monitoring INTEGER CHECK (monitoring IS NULL OR monitoring IN (0, 1))",
    "adaptive_restart INTEGER CHECK (adaptive_restart IS NULL OR adaptive_restart IN (0, 1))",
    "stall_timeout_minutes INTEGER CHECK (stall_timeout_minutes IS NULL OR "
    "stall_timeout_minutes BETWEEN 0 AND 2147483647)",
    "created_at INTEGER",
};

// Creates the tables, or does nothing when they exist at this version (idempotent). On an older
// version it upgrades, in one transaction: every statement of schema_sql is IF NOT EXISTS, so
// only the tables that version lacks are created (version 1 gains recovery_history, empty), and
// each version 3 column jobs lacks is added by ALTER TABLE ... ADD COLUMN (NULL in every row).
// No row is touched.
inline void create_schema(database& db) {
    const int v = read_schema_version(db);
    if (v > schema_version) require_schema(db); // throws newer_schema
    if (v == schema_version) return;
    db.exec("BEGIN IMMEDIATE");
    try {
        db.exec(std::string{schema_sql});
        detail::statement has(db.handle(),
                              "SELECT count(*) FROM pragma_table_info('jobs') WHERE name = ?");
        for (const std::string_view column : version_3_job_columns) {
            has.bind(1, column.substr(0, column.find(' '))).step();
            const bool missing = has.integer(0) == 0;
            has.reset(); // no statement in progress while the table changes
            if (missing) db.exec(fmt::format("ALTER TABLE jobs ADD COLUMN {}", column));
        }
        db.exec(fmt::format("INSERT OR REPLACE INTO warden_meta (key, value) VALUES "
                            "('schema_version', '{}')",
                            schema_version));
        db.exec("COMMIT");
    } catch (...) {
        sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

// What the database cannot know: the runtime and the host, observed by the caller.
struct runtime_facts {
    std::vector<job_id> locks;
    std::vector<process_fact> processes;
    std::vector<job_id> running_set;
    host_facts host;
};

namespace detail {

inline constexpr std::string_view job_columns =
    "id, name, source, output_dir, status, campaign_kind, campaign_year, queued_at, started_at, "
    "finished_at, last_progress_at, completed_at, retry_count, failure_class, last_error, "
    "max_container_restarts, error_threshold_timeout, error_threshold_http, "
    "backoff_delay_minutes, page_cap, last_stage, has_outputs, version, monitoring, "
    "adaptive_restart, stall_timeout_minutes, created_at";

[[nodiscard]] inline std::optional<std::string_view> failure_text(failure_class f) {
    if (f == failure_class::none) return std::nullopt;
    if (f >= failure_class::first_host_defined) return std::nullopt;
    return to_string(f);
}

// Issue #8's options (schema version 3): NULL for a missing value.
inline void bind_recovery_options(statement& st, int first, const tool_options& o) {
    auto flag = [](const std::optional<bool>& b) {
        return b ? std::optional<std::int64_t>{*b ? 1 : 0} : std::nullopt;
    };
    st.bind(first, flag(o.monitoring));
    st.bind(first + 1, flag(o.adaptive_restart));
    st.bind(first + 2, o.stall_timeout_minutes
                           ? std::optional<std::int64_t>{*o.stall_timeout_minutes}
                           : std::nullopt);
}

[[nodiscard]] inline std::int32_t narrow(std::int64_t v) {
    return static_cast<std::int32_t>(std::clamp<std::int64_t>(
        v, std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()));
}

inline job read_job(const statement& row) {
    job j;
    j.id = job_id{row.integer(0)};
    j.name = row.text(1);
    j.source = row.text(2);
    j.output_dir = row.text(3);
    // The schema's CHECK admits only known statuses; an unknown one would still reach the
    // validator as an invalid enum value and block only this job.
    j.status = parse_job_status(row.text(4)).value_or(static_cast<job_status>(0xff));
    j.kind = row.is_null(5) ? campaign_kind::none : campaign_kind::annual;
    if (const auto y = row.maybe_integer(6)) j.campaign_year = narrow(*y);
    j.queued_at = from_epoch_seconds(row.integer(7));
    j.started_at = row.maybe_time(8);
    j.finished_at = row.maybe_time(9);
    j.last_progress_at = row.maybe_time(10);
    j.completed_at = row.maybe_time(11);
    j.retry_count = narrow(row.integer(12));
    j.failure = row.is_null(13)
                    ? failure_class::none
                    : parse_failure_class(row.text(13)).value_or(failure_class::first_host_defined);
    j.last_error = row.text(14);
    j.options.max_container_restarts = narrow(row.integer(15));
    j.options.error_threshold_timeout = narrow(row.integer(16));
    j.options.error_threshold_http = narrow(row.integer(17));
    j.options.backoff_delay_minutes = narrow(row.integer(18));
    if (const auto cap = row.maybe_integer(19)) j.options.page_cap = narrow(*cap);
    if (!row.is_null(20)) j.last_stage = row.text(20);
    j.has_outputs = row.integer(21) != 0;
    j.version = row.integer(22);
    if (const auto m = row.maybe_integer(23)) j.options.monitoring = *m != 0;
    if (const auto a = row.maybe_integer(24)) j.options.adaptive_restart = *a != 0;
    if (const auto t = row.maybe_integer(25)) j.options.stall_timeout_minutes = narrow(*t);
    j.created_at = row.maybe_time(26);
    return j;
}

} // namespace detail

// Reads every job and the start and recovery history of the last 24 h (and any record after
// `now`, so the validator can report a clock that went backwards), in one read transaction.
[[nodiscard]] inline snapshot load_snapshot(database& db, timestamp now, runtime_facts runtime) {
    require_schema(db);
    snapshot s;
    s.now = now;
    s.locks = std::move(runtime.locks);
    s.processes = std::move(runtime.processes);
    s.running_set = std::move(runtime.running_set);
    s.host = runtime.host;
    db.exec("BEGIN");
    try {
        detail::statement jobs(db.handle(),
                               fmt::format("SELECT {} FROM jobs ORDER BY id", detail::job_columns));
        while (jobs.step())
            s.jobs.push_back(detail::read_job(jobs));
        detail::statement starts(
            db.handle(), "SELECT job_id, at FROM job_starts WHERE at > ? ORDER BY at, job_id");
        starts.bind(1, now - one_day);
        while (starts.step())
            s.starts.push_back(
                start_record{job_id{starts.integer(0)}, from_epoch_seconds(starts.integer(1))});
        detail::statement recoveries(
            db.handle(),
            "SELECT job_id, at FROM recovery_history WHERE at > ? ORDER BY at, job_id");
        recoveries.bind(1, now - one_day);
        while (recoveries.step())
            s.recoveries.push_back(recovery_record{job_id{recoveries.integer(0)},
                                                   from_epoch_seconds(recoveries.integer(1))});
        db.exec("COMMIT");
    } catch (...) {
        sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
    return s;
}

// Writes one job row as is (for hosts' fixtures, the simulator and the examples).
inline void insert_job(database& db, const job& j) {
    detail::statement st(db.handle(), fmt::format("INSERT INTO jobs ({}) VALUES "
                                                  "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                                                  "?,?,?,?)",
                                                  detail::job_columns));
    st.bind(1, to_int(j.id)).bind(2, j.name).bind(3, j.source).bind(4, j.output_dir);
    st.bind(5, to_string(j.status));
    if (j.kind == campaign_kind::annual)
        st.bind(6, std::string_view{"annual"});
    else
        st.bind_null(6);
    st.bind(7, j.campaign_year ? std::optional<std::int64_t>{*j.campaign_year} : std::nullopt);
    st.bind(8, j.queued_at).bind(9, j.started_at).bind(10, j.finished_at);
    st.bind(11, j.last_progress_at).bind(12, j.completed_at);
    st.bind(13, std::int64_t{j.retry_count})
        .bind(14, detail::failure_text(j.failure))
        .bind(15, j.last_error);
    st.bind(16, std::int64_t{j.options.max_container_restarts});
    st.bind(17, std::int64_t{j.options.error_threshold_timeout});
    st.bind(18, std::int64_t{j.options.error_threshold_http});
    st.bind(19, std::int64_t{j.options.backoff_delay_minutes});
    st.bind(20,
            j.options.page_cap ? std::optional<std::int64_t>{*j.options.page_cap} : std::nullopt);
    st.bind(21, j.last_stage ? std::optional<std::string_view>{*j.last_stage} : std::nullopt);
    st.bind(22, std::int64_t{j.has_outputs ? 1 : 0}).bind(23, j.version);
    detail::bind_recovery_options(st, 24, j.options);
    st.bind(27, j.created_at);
    st.run();
}

inline void record_start(database& db, job_id job, timestamp at) {
    detail::statement st(db.handle(), "INSERT INTO job_starts (job_id, at) VALUES (?, ?)");
    st.bind(1, to_int(job)).bind(2, at).run();
}

inline void record_recovery(database& db, job_id job, timestamp at) {
    detail::statement st(db.handle(), "INSERT INTO recovery_history (job_id, at) VALUES (?, ?)");
    st.bind(1, to_int(job)).bind(2, at).run();
}

enum class action_status : std::uint8_t {
    applied,      // the row matched and was written (if the transaction committed)
    conflict,     // 0 rows: the row moved since the snapshot; nothing written for it
    runtime_only, // stop_job: for the host to carry out, nothing in the database
    not_reached,  // the transaction ended (abort on conflict) before this action
};

[[nodiscard]] constexpr std::string_view to_string(action_status s) noexcept {
    switch (s) {
    case action_status::applied: return "applied";
    case action_status::conflict: return "conflict";
    case action_status::runtime_only: return "runtime_only";
    case action_status::not_reached: return "not_reached";
    }
    return "unknown";
}

enum class on_conflict : std::uint8_t {
    skip,  // report the conflict, apply the rest (default)
    abort, // roll the whole transaction back at the first conflict
};

struct apply_options {
    on_conflict conflicts = on_conflict::skip;
    // Called after each action's statement with its result, inside the transaction (tests use it
    // to crash there; the simulator to check each write as it happens).
    std::function<void(std::size_t, action_status)> after_each;
};

struct apply_result {
    std::vector<action_status> actions; // one per plan action
    bool committed = false;             // false: nothing at all was written
    std::int64_t applied = 0;
    std::int64_t conflicts = 0;
};

namespace detail {

// The row writes of a plan as prepared statements: prepared once per apply, run once per action.
// Each mirrors warden::apply_to_snapshot (apply.hpp), the reference semantics.
class plan_writer {
  public:
    plan_writer(database& db, timestamp now)
        : db_(db.handle())
        , now_(now)
        , set_status_(db.handle(), R"sql(
UPDATE jobs SET status = ?1,
    failure_class = CASE WHEN ?2 THEN ?3 ELSE failure_class END,
    finished_at = CASE WHEN ?1 IN ('completed', 'failed') THEN coalesce(finished_at, ?4) ELSE finished_at END,
    completed_at = CASE WHEN ?1 = 'completed' THEN coalesce(completed_at, ?4) ELSE completed_at END,
    version = version + 1
WHERE id = ?5 AND (status = ?6 OR (?6 = 'queued' AND status = 'pending')) AND version = ?7)sql")
        , start_history_(db.handle(), "INSERT INTO job_starts (job_id, at) VALUES (?1, ?2)")
        , backfill_(db.handle(), R"sql(
UPDATE jobs SET campaign_kind = 'annual', campaign_year = ?1, version = version + 1
WHERE id = ?2 AND (status = ?3 OR (?3 = 'queued' AND status = 'pending')) AND version = ?4)sql") {}

    action_status operator()(const set_status& a) {
        set_status_.bind(1, to_string(a.status)).bind(2, std::int64_t{a.failure.has_value()});
        set_status_.bind(3, a.failure ? failure_text(*a.failure) : std::nullopt).bind(4, now_);
        const auto status = cas(set_status_.bind(5, to_int(a.job))
                                    .bind(6, to_string(a.expected_status))
                                    .bind(7, a.expected_version));
        // A recovery counts once its status write lands, in the same transaction; a conflict
        // recovered nothing. The recovery cap counts these, never an in-memory tally.
        if (status == action_status::applied && a.rule == rule_id::stall_recovery) {
            // Prepared on first use: complete and edit_status share this writer and still work
            // on a version 1 database, which has no recovery_history (nor, before version 3,
            // the option columns the start and options statements write).
            prepared(recovery_history_, "INSERT INTO recovery_history (job_id, at) VALUES (?1, ?2)")
                .bind(1, to_int(a.job))
                .bind(2, now_)
                .run();
        }
        return status;
    }
    action_status operator()(const start_job& a) {
        statement& start = prepared(start_, R"sql(
UPDATE jobs SET status = 'running', started_at = ?1, finished_at = NULL,
    retry_count = retry_count + (status = 'retryable'),
    max_container_restarts = ?2, error_threshold_timeout = ?3, error_threshold_http = ?4,
    backoff_delay_minutes = ?5, page_cap = ?6, monitoring = ?7, adaptive_restart = ?8,
    stall_timeout_minutes = ?9, version = version + 1
WHERE id = ?10 AND (status = ?11 OR (?11 = 'queued' AND status = 'pending')) AND version = ?12)sql");
        start.bind(1, now_);
        bind_options(start, 2, a.options);
        const auto status = cas(start.bind(10, to_int(a.job))
                                    .bind(11, to_string(a.expected_status))
                                    .bind(12, a.expected_version));
        if (status == action_status::applied)
            start_history_.bind(1, to_int(a.job)).bind(2, now_).run();
        return status;
    }
    action_status operator()(const backfill_campaign& a) {
        backfill_.bind(1, std::int64_t{a.year}).bind(2, to_int(a.job));
        return cas(backfill_.bind(3, to_string(a.expected_status)).bind(4, a.expected_version));
    }
    action_status operator()(const set_tool_options& a) {
        statement& options = prepared(options_, R"sql(
UPDATE jobs SET max_container_restarts = ?1, error_threshold_timeout = ?2,
    error_threshold_http = ?3, backoff_delay_minutes = ?4, page_cap = ?5, monitoring = ?6,
    adaptive_restart = ?7, stall_timeout_minutes = ?8, version = version + 1
WHERE id = ?9 AND (status = ?10 OR (?10 = 'queued' AND status = 'pending')) AND version = ?11)sql");
        bind_options(options, 1, a.after);
        return cas(options.bind(9, to_int(a.job))
                       .bind(10, to_string(a.expected_status))
                       .bind(11, a.expected_version));
    }
    action_status operator()(const stop_job&) { return action_status::runtime_only; }

  private:
    statement& prepared(std::optional<statement>& st, std::string_view sql) {
        if (!st) st.emplace(db_, sql);
        return *st;
    }
    static void bind_options(statement& st, int first, const tool_options& o) {
        st.bind(first, std::int64_t{o.max_container_restarts});
        st.bind(first + 1, std::int64_t{o.error_threshold_timeout});
        st.bind(first + 2, std::int64_t{o.error_threshold_http});
        st.bind(first + 3, std::int64_t{o.backoff_delay_minutes});
        st.bind(first + 4, o.page_cap ? std::optional<std::int64_t>{*o.page_cap} : std::nullopt);
        bind_recovery_options(st, first + 5, o);
    }
    // The B7 rule in one place: exactly one row changed is success; zero is a conflict.
    static action_status cas(statement& st) {
        return st.run() == 1 ? action_status::applied : action_status::conflict;
    }

    sqlite3* db_;
    timestamp now_;
    statement set_status_, start_history_, backfill_;
    std::optional<statement> start_, options_, recovery_history_; // prepared on first use
};

} // namespace detail

// Applies a plan in one IMMEDIATE transaction: either every applied action is in the database
// or none is. A statement error or (with on_conflict::abort) a conflict rolls everything back and
// is reported; a crash at any point leaves the database as it was before or after, never between.
[[nodiscard]] inline apply_result apply(database& db, const plan& p, timestamp now,
                                        const apply_options& options = {}) {
    require_schema(db);
    apply_result result;
    result.actions.assign(p.actions.size(), action_status::not_reached);
    db.exec("BEGIN IMMEDIATE");
    try {
        detail::plan_writer writer(db, now);
        for (std::size_t i = 0; i < p.actions.size(); ++i) {
            const action_status s = std::visit(writer, p.actions[i]);
            result.actions[i] = s;
            if (options.after_each) options.after_each(i, s);
            if (s == action_status::conflict) {
                ++result.conflicts;
                if (options.conflicts == on_conflict::abort) {
                    db.exec("ROLLBACK");
                    result.applied = 0;
                    return result;
                }
            } else if (s == action_status::applied) {
                ++result.applied;
            }
        }
        db.exec("COMMIT");
        result.committed = true;
    } catch (...) {
        sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
    return result;
}

namespace detail {

// Runs `write` in one IMMEDIATE transaction: committed when it returns, rolled back when it throws.
template <class Write>
auto in_transaction(database& db, Write&& write) {
    db.exec("BEGIN IMMEDIATE");
    try {
        auto result = write();
        db.exec("COMMIT");
        return result;
    } catch (...) {
        sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

} // namespace detail

// One action as its own transaction: the same compare-and-set statement `apply` runs for it.
[[nodiscard]] inline action_status apply_one(database& db, const action& a, timestamp now) {
    return detail::in_transaction(db, [&] {
        detail::plan_writer writer(db, now);
        return std::visit(writer, a);
    });
}

// The state a compare-and-set expects the row in.
struct expected_row {
    job_status status{};
    std::int64_t version = 0;
};

// A status change by hand (an operator's UPDATE) as a compare-and-set on the status and version
// the operator was shown: `conflict` when the row moved since, and nothing is written. The
// effects are a set_status action's (finished_at / completed_at on a terminal status).
[[nodiscard]] inline action_status edit_status(database& db, job_id job, expected_row expected,
                                               job_status to, timestamp now) {
    return apply_one(db,
                     set_status{job,
                                expected.status,
                                expected.version,
                                to,
                                std::nullopt,
                                rule_id{},
                                "edited by hand",
                                {}},
                     now);
}

// The SQL form of warden::complete (rules/completion.hpp): one
// UPDATE ... WHERE id = ? AND status = 'running' AND version = ?, running -> completed. Idempotent:
// `complete` when this call wrote the row; `already_completed` when it was completed before (a
// repeat), nothing written; `not_running` when 0 rows matched and the row is not completed (it
// moved: recovered, failed, edited, or another version), a conflict, nothing written. Never a
// 0-row UPDATE reported as success (B7).
[[nodiscard]] inline completion_outcome complete(database& db, job_id job,
                                                 std::int64_t expected_version, timestamp now) {
    return detail::in_transaction(db, [&] {
        detail::plan_writer writer(db, now);
        const set_status write{job,
                               job_status::running,
                               expected_version,
                               job_status::completed,
                               failure_class::none,
                               rule_id::completion,
                               "crawl finished",
                               {}};
        if (writer(write) == action_status::applied) return completion_outcome::complete;
        detail::statement status(db.handle(), "SELECT status FROM jobs WHERE id = ?");
        status.bind(1, to_int(job));
        const bool completed = status.step() && status.text(0) == "completed";
        return completed ? completion_outcome::already_completed : completion_outcome::not_running;
    });
}

// Records that a job reached a stage, as a compare-and-set: jobs.last_stage (and has_outputs,
// when `outputs`; it is never cleared) and the stage history change in one transaction, and only
// while the row is in the expected status and version. `conflict`: the row moved; nothing is
// written. The two separate, blind writes of incident B7 cannot happen through this function.
[[nodiscard]] inline action_status record_stage(database& db, job_id job, std::string_view stage,
                                                timestamp at, expected_row expected,
                                                bool outputs = false) {
    return detail::in_transaction(db, [&] {
        detail::statement row(db.handle(), R"sql(
UPDATE jobs SET last_stage = ?1, has_outputs = max(has_outputs, ?2), version = version + 1
WHERE id = ?3 AND (status = ?4 OR (?4 = 'queued' AND status = 'pending')) AND version = ?5)sql");
        row.bind(1, stage).bind(2, std::int64_t{outputs ? 1 : 0}).bind(3, to_int(job));
        if (row.bind(4, to_string(expected.status)).bind(5, expected.version).run() != 1)
            return action_status::conflict;
        detail::statement history(
            db.handle(), "INSERT OR REPLACE INTO job_stages (job_id, stage, at) VALUES (?, ?, ?)");
        history.bind(1, to_int(job)).bind(2, stage).bind(3, at).run();
        return action_status::applied;
    });
}

// One job row by id, or nothing.
[[nodiscard]] inline std::optional<job> load_job(database& db, job_id id) {
    detail::statement st(db.handle(),
                         fmt::format("SELECT {} FROM jobs WHERE id = ?", detail::job_columns));
    st.bind(1, to_int(id));
    if (!st.step()) return std::nullopt;
    return detail::read_job(st);
}

} // namespace sqlite
} // namespace v0
} // namespace warden
