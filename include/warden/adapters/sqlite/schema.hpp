#pragma once
// The SQLite adapter's tables: the schema, its version, and the upgrade from older versions.
#include <warden/adapters/schema_version.hpp>
#include <warden/adapters/sqlite/connection.hpp>

#include <fmt/format.h>
#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace warden {
inline namespace v0 {
namespace sqlite {

// Bumped whenever the tables change; a database of a newer version is refused, never guessed at,
// and one of an older version is refused until create_schema upgrades it. Version 2 added
// recovery_history (the daily recovery cap's persisted history, issue #8); version 3 the jobs
// columns monitoring, adaptive_restart, stall_timeout_minutes (a stall recovery's tool options)
// and created_at (queue order), all nullable (issue #8); version 4 lets jobs.failure_class hold a
// host-defined class as "host_<n>" (issue #14: it was written as NULL and lost); version 5 adds
// issue #17's columns (version_5_feature_columns: jobs.updated_at, recovery_history.crawled_pages);
// version 6 issue #21's job columns (version_6_class_columns: jobs.class, jobs.group_key).
inline constexpr int schema_version = 6;

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
                                ('none', 'transient', 'infra_error', 'infra_error_config', 'orphaned')
                                OR failure_class GLOB 'host_6[4-9]' OR failure_class GLOB 'host_[7-9][0-9]'
                                OR failure_class GLOB 'host_1[0-9][0-9]' OR failure_class GLOB 'host_2[0-4][0-9]'
                                OR failure_class GLOB 'host_25[0-5]'),
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

// With a mapping onto a host's own jobs table (database::use_mapping), warden creates only its own
// tables beside it, at this version's shape: the history tables have no foreign key, since the
// host's table is the host's to delete from (a history row of a deleted job is skipped with a
// warning when loaded).
inline constexpr std::string_view beside_host_table_sql = R"sql(
CREATE TABLE IF NOT EXISTS warden_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS job_starts (
    job_id INTEGER NOT NULL,
    at     INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS job_starts_by_time ON job_starts (at, job_id);
CREATE TABLE IF NOT EXISTS recovery_history (
    job_id        INTEGER NOT NULL,
    at            INTEGER NOT NULL,
    crawled_pages INTEGER CHECK (crawled_pages IS NULL OR crawled_pages >= 0)
) STRICT;
CREATE INDEX IF NOT EXISTS recovery_history_by_time ON recovery_history (at, job_id);
CREATE TABLE IF NOT EXISTS job_stages (
    job_id INTEGER NOT NULL,
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
    const auto parsed = adapters::parse_schema_version(text);
    if (!parsed) throw error(error_kind::other, adapters::bad_schema_version(text));
    return *parsed;
}

// Refuses a database warden cannot read correctly. An older schema is refused too: read as it
// is, a version 1 database has no recovery history, and the recovery cap would never deny; a
// version 2 one lacks the version 3 columns of jobs, which every read and write names.
inline void require_schema(database& db) {
    const auto refusal =
        adapters::refuse_schema(read_schema_version(db), schema_version, "", "FILE");
    if (!refusal) return;
    throw error(adapters::to_error_kind<error_kind>(refusal->why), refusal->message);
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

// Version 4's change to jobs: the failure_class CHECK of versions 1 to 3, and what replaces it
// (schema_sql holds the new one). A CHECK cannot be altered in place and loosening one does not
// touch a stored row, so the upgrade edits the table's definition as SQLite documents for removing
// a CHECK (lang_altertable.html, "Making Other Kinds Of Table Schema Changes").
inline constexpr std::string_view version_3_failure_check =
    "('none', 'transient', 'infra_error', 'infra_error_config', 'orphaned')),";
inline constexpr std::string_view version_4_failure_check =
    "('none', 'transient', 'infra_error', 'infra_error_config', 'orphaned')\n"
    "                                OR failure_class GLOB 'host_6[4-9]' OR failure_class GLOB "
    "'host_[7-9][0-9]'\n"
    "                                OR failure_class GLOB 'host_1[0-9][0-9]' OR failure_class "
    "GLOB "
    "'host_2[0-4][0-9]'\n"
    "                                OR failure_class GLOB 'host_25[0-5]'),";
static_assert(schema_sql.find(version_4_failure_check) != std::string_view::npos,
              "version_4_failure_check must be schema_sql's failure_class CHECK");

// Issue #17's columns (schema version 5), each (table, column definition) as ALTER TABLE ... ADD
// COLUMN takes it. Nullable, so every existing row reads as "missing": a job without updated_at
// is never failed as a stale pipeline, and a recovery without a count keeps the progress circuit
// closed. create_schema adds them to a new database too, so each is defined once.
struct added_column {
    std::string_view table;
    std::string_view definition;
};
inline constexpr added_column version_5_feature_columns[] = {
    {"jobs", "updated_at INTEGER"},
    {"recovery_history",
     "crawled_pages INTEGER CHECK (crawled_pages IS NULL OR crawled_pages >= 0)"},
    // Issue #17 item 3: the tool options production writes (core/tool_options.hpp). The CHECKs
    // hold what warden's types can; validation judges the values.
    {"jobs", "docker_shm_size TEXT"},
    {"jobs", "skip_final_build INTEGER CHECK (skip_final_build IS NULL OR skip_final_build IN (0, "
             "1))"},
    {"jobs", "initial_workers INTEGER CHECK (initial_workers IS NULL OR initial_workers BETWEEN "
             "0 AND 2147483647)"},
};

// Issue #21's columns (schema version 6): the job's explicit class and its host-defined group
// key. NOT NULL DEFAULT '', so every existing row reads as "no class named, in no group" and
// decides as before.
inline constexpr added_column version_6_class_columns[] = {
    {"jobs", "class TEXT NOT NULL DEFAULT ''"},
    {"jobs", "group_key TEXT NOT NULL DEFAULT ''"},
};

namespace detail {

// Adds each of the columns in `columns` its table lacks, inside the caller's transaction.
template <std::size_t N>
void add_missing_columns(database& db, const added_column (&columns)[N]) {
    for (const added_column& c : columns) {
        statement has(db.handle(), fmt::format("SELECT count(*) FROM pragma_table_info('{}') "
                                               "WHERE name = ?",
                                               c.table));
        has.bind(1, c.definition.substr(0, c.definition.find(' '))).step();
        const bool missing = has.integer(0) == 0;
        has.reset(); // no statement in progress while the table changes
        if (missing) db.exec(fmt::format("ALTER TABLE {} ADD COLUMN {}", c.table, c.definition));
    }
}

// Issue #21, the upgrade from version 5 to 6: adds jobs.class and jobs.group_key, inside the
// caller's transaction. No row is touched: each reads the column's default ''.
inline void add_version_6_class_columns(database& db) {
    add_missing_columns(db, version_6_class_columns);
}

// Adds each of issue #17's version 5 columns its table lacks, inside the caller's transaction.
inline void add_version_5_feature_columns(database& db) {
    for (const added_column& c : version_5_feature_columns) {
        statement has(db.handle(), fmt::format("SELECT count(*) FROM pragma_table_info('{}') "
                                               "WHERE name = ?",
                                               c.table));
        has.bind(1, c.definition.substr(0, c.definition.find(' '))).step();
        const bool missing = has.integer(0) == 0;
        has.reset(); // no statement in progress while the table changes
        if (missing) db.exec(fmt::format("ALTER TABLE {} ADD COLUMN {}", c.table, c.definition));
    }
}

// Rewrites jobs' failure_class CHECK from version 3's to version 4's, inside the caller's
// transaction. A table already carrying the new CHECK is left alone; one carrying neither was
// edited by hand, and is refused rather than guessed at.
inline void upgrade_failure_check(database& db) {
    statement table(db.handle(),
                    "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'jobs'");
    if (!table.step()) throw error(error_kind::other, "the jobs table is missing");
    const std::string sql = table.text(0);
    table.reset();
    if (sql.find(version_4_failure_check) != std::string::npos) return;
    if (sql.find(version_3_failure_check) == std::string::npos)
        throw error(error_kind::other,
                    "jobs.failure_class has a CHECK this warden did not write: cannot upgrade it");
    statement version(db.handle(), "PRAGMA schema_version");
    version.step();
    const std::int64_t cookie = version.integer(0);
    version.reset();
    db.exec("PRAGMA writable_schema = ON");
    statement edit(db.handle(), "UPDATE sqlite_schema SET sql = replace(sql, ?1, ?2) "
                                "WHERE type = 'table' AND name = 'jobs'");
    edit.bind(1, version_3_failure_check).bind(2, version_4_failure_check).run();
    db.exec(fmt::format("PRAGMA schema_version = {}", cookie + 1));
    db.exec("PRAGMA writable_schema = OFF");
}

} // namespace detail

// Creates the tables, or does nothing when they exist at this version (idempotent). On an older
// version it upgrades, in one transaction: every statement of schema_sql is IF NOT EXISTS, so
// only the tables that version lacks are created (version 1 gains recovery_history, empty), and
// each version 3 column jobs lacks is added by ALTER TABLE ... ADD COLUMN (NULL in every row);
// before version 4, jobs' failure_class CHECK is loosened to admit host classes. No row is touched.
// With a mapping, only warden's own tables are created beside the host's (beside_host_table_sql).
inline void create_schema(database& db) {
    const int v = read_schema_version(db);
    if (v > schema_version) require_schema(db); // throws newer_schema
    if (v == schema_version) return;
    db.exec("BEGIN IMMEDIATE");
    try {
        if (!db.mapping().is_default()) {
            // The host's table is the host's: only warden's own tables, beside it.
            db.exec(std::string{beside_host_table_sql});
            db.exec(fmt::format("INSERT OR REPLACE INTO warden_meta (key, value) VALUES "
                                "('schema_version', '{}')",
                                schema_version));
            db.exec("COMMIT");
            return;
        }
        db.exec(std::string{schema_sql});
        detail::statement has(db.handle(),
                              "SELECT count(*) FROM pragma_table_info('jobs') WHERE name = ?");
        for (const std::string_view column : version_3_job_columns) {
            has.bind(1, column.substr(0, column.find(' '))).step();
            const bool missing = has.integer(0) == 0;
            has.reset(); // no statement in progress while the table changes
            if (missing) db.exec(fmt::format("ALTER TABLE jobs ADD COLUMN {}", column));
        }
        if (v < 4) detail::upgrade_failure_check(db);
        detail::add_version_5_feature_columns(db); // issue #17
        detail::add_version_6_class_columns(db);   // issue #21
        db.exec(fmt::format("INSERT OR REPLACE INTO warden_meta (key, value) VALUES "
                            "('schema_version', '{}')",
                            schema_version));
        db.exec("COMMIT");
    } catch (...) {
        sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

} // namespace sqlite
} // namespace v0
} // namespace warden
