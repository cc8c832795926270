#pragma once
// The PostgreSQL adapter's tables (warden's own schema): the same tables and columns as the
// SQLite adapter's (docs/sqlite.md), in PostgreSQL types, with their version.
#include <warden/adapters/detail/columns.hpp>
#include <warden/adapters/postgres/connection.hpp>
#include <warden/adapters/schema_version.hpp>
#include <warden/core/job.hpp>
#include <warden/core/snapshot.hpp>

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <type_traits>

namespace warden {
inline namespace v0 {
namespace postgres {

// Bumped whenever these tables change; its own sequence, independent of the SQLite schema's. A
// database of a newer version is refused, never guessed at, and one of an older version is
// refused until create_schema upgrades it. Version 1: the SQLite schema version 6's tables.
inline constexpr int schema_version = 1;

// The tables, documented in docs/postgres.md. The CHECKs keep every row within what warden's
// types can hold, as the SQLite schema's do. Times are seconds since the epoch (BIGINT), flags
// 0 or 1 (SMALLINT), so a row reads the same in both adapters; the columns are in the order a
// SQLite database at version 6 has them, so the same positional INSERTs (examples/campaign.sql)
// load into either.
inline constexpr std::string_view schema_sql = R"sql(
CREATE TABLE IF NOT EXISTS warden_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id                      BIGINT PRIMARY KEY,
    name                    TEXT NOT NULL,
    source                  TEXT NOT NULL DEFAULT '',
    output_dir              TEXT NOT NULL DEFAULT '',
    status                  TEXT NOT NULL CHECK (status IN
                                ('queued', 'pending', 'running', 'retryable', 'completed', 'failed')),
    campaign_kind           TEXT CHECK (campaign_kind IS NULL OR campaign_kind = 'annual'),
    campaign_year           INTEGER CHECK (campaign_year BETWEEN 0 AND 9999),
    queued_at               BIGINT NOT NULL,
    started_at              BIGINT,
    finished_at             BIGINT,
    last_progress_at        BIGINT,
    completed_at            BIGINT,
    retry_count             INTEGER NOT NULL DEFAULT 0 CHECK (retry_count >= 0),
    failure_class           TEXT CHECK (failure_class IS NULL OR failure_class IN
                                ('none', 'transient', 'infra_error', 'infra_error_config', 'orphaned')
                                OR failure_class ~ '^host_(6[4-9]|[7-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])$'),
    last_error              TEXT NOT NULL DEFAULT '',
    max_container_restarts  INTEGER NOT NULL DEFAULT 0 CHECK (max_container_restarts >= 0),
    error_threshold_timeout INTEGER NOT NULL DEFAULT 0 CHECK (error_threshold_timeout >= 0),
    error_threshold_http    INTEGER NOT NULL DEFAULT 0 CHECK (error_threshold_http >= 0),
    backoff_delay_minutes   INTEGER NOT NULL DEFAULT 0 CHECK (backoff_delay_minutes >= 0),
    page_cap                INTEGER CHECK (page_cap IS NULL OR page_cap >= 0),
    last_stage              TEXT,
    has_outputs             SMALLINT NOT NULL DEFAULT 0 CHECK (has_outputs IN (0, 1)),
    version                 BIGINT NOT NULL DEFAULT 0 CHECK (version >= 0),
    monitoring              SMALLINT CHECK (monitoring IS NULL OR monitoring IN (0, 1)),
    adaptive_restart        SMALLINT CHECK (adaptive_restart IS NULL OR adaptive_restart IN (0, 1)),
    stall_timeout_minutes   INTEGER CHECK (stall_timeout_minutes IS NULL OR stall_timeout_minutes >= 0),
    created_at              BIGINT,
    updated_at              BIGINT,
    docker_shm_size         TEXT,
    skip_final_build        SMALLINT CHECK (skip_final_build IS NULL OR skip_final_build IN (0, 1)),
    initial_workers         INTEGER CHECK (initial_workers IS NULL OR initial_workers >= 0),
    class                   TEXT NOT NULL DEFAULT '',
    group_key               TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status);
CREATE TABLE IF NOT EXISTS job_starts (
    job_id BIGINT NOT NULL REFERENCES jobs (id),
    at     BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS job_starts_by_time ON job_starts (at, job_id);
CREATE TABLE IF NOT EXISTS recovery_history (
    job_id        BIGINT NOT NULL REFERENCES jobs (id),
    at            BIGINT NOT NULL,
    crawled_pages BIGINT CHECK (crawled_pages IS NULL OR crawled_pages >= 0)
);
CREATE INDEX IF NOT EXISTS recovery_history_by_time ON recovery_history (at, job_id);
CREATE TABLE IF NOT EXISTS job_stages (
    job_id BIGINT NOT NULL REFERENCES jobs (id),
    stage  TEXT NOT NULL,
    at     BIGINT NOT NULL,
    PRIMARY KEY (job_id, stage)
);
)sql";

// With a mapping onto a host's own jobs table (connection::use_mapping), warden creates only its
// own tables beside it: the history tables have no foreign key, since the host's table is the
// host's to delete from (a history row of a deleted job is skipped with a warning when loaded).
inline constexpr std::string_view beside_host_table_sql = R"sql(
CREATE TABLE IF NOT EXISTS warden_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS job_starts (
    job_id BIGINT NOT NULL,
    at     BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS job_starts_by_time ON job_starts (at, job_id);
CREATE TABLE IF NOT EXISTS recovery_history (
    job_id        BIGINT NOT NULL,
    at            BIGINT NOT NULL,
    crawled_pages BIGINT CHECK (crawled_pages IS NULL OR crawled_pages >= 0)
);
CREATE INDEX IF NOT EXISTS recovery_history_by_time ON recovery_history (at, job_id);
CREATE TABLE IF NOT EXISTS job_stages (
    job_id BIGINT NOT NULL,
    stage  TEXT NOT NULL,
    at     BIGINT NOT NULL,
    PRIMARY KEY (job_id, stage)
);
)sql";

// The schema version a database carries: 0 when warden's tables were never created.
[[nodiscard]] inline int read_schema_version(connection& db) {
    const result has = db.exec("SELECT to_regclass('warden_meta') IS NOT NULL");
    if (has.text(0, 0) != "t") return 0;
    const result v = db.exec("SELECT value FROM warden_meta WHERE key = 'schema_version'");
    if (v.rows() == 0) return 0;
    const std::string text = v.text(0, 0);
    const auto parsed = adapters::parse_schema_version(text);
    if (!parsed) throw error(error_kind::other, adapters::bad_schema_version(text));
    return *parsed;
}

// Refuses a database warden cannot read correctly, older or newer.
inline void require_schema(connection& db) {
    const auto refusal = adapters::refuse_schema(read_schema_version(db), schema_version,
                                                 " in this database", "CONNINFO");
    if (!refusal) return;
    throw error(adapters::to_error_kind<error_kind>(refusal->why), refusal->message);
}

namespace detail {

// A column's type for a member type, for columns the field lists gained after schema_sql was
// written (added nullable, so every existing row reads as "missing").
template <class M>
[[nodiscard]] constexpr std::string_view column_type() {
    using V = std::remove_cvref_t<M>;
    if constexpr (is_optional_v<V>)
        return column_type<typename V::value_type>();
    else if constexpr (std::is_same_v<V, std::string>)
        return "TEXT";
    else if constexpr (std::is_same_v<V, bool>)
        return "SMALLINT";
    else
        return "BIGINT"; // integers, timestamps, ids
}

// ALTER TABLE ... ADD COLUMN IF NOT EXISTS for every column of T's field list: a field the list
// gains is a column here without a hand-written upgrade (the SQLite schema adds its own).
template <class T>
void add_missing_columns(connection& db, std::string_view table) {
    const T row{};
    std::string sql;
    adapters::detail::for_each_column(row, [&](const auto& entry, const auto& member) {
        sql += fmt::format("ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} {};\n", table, entry.name,
                           column_type<decltype(member)>());
    });
    db.exec(sql);
}

} // namespace detail

// Creates the tables (with a mapping, only warden's own beside the host's), or does nothing when
// they exist at this version (idempotent), in one
// transaction under a transaction-level advisory lock, so two watchdogs creating the schema at
// once do not race on CREATE TABLE.
inline void create_schema(connection& db) {
    db.exec("BEGIN");
    try {
        db.exec("SELECT pg_advisory_xact_lock(7305698817356427633)"); // "warden schema"
        const int v = read_schema_version(db);
        if (v > schema_version) require_schema(db); // throws newer_schema
        if (v < schema_version) {
            const bool own = db.mapping().is_default();
            db.exec(std::string{own ? schema_sql : beside_host_table_sql});
            if (own) detail::add_missing_columns<job>(db, "jobs");
            detail::add_missing_columns<recovery_record>(db, "recovery_history");
            db.exec(fmt::format("INSERT INTO warden_meta (key, value) VALUES ('schema_version', "
                                "'{}') ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                                schema_version));
        }
        db.exec("COMMIT");
    } catch (...) {
        db.roll_back();
        throw;
    }
}

} // namespace postgres
} // namespace v0
} // namespace warden
