#pragma once
// The tests' way to the throwaway server (server.sh, started by the CTest fixture): each test gets
// its own PostgreSQL schema (namespace) in the one database, so tests never see each other's rows.
#include <warden/adapters/postgres.hpp>

#include <chrono>
#include <string>

namespace pgt {

namespace pg = warden::postgres;

// The server's connection string: WARDEN_PG_CONNINFO, or the conninfo file server.sh wrote in
// WARDEN_PG_DIR. Throws (the test fails) when neither is there: never a skip.
std::string server_conninfo();

// A fresh, empty schema for one test, dropped at the end; `conninfo` connects into it.
struct fresh_db {
    std::string schema;
    std::string conninfo;
    fresh_db();
    fresh_db(const fresh_db&) = delete;
    fresh_db& operator=(const fresh_db&) = delete;
    ~fresh_db();
    [[nodiscard]] pg::connection
    open(std::chrono::milliseconds lock_timeout = std::chrono::seconds{10},
         std::chrono::milliseconds statement_timeout = std::chrono::seconds{0}) const {
        return pg::connection::open(conninfo, lock_timeout, statement_timeout);
    }
    [[nodiscard]] pg::connection create() const {
        auto db = open();
        pg::create_schema(db);
        return db;
    }
};

// The first column of the first row of `sql`, as an integer.
std::int64_t count(pg::connection& db, const std::string& sql);

// Every column of a jobs row, as one string: "did anything change" without naming the columns.
std::string row_text(pg::connection& db, std::int64_t id);

} // namespace pgt
