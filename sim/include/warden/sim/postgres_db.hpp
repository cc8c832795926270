#pragma once
// The world's database on PostgreSQL (issue 20, item 4): each run gets a schema of its own on the
// server a connection string names (`CREATE SCHEMA`, the connection's search_path set to it, the
// tables made by postgres::create_schema, the schema dropped when the run ends), and it is the
// store, written only through warden::postgres's compare-and-set statements (apply, apply_one,
// and adapters/postgres/worker_writes.hpp's complete, record_stage, edit_status); the blind
// writes are plain UPDATEs. sql_db.hpp has the store logic SQLite and PostgreSQL share; this is
// the SQL. Link warden::postgres to use it.
#include <warden/adapters/postgres.hpp>
#include <warden/adapters/postgres/worker_writes.hpp>
#include <warden/sim/sql_db.hpp>

#include <fmt/format.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace warden::sim {

class postgres_backend {
  public:
    static constexpr std::string_view name = "postgres";

    explicit postgres_backend(const std::string& conninfo)
        : db_(warden::postgres::connection::open(conninfo))
        , schema_(fresh_schema_name()) {
        db_.exec(fmt::format("CREATE SCHEMA {0}; SET search_path TO {0}", schema_));
        try {
            warden::postgres::create_schema(db_);
        } catch (...) { // the destructor does not run for a constructor that throws
            drop_schema();
            throw;
        }
    }
    postgres_backend(const postgres_backend&) = delete;
    postgres_backend& operator=(const postgres_backend&) = delete;
    ~postgres_backend() { drop_schema(); }

    [[nodiscard]] warden::postgres::connection& connection() noexcept { return db_; }
    [[nodiscard]] const std::string& schema() const noexcept { return schema_; }

    void insert_all(const std::vector<job>& rows) {
        db_.exec("BEGIN");
        try {
            for (const job& j : rows)
                warden::postgres::insert_job(db_, j);
            db_.exec("COMMIT");
        } catch (...) {
            db_.roll_back();
            throw;
        }
    }

    [[nodiscard]] std::optional<job> select(std::int64_t id) {
        return warden::postgres::load_job(db_, job_id{id});
    }

    [[nodiscard]] static std::string param(int n, std::string_view type) {
        return fmt::format("${}::{}", n, type);
    }

    // Its own transaction (autocommit).
    template <class... V>
    [[nodiscard]] std::int64_t update(const std::string& sql, const V&... values) {
        warden::postgres::params p;
        (p.add(values), ...);
        return db_.exec_prepared(sql, p).affected();
    }

  private:
    void drop_schema() noexcept {
        try {
            db_.roll_back();
            db_.exec(fmt::format("DROP SCHEMA IF EXISTS {} CASCADE", schema_));
        } catch (...) { // a server gone at the end of a run leaves a schema behind, nothing else
        }
    }

    // Unique on the server while this process runs, whichever host it runs on (several hosts
    // may drill against one server): the host's name hashed, the process id and a counter.
    static std::string fresh_schema_name() {
        static std::atomic<std::uint64_t> next{0};
        char host[256] = {};
        if (::gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
        const std::uint64_t host_hash = std::hash<std::string_view>{}(std::string_view{host});
        return fmt::format("warden_sim_{:08x}_{}_{}", host_hash & 0xffffffffu,
                           static_cast<long>(::getpid()), next++);
    }

    warden::postgres::connection db_;
    std::string schema_;
};

// The store: PostgreSQL's statements under sql_db's logic. store(mutant, conninfo).
using postgres_db = sql_db<postgres_backend>;

} // namespace warden::sim
