#pragma once
// The PostgreSQL adapter's connection (libpq): error kinds, query parameters, a result, one
// connection. Every query goes through PQexecParams with text parameters, never spliced into SQL.
#include <warden/adapters/mapping.hpp>
#include <warden/core/time.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <libpq-fe.h>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace warden {
inline namespace v0 {
namespace postgres {

enum class error_kind : std::uint8_t {
    cannot_open,     // no server, refused, bad connection string, no such database or role
    no_schema,       // the server answers, but `warden schema` never ran on this database
    newer_schema,    // written by a newer warden: refuse rather than misread
    older_schema,    // an older warden's tables: `warden schema` upgrades them
    busy,            // a lock held past lock_timeout, statement_timeout, a deadlock, serialization
    read_only,       // a read-only transaction or server, or no privilege to write
    constraint,      // a row violates the schema (a CHECK, NOT NULL, a host's trigger)
    disk_full,       // the server's disk is full: the transaction was rolled back
    connection_lost, // the server went away mid-transaction: nothing of it was committed
    other,
};

[[nodiscard]] constexpr std::string_view to_string(error_kind k) noexcept {
    switch (k) {
    case error_kind::cannot_open: return "cannot_open";
    case error_kind::no_schema: return "no_schema";
    case error_kind::newer_schema: return "newer_schema";
    case error_kind::older_schema: return "older_schema";
    case error_kind::busy: return "busy";
    case error_kind::read_only: return "read_only";
    case error_kind::constraint: return "constraint";
    case error_kind::disk_full: return "disk_full";
    case error_kind::connection_lost: return "connection_lost";
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

// libpq's messages end in a newline; ours are one line.
[[nodiscard]] inline std::string trimmed(std::string message) {
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
        message.pop_back();
    return message;
}

// By SQLSTATE (PostgreSQL's errcodes appendix): the class (first two characters) for most.
[[nodiscard]] inline error_kind classify(std::string_view sqlstate) noexcept {
    if (sqlstate == "55P03" || sqlstate == "57014" || sqlstate == "40001" || sqlstate == "40P01")
        return error_kind::busy; // lock_not_available, query_canceled (statement_timeout), ...
    if (sqlstate == "25006" || sqlstate == "42501") return error_kind::read_only;
    if (sqlstate == "53100") return error_kind::disk_full;
    if (sqlstate == "42P01") return error_kind::no_schema; // undefined_table
    const std::string_view cls = sqlstate.substr(0, 2);
    if (cls == "23") return error_kind::constraint;
    if (cls == "08" || cls == "57") return error_kind::connection_lost; // admin_shutdown, crash
    return error_kind::other;
}

// The server's message with what it says about where: table, column, constraint.
[[nodiscard]] inline error make_error(PGconn* conn, const PGresult* res, std::string_view doing) {
    auto field = [&](int code) -> std::string {
        const char* v = res ? PQresultErrorField(res, code) : nullptr;
        return v ? v : "";
    };
    std::string sqlstate = field(PG_DIAG_SQLSTATE);
    std::string message = field(PG_DIAG_MESSAGE_PRIMARY);
    if (message.empty()) message = trimmed(conn ? PQerrorMessage(conn) : "out of memory");
    std::string where;
    if (const auto table = field(PG_DIAG_TABLE_NAME); !table.empty()) {
        where = " (table " + table;
        if (const auto column = field(PG_DIAG_COLUMN_NAME); !column.empty())
            where += ", column " + column;
        if (const auto constraint = field(PG_DIAG_CONSTRAINT_NAME); !constraint.empty())
            where += ", constraint " + constraint;
        where += ")";
    }
    if (const auto detail = field(PG_DIAG_MESSAGE_DETAIL); !detail.empty()) where += ": " + detail;
    error_kind kind = error_kind::other;
    if (!sqlstate.empty())
        kind = classify(sqlstate);
    else if (conn && PQstatus(conn) == CONNECTION_BAD)
        kind = error_kind::connection_lost;
    std::string text = fmt::format("{}: {}{}", doing, message, where);
    if (!sqlstate.empty()) text += fmt::format(" [SQLSTATE {}]", sqlstate);
    if (kind == error_kind::disk_full)
        text += ": the transaction was rolled back, nothing was written; free space on the server";
    if (kind == error_kind::connection_lost)
        text += ": the connection was lost; the transaction was not committed";
    return error(kind, text);
}

} // namespace detail

// A query's parameters, as text ($1, $2, ... in order of add); NULL for an empty optional.
class params {
  public:
    params& add(std::int64_t v) {
        values_.emplace_back(std::to_string(v));
        return *this;
    }
    params& add(int v) { return add(std::int64_t{v}); }
    params& add(std::string_view v) {
        values_.emplace_back(std::string{v});
        return *this;
    }
    params& add(const char* v) { return add(std::string_view{v}); }
    params& add(const std::string& v) { return add(std::string_view{v}); }
    params& add(bool v) { return add(std::int64_t{v ? 1 : 0}); }
    params& add(timestamp t) { return add(epoch_seconds(t)); }
    params& add_null() {
        values_.emplace_back(std::nullopt);
        return *this;
    }
    template <class T>
    params& add(const std::optional<T>& v) {
        return v ? add(*v) : add_null();
    }
    [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }
    [[nodiscard]] std::vector<const char*> pointers() const {
        std::vector<const char*> out;
        out.reserve(values_.size());
        for (const auto& v : values_)
            out.push_back(v ? v->c_str() : nullptr);
        return out;
    }

  private:
    std::vector<std::optional<std::string>> values_;
};

// A query's result. Move-only; clears on destruction.
class result {
  public:
    explicit result(PGresult* r)
        : res_(r) {}
    result(result&& o) noexcept
        : res_(std::exchange(o.res_, nullptr)) {}
    result& operator=(result&& o) noexcept {
        std::swap(res_, o.res_);
        return *this;
    }
    result(const result&) = delete;
    result& operator=(const result&) = delete;
    ~result() { PQclear(res_); }

    [[nodiscard]] int rows() const { return PQntuples(res_); }
    // Rows an UPDATE, INSERT or DELETE changed (PQcmdTuples).
    [[nodiscard]] std::int64_t affected() const {
        const char* n = PQcmdTuples(res_);
        return n && *n ? std::strtoll(n, nullptr, 10) : 0;
    }
    [[nodiscard]] bool is_null(int row, int col) const { return PQgetisnull(res_, row, col) != 0; }
    [[nodiscard]] std::string text(int row, int col) const {
        return std::string(PQgetvalue(res_, row, col),
                           static_cast<std::size_t>(PQgetlength(res_, row, col)));
    }
    [[nodiscard]] std::int64_t integer(int row, int col) const {
        return std::strtoll(PQgetvalue(res_, row, col), nullptr, 10);
    }
    [[nodiscard]] std::optional<std::int64_t> maybe_integer(int row, int col) const {
        if (is_null(row, col)) return std::nullopt;
        return integer(row, col);
    }
    [[nodiscard]] PGresult* handle() const noexcept { return res_; }

  private:
    PGresult* res_;
};

// One connection. Move-only; closes on destruction (the server rolls back an open transaction).
class connection {
  public:
    // Connects with a libpq connection string or URI (`postgresql://user@host/db`,
    // `host=/run/postgresql dbname=jobs`). `lock_timeout`: how long a statement waits for a row
    // or table lock another session holds before failing as busy (PostgreSQL's lock_timeout);
    // `statement_timeout`: the longest any one statement may run (0: no limit).
    [[nodiscard]] static connection
    open(const std::string& conninfo,
         std::chrono::milliseconds lock_timeout = std::chrono::seconds{5},
         std::chrono::milliseconds statement_timeout = std::chrono::seconds{0}) {
        connection c{PQconnectdb(conninfo.c_str())};
        if (!c.conn_) throw error(error_kind::cannot_open, "connect: out of memory");
        if (PQstatus(c.conn_) != CONNECTION_OK) {
            const std::string message = detail::trimmed(PQerrorMessage(c.conn_));
            // The connection string may hold a password: name the database, never echo it.
            const char* db = PQdb(c.conn_);
            throw error(error_kind::cannot_open,
                        fmt::format("connect to PostgreSQL database {}: {}",
                                    db && *db ? db : "(default)", message));
        }
        // NOTICEs (CREATE ... IF NOT EXISTS on existing tables) are not for the operator.
        PQsetNoticeProcessor(
            c.conn_, [](void*, const char*) {}, nullptr);
        c.exec(fmt::format("SET lock_timeout = {}; SET statement_timeout = {}; "
                           "SET application_name = 'warden'",
                           lock_timeout.count(), statement_timeout.count()));
        return c;
    }

    connection(connection&& o) noexcept
        : conn_(std::exchange(o.conn_, nullptr))
        , mapping_(std::move(o.mapping_))
        , prepared_(std::move(o.prepared_)) {}
    connection& operator=(connection&& o) noexcept {
        std::swap(conn_, o.conn_);
        std::swap(mapping_, o.mapping_);
        std::swap(prepared_, o.prepared_);
        return *this;
    }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    ~connection() { PQfinish(conn_); }

    [[nodiscard]] PGconn* handle() const noexcept { return conn_; }

    // The host's own table (adapters/mapping.hpp): every load, apply and schema call on this
    // connection reads and writes it through `m`. Refused (other) when check_mapping finds errors.
    void use_mapping(adapters::table_mapping m) {
        const auto errors = adapters::check_mapping(m);
        if (!errors.empty()) throw error(error_kind::other, "mapping: " + errors.front());
        mapping_ = std::move(m);
    }
    [[nodiscard]] const adapters::table_mapping& mapping() const noexcept { return mapping_; }

    // One or more statements without parameters.
    result exec(const std::string& sql) {
        result r{PQexec(conn_, sql.c_str())};
        check(r, sql);
        return r;
    }
    result exec(const std::string& sql, const params& p) {
        const auto values = p.pointers();
        result r{PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                              values.data(), nullptr, nullptr, 0)};
        check(r, sql);
        return r;
    }
    // As exec(sql, p), through a statement prepared on this connection the first time `sql` is
    // run (PQprepare, then PQexecPrepared): the server parses each distinct SQL text once per
    // connection instead of once per call. For the writes a plan repeats per action (apply.hpp).
    // A statement that failed to prepare is not kept: the next call prepares it again. Prepared
    // statements live as long as the connection (a transaction's rollback keeps them); a
    // transaction-mode connection pooler that does not track them (PgBouncer before 1.21) is
    // not supported.
    result exec_prepared(const std::string& sql, const params& p) {
        auto found = prepared_.find(sql);
        if (found == prepared_.end()) {
            std::string name = fmt::format("warden_{}", prepared_.size());
            const result r{
                PQprepare(conn_, name.c_str(), sql.c_str(), static_cast<int>(p.size()), nullptr)};
            check(r, sql);
            found = prepared_.emplace(sql, std::move(name)).first;
        }
        const auto values = p.pointers();
        result r{PQexecPrepared(conn_, found->second.c_str(), static_cast<int>(values.size()),
                                values.data(), nullptr, nullptr, 0)};
        check(r, sql);
        return r;
    }
    // How many statements exec_prepared has prepared on this connection.
    [[nodiscard]] std::size_t prepared_count() const noexcept { return prepared_.size(); }

    // Whether a transaction is open (PQtransactionStatus): idle-in-transaction or failed in one.
    [[nodiscard]] bool in_transaction() const {
        const auto s = PQtransactionStatus(conn_);
        return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
    }
    // Rolls back whatever transaction is open, never throwing (the error path's cleanup).
    void roll_back() noexcept {
        if (conn_ && in_transaction()) PQclear(PQexec(conn_, "ROLLBACK"));
    }

  private:
    explicit connection(PGconn* c)
        : conn_(c) {}
    void check(const result& r, std::string_view sql) {
        const auto st = r.handle() ? PQresultStatus(r.handle()) : PGRES_FATAL_ERROR;
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return;
        // The first line of the statement says which one failed.
        std::string_view first = sql;
        while (!first.empty() && (first.front() == '\n' || first.front() == ' '))
            first.remove_prefix(1);
        first = first.substr(0, std::min(first.find('\n'), std::size_t{60}));
        throw detail::make_error(conn_, r.handle(), fmt::format("{}", first));
    }
    PGconn* conn_;
    adapters::table_mapping mapping_;
    std::unordered_map<std::string, std::string> prepared_; // SQL text -> prepared name
};

} // namespace postgres
} // namespace v0
} // namespace warden
