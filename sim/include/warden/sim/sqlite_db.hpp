#pragma once
// The world's database on SQLite (issue 5): an in-memory database per run that every watchdog
// tick is checked against. Before the plan, the world's rows and start history are written to
// SQLite as they are (the worker's, the operator's and the runtime's writes since the last
// tick); the snapshot is read back with warden::sqlite::load_snapshot and must hold the same
// rows; the plan is applied with warden::sqlite::apply; the rows SQLite then holds, its start
// history and its conflict count must equal the world's. Link warden::sqlite to use it.
#include <warden/adapters/sqlite.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/sim/options.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace warden::sim {

class sqlite_db {
  public:
    sqlite_db()
        : db_(warden::sqlite::database::open(":memory:", warden::sqlite::database::mode::create)) {
        warden::sqlite::create_schema(db_);
    }

    // Installs a fresh in-memory database as o.db_check.
    static void attach(world_options& o) {
        auto db = std::make_shared<sqlite_db>();
        o.db_check = [db](const snapshot& before, const plan& p, const std::vector<job>& after,
                          const std::vector<start_record>& starts, std::int64_t conflicts) {
            return db->check(before, p, after, starts, conflicts);
        };
    }

    std::optional<std::string> check(const snapshot& before, const plan& p,
                                     const std::vector<job>& after,
                                     const std::vector<start_record>& starts_after,
                                     std::int64_t conflicts) {
        sync(before);
        const snapshot loaded = warden::sqlite::load_snapshot(db_, before.now, {});
        if (auto d = compare("load_snapshot", loaded.jobs, before.jobs)) return d;
        const warden::sqlite::apply_result r = warden::sqlite::apply(db_, p, before.now);
        if (!r.committed) return std::string{"sqlite: the plan's transaction did not commit"};
        if (r.conflicts != conflicts)
            return fmt::format("sqlite: {} conflicts in SQLite, {} in the world", r.conflicts,
                               conflicts);
        const snapshot now = warden::sqlite::load_snapshot(db_, before.now, {});
        if (auto d = compare("apply", now.jobs, after)) return d;
        std::size_t recent = 0;
        for (const auto& s : starts_after)
            if (s.at > before.now - one_day) ++recent;
        if (now.starts.size() != recent)
            return fmt::format("sqlite: {} recent starts in SQLite, {} in the world",
                               now.starts.size(), recent);
        return std::nullopt;
    }

  private:
    // The world's own writes since the last tick: every row and the start history, as they are.
    void sync(const snapshot& s) {
        db_.exec("BEGIN IMMEDIATE");
        db_.exec("DELETE FROM job_starts");
        db_.exec("DELETE FROM jobs");
        for (const job& j : s.jobs)
            warden::sqlite::insert_job(db_, j);
        for (const start_record& r : s.starts)
            warden::sqlite::record_start(db_, r.job, r.at);
        db_.exec("COMMIT");
    }

    [[nodiscard]] static bool same(const job& a, const job& b) {
        return a.id == b.id && a.status == b.status && a.version == b.version &&
               a.options == b.options && a.kind == b.kind && a.campaign_year == b.campaign_year &&
               a.failure == b.failure && a.started_at == b.started_at &&
               a.finished_at == b.finished_at && a.completed_at == b.completed_at &&
               a.retry_count == b.retry_count && a.last_stage == b.last_stage &&
               a.has_outputs == b.has_outputs && a.last_progress_at == b.last_progress_at &&
               a.queued_at == b.queued_at;
    }

    // SQLite returns rows by id; the world's are indexed by id - 1 (or in any order before).
    static std::optional<std::string> compare(const char* step, const std::vector<job>& sql,
                                              const std::vector<job>& world) {
        if (sql.size() != world.size())
            return fmt::format("sqlite {}: {} rows in SQLite, {} in the world", step, sql.size(),
                               world.size());
        for (const job& w : world) {
            const auto i = static_cast<std::size_t>(to_int(w.id) - 1);
            if (i >= sql.size() || !same(sql[i], w))
                return fmt::format("sqlite {}: job {} differs between SQLite and the world", step,
                                   to_int(w.id));
        }
        return std::nullopt;
    }

    warden::sqlite::database db_;
};

} // namespace warden::sim
