#pragma once
// The SQLite adapter's connection: error kinds, a prepared statement, one database handle.
#include <warden/adapters/mapping.hpp>
#include <warden/core/time.hpp>

#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace warden {
inline namespace v0 {
namespace sqlite {

enum class error_kind : std::uint8_t {
    cannot_open,    // missing file, no permission, not a directory
    not_a_database, // the file is not SQLite, or is corrupt
    no_schema,      // SQLite, but `warden schema` never ran on it
    newer_schema,   // written by a newer warden: refuse rather than misread
    older_schema,   // an older warden's tables: `warden schema` upgrades them
    busy,           // another writer held the lock past the busy timeout
    read_only,      // the file or its directory is not writable
    constraint,     // a row violates the schema
    disk_full,      // the disk (or max_page_count) is full: the transaction was rolled back
    needs_recovery, // a writer died mid-commit: a read-write open must roll its journal back
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
    case error_kind::disk_full: return "disk_full";
    case error_kind::needs_recovery: return "needs_recovery";
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
    // A read-only connection meeting a hot journal (or a WAL file needing recovery) left by a
    // writer killed mid-commit: SQLite says "attempt to write a readonly database", which hides
    // what happened and how to get out of it.
    if (code == SQLITE_READONLY_ROLLBACK || code == SQLITE_READONLY_RECOVERY)
        return error_kind::needs_recovery;
    switch (code & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT: return error_kind::not_a_database;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return error_kind::busy;
    case SQLITE_READONLY: return error_kind::read_only;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM: return error_kind::cannot_open;
    case SQLITE_CONSTRAINT: return error_kind::constraint;
    case SQLITE_FULL: return error_kind::disk_full;
    default: return error_kind::other;
    }
}

// The error for SQLite's result `code`, with what an operator needs to know for the kinds whose
// SQLite message does not say it.
[[nodiscard]] inline error make_error(sqlite3* db, int code, std::string message) {
    const error_kind kind = classify(code);
    if (kind == error_kind::needs_recovery) {
        const char* file = db ? sqlite3_db_filename(db, "main") : nullptr;
        const std::string path = file && *file ? file : "FILE";
        message += fmt::format(
            ": a writer was killed (or lost power) during a commit and left {}-{} behind, which "
            "only a read-write connection can roll back. Nothing is lost: rolling it back restores "
            "the database as it was before that transaction. Recover by opening it once "
            "read-write as a user who may write the file and its directory, e.g. `warden apply "
            "--db {}` (without the sentinel it writes nothing else) or `sqlite3 {} 'PRAGMA "
            "quick_check'`",
            path, code == SQLITE_READONLY_ROLLBACK ? "journal" : "wal", path, path);
    } else if (kind == error_kind::disk_full) {
        message += ": the transaction was rolled back, nothing was written; free space on the "
                   "database's filesystem";
    }
    return error(kind, message);
}

[[noreturn]] inline void fail(sqlite3* db, int code, std::string_view doing) {
    const char* message = db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
    throw make_error(db, code, fmt::format("{}: {}", doing, message));
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

    // True while rows come; throws on error, with the statement reset first: a statement kept
    // for reuse (the simulator's store, a cached write) must bind again after a failed step, and
    // SQLite refuses binds on a halted statement (SQLITE_MISUSE) until it is reset. The error is
    // made before the reset, which would otherwise be what the connection reports.
    bool step() {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        error failed = make_error(db_, rc, fmt::format("step: {}", sqlite3_errmsg(db_)));
        reset();
        throw failed;
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
        : db_(std::exchange(other.db_, nullptr))
        , mapping_(std::move(other.mapping_)) {}
    database& operator=(database&& other) noexcept {
        std::swap(db_, other.db_);
        std::swap(mapping_, other.mapping_);
        return *this;
    }
    database(const database&) = delete;
    database& operator=(const database&) = delete;
    ~database() { sqlite3_close_v2(db_); }

    [[nodiscard]] sqlite3* handle() const noexcept { return db_; }

    // The host's own table (adapters/mapping.hpp, the PostgreSQL adapter's mapping file): every
    // load, apply and schema call on this database reads and writes it through `m`. Refused
    // (other) when check_mapping finds errors.
    void use_mapping(adapters::table_mapping m) {
        const auto errors = adapters::check_mapping(m);
        if (!errors.empty()) throw error(error_kind::other, "mapping: " + errors.front());
        mapping_ = std::move(m);
    }
    [[nodiscard]] const adapters::table_mapping& mapping() const noexcept { return mapping_; }

    void exec(const std::string& sql) {
        char* message = nullptr;
        const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
        if (rc != SQLITE_OK) {
            const std::string text = message ? message : sqlite3_errstr(rc);
            sqlite3_free(message);
            throw detail::make_error(db_, rc, text);
        }
    }

  private:
    explicit database(sqlite3* db)
        : db_(db) {}
    sqlite3* db_;
    adapters::table_mapping mapping_;
};

} // namespace sqlite
} // namespace v0
} // namespace warden
