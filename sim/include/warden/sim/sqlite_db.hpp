#pragma once
// The world's database on SQLite (issue 5): each run gets its own in-memory SQLite database
// (":memory:") and it is the store, written only through warden::sqlite's compare-and-set
// statements (sql_db.hpp has the store logic SQLite and PostgreSQL share; this is the SQL). Link
// warden::sqlite to use it.
#include <warden/adapters/sqlite.hpp>
#include <warden/sim/sql_db.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::sim {

// The statements of the SQLite store: the adapter's functions (on connection()), and plain
// UPDATEs for the blind writes. The select every write runs, and each blind write, prepared once.
class sqlite_backend {
  public:
    static constexpr std::string_view name = "sqlite";

    sqlite_backend()
        : db_(warden::sqlite::database::open(":memory:", warden::sqlite::database::mode::create)) {
        warden::sqlite::create_schema(db_);
        select_.emplace(db_.handle(), fmt::format("SELECT {} FROM jobs WHERE id = ?",
                                                  warden::sqlite::detail::job_columns));
    }

    [[nodiscard]] warden::sqlite::database& connection() noexcept { return db_; }

    void insert_all(const std::vector<job>& rows) {
        db_.exec("BEGIN IMMEDIATE");
        for (const job& j : rows)
            warden::sqlite::insert_job(db_, j);
        db_.exec("COMMIT");
    }

    [[nodiscard]] std::optional<job> select(std::int64_t id) {
        select_->bind(1, id);
        std::optional<job> out;
        if (select_->step()) out = warden::sqlite::detail::read_job(*select_);
        select_->reset();
        return out;
    }

    [[nodiscard]] static std::string param(int n, std::string_view /*type*/) {
        return fmt::format("?{}", n);
    }

    // Each statement prepared once, on its first run.
    template <class... V>
    [[nodiscard]] std::int64_t update(const std::string& sql, const V&... values) {
        auto found = updates_.find(sql);
        if (found == updates_.end())
            found =
                updates_
                    .emplace(sql,
                             std::make_unique<warden::sqlite::detail::statement>(db_.handle(), sql))
                    .first;
        int at = 0;
        (found->second->bind(++at, values), ...);
        return found->second->run();
    }

  private:
    warden::sqlite::database db_;
    std::optional<warden::sqlite::detail::statement> select_;
    std::map<std::string, std::unique_ptr<warden::sqlite::detail::statement>, std::less<>> updates_;
};

// The store: SQLite's statements under sql_db's logic.
using sqlite_db = sql_db<sqlite_backend>;

} // namespace warden::sim
