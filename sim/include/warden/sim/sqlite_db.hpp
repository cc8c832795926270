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
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::sim {

// The statements of the SQLite store: the adapter's functions, and plain UPDATEs for the blind
// writes. The two statements every few ticks run are prepared once.
class sqlite_backend {
  public:
    static constexpr std::string_view name = "sqlite";

    sqlite_backend()
        : db_(warden::sqlite::database::open(":memory:", warden::sqlite::database::mode::create)) {
        warden::sqlite::create_schema(db_);
        select_.emplace(db_.handle(), fmt::format("SELECT {} FROM jobs WHERE id = ?",
                                                  warden::sqlite::detail::job_columns));
        heartbeat_.emplace(
            db_.handle(),
            "UPDATE jobs SET last_progress_at = ?, version = version + 1 WHERE id = ?");
    }

    [[nodiscard]] warden::sqlite::database& connection() noexcept { return db_; }

    void insert_all(const std::vector<job>& rows) {
        db_.exec("BEGIN IMMEDIATE");
        for (const job& j : rows)
            warden::sqlite::insert_job(db_, j);
        db_.exec("COMMIT");
    }

    [[nodiscard]] snapshot load(timestamp now, adapters::runtime_facts facts) {
        return warden::sqlite::load_snapshot(db_, now, std::move(facts));
    }

    [[nodiscard]] bool apply(const plan& p, timestamp now, const adapters::apply_options& o) {
        return warden::sqlite::apply(db_, p, now, o).committed;
    }

    [[nodiscard]] adapters::action_status apply_one(const action& a, timestamp now) {
        return warden::sqlite::apply_one(db_, a, now);
    }

    [[nodiscard]] adapters::action_status edit_status(job_id job, job_status expected,
                                                      std::int64_t version, job_status to,
                                                      timestamp now) {
        return warden::sqlite::edit_status(db_, job, {expected, version}, to, now);
    }

    [[nodiscard]] adapters::action_status record_stage(job_id job, const std::string& stage,
                                                       timestamp at, std::int64_t version) {
        return warden::sqlite::record_stage(db_, job, stage, at, {job_status::running, version},
                                            true);
    }

    [[nodiscard]] completion_outcome complete(job_id job, std::int64_t version, timestamp now) {
        return warden::sqlite::complete(db_, job, version, now);
    }

    [[nodiscard]] std::optional<job> select(std::int64_t id) {
        select_->bind(1, id);
        std::optional<job> out;
        if (select_->step()) out = warden::sqlite::detail::read_job(*select_);
        select_->reset();
        return out;
    }

    [[nodiscard]] std::int64_t heartbeat(std::int64_t id, timestamp at) {
        return heartbeat_->bind(1, at).bind(2, id).run();
    }
    [[nodiscard]] std::int64_t record_error(std::int64_t id, failure_class f,
                                            const std::string& text) {
        warden::sqlite::detail::statement st(db_.handle(),
                                             "UPDATE jobs SET failure_class = ?, "
                                             "last_error = ?, version = version + 1 WHERE id = ?");
        return st.bind(1, warden::sqlite::detail::failure_text(f)).bind(2, text).bind(3, id).run();
    }
    [[nodiscard]] std::int64_t legacy_stage(std::int64_t id, const std::string& stage) {
        warden::sqlite::detail::statement st(db_.handle(),
                                             "UPDATE jobs SET last_stage = ?, has_outputs "
                                             "= 1, version = version + 1 WHERE id = ?");
        return st.bind(1, stage).bind(2, id).run();
    }
    [[nodiscard]] std::int64_t completed_at(std::int64_t id, timestamp at) {
        warden::sqlite::detail::statement st(
            db_.handle(), "UPDATE jobs SET completed_at = ?, version = version + 1 WHERE id = ?");
        return st.bind(1, at).bind(2, id).run();
    }
    [[nodiscard]] std::int64_t finished_at(std::int64_t id, timestamp at) {
        warden::sqlite::detail::statement st(
            db_.handle(), "UPDATE jobs SET finished_at = ?, version = version + 1 WHERE id = ?");
        return st.bind(1, at).bind(2, id).run();
    }
    [[nodiscard]] std::int64_t pipeline_stage(std::int64_t id, const std::string& stage,
                                              timestamp at) {
        warden::sqlite::detail::statement st(db_.handle(),
                                             "UPDATE jobs SET last_stage = ?, updated_at = ?, "
                                             "version = version + 1 WHERE id = ?");
        return st.bind(1, stage).bind(2, at).bind(3, id).run();
    }

  private:
    warden::sqlite::database db_;
    std::optional<warden::sqlite::detail::statement> select_, heartbeat_;
};

// The store: SQLite's statements under sql_db's logic.
using sqlite_db = sql_db<sqlite_backend>;

} // namespace warden::sim
