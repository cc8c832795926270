#pragma once
// The world's database on SQLite (issue 5): each run gets its own in-memory SQLite database
// (":memory:") and it is the store. The watchdog's snapshot rows, start and recovery history come
// from warden::sqlite::load_snapshot; its plan goes through warden::sqlite::apply; the worker's
// completion through warden::sqlite::complete, the crawler's stage write through record_stage,
// operator edits and the runner's running -> retryable through edit_status, worker starts through
// apply_one: every one a compare-and-set whose 0-row result is a conflict. The runner's blind
// writes (heartbeat, error columns, and legacy B7's stage write) are plain UPDATEs, as in the
// model. After every write the row is read back from SQLite, so the rows the world's invariants
// read are the ones SQLite holds; each watchdog read also checks SQLite has not moved behind
// the world's back. Link warden::sqlite to use it.
#include <warden/adapters/sqlite.hpp>
#include <warden/sim/database.hpp>
#include <warden/sim/options.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

namespace warden::sim {

class sqlite_db final : public database {
  public:
    // Test-only defects, to show the checks are not vacuous.
    enum class mutant : std::uint8_t {
        none,
        // The completion's 0-row UPDATE is reported as success (incident B7's defect).
        zero_rows_complete,
    };

    explicit sqlite_db(mutant m = mutant::none)
        : db_(warden::sqlite::database::open(":memory:", warden::sqlite::database::mode::create))
        , mutant_(m) {
        warden::sqlite::create_schema(db_);
        select_.emplace(db_.handle(), fmt::format("SELECT {} FROM jobs WHERE id = ?",
                                                  warden::sqlite::detail::job_columns));
        heartbeat_.emplace(
            db_.handle(),
            "UPDATE jobs SET last_progress_at = ?, version = version + 1 WHERE id = ?");
    }

    // A factory for world_options::store: a fresh in-memory database per run.
    [[nodiscard]] static std::function<std::unique_ptr<database>()> store(mutant m = mutant::none) {
        return [m] { return std::make_unique<sqlite_db>(m); };
    }
    static void attach(world_options& o) { o.store = store(); }

    // The connection, for tests that write behind the world's back.
    [[nodiscard]] warden::sqlite::database& sql() noexcept { return db_; }

    [[nodiscard]] std::string_view name() const noexcept override { return "sqlite"; }

    void create(const std::vector<job>& rows) override {
        guard([&] {
            db_.exec("BEGIN IMMEDIATE");
            for (const job& j : rows)
                warden::sqlite::insert_job(db_, j);
            db_.exec("COMMIT");
            rows_.resize(rows.size());
            for (std::uint32_t j = 0; j < rows.size(); ++j)
                refresh(j);
            if (rows_ != rows) fail("sqlite create: the rows read back differ from the inserted");
        });
    }

    const std::vector<job>& read(timestamp now, std::vector<start_record>& starts,
                                 std::vector<recovery_record>& recoveries) override {
        guard([&] {
            // The world's crawlers write last_progress_at (heartbeat): NULL is "no heartbeat
            // yet", judged from started_at as on the model store (issue 19's default would read
            // it as no progress source and part the two stores' traces).
            warden::sqlite::runtime_facts facts;
            facts.null_last_progress = warden::sqlite::null_progress::not_seen_yet;
            snapshot s = warden::sqlite::load_snapshot(db_, now, std::move(facts));
            drop_old_history(now);
            if (auto d = compare(s.jobs)) fail(*d);
            // SQLite returns history by (at, job); the world appends it in write order.
            auto by_time = [](auto v) {
                std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
                    return std::tuple{a.at, to_int(a.job)} < std::tuple{b.at, to_int(b.job)};
                });
                return v;
            };
            if (by_time(starts_) != s.starts)
                fail(fmt::format("sqlite read: {} recent starts in SQLite, {} written by the world",
                                 s.starts.size(), starts_.size()));
            if (by_time(recoveries_) != s.recoveries)
                fail(fmt::format("sqlite read: {} recent recoveries in SQLite, {} written by the "
                                 "world",
                                 s.recoveries.size(), recoveries_.size()));
            rows_ = std::move(s.jobs);
            starts = std::move(s.starts);
            recoveries = std::move(s.recoveries);
        });
        return rows_;
    }

    void apply(const plan& p, timestamp now, const before_action& before,
               const after_action& after) override {
        if (p.actions.empty()) return;
        guard([&] {
            warden::sqlite::apply_options o;
            o.after_each = [&](std::size_t i, warden::sqlite::action_status s) {
                const action& a = p.actions[i];
                if (const auto j = index(action_job(a))) refresh(*j);
                const bool landed = s == warden::sqlite::action_status::applied;
                if (std::holds_alternative<start_job>(a) && landed)
                    starts_.push_back(start_record{action_job(a), now});
                if (const auto* w = std::get_if<set_status>(&a);
                    w && w->rule == rule_id::stall_recovery && landed)
                    recoveries_.push_back(recovery_record{w->job, now, w->crawled_pages});
                after(i, s == warden::sqlite::action_status::conflict ? apply_outcome::conflict
                         : s == warden::sqlite::action_status::not_reached
                             ? apply_outcome::not_reached
                             : apply_outcome::applied);
                if (i + 1 < p.actions.size()) before(i + 1);
            };
            before(0);
            const auto r = warden::sqlite::apply(db_, p, now, o);
            if (!r.committed) fail("sqlite apply: the plan's transaction did not commit");
        });
    }

    void heartbeat(std::uint32_t j, timestamp at) override {
        guard([&] { blind(heartbeat_->bind(1, at).bind(2, id(j)), j); });
    }

    void record_error(std::uint32_t j, failure_class f, const std::string& text) override {
        guard([&] {
            warden::sqlite::detail::statement st(
                db_.handle(), "UPDATE jobs SET failure_class = ?, "
                              "last_error = ?, version = version + 1 WHERE id = ?");
            st.bind(1, warden::sqlite::detail::failure_text(f)).bind(2, text);
            blind(st.bind(3, id(j)), j);
        });
    }

    bool edit_status(std::uint32_t j, job_status expected, std::int64_t expected_version,
                     job_status to, timestamp now) override {
        return guard([&] {
            const auto s = warden::sqlite::edit_status(db_, job_id{id(j)},
                                                       {expected, expected_version}, to, now);
            refresh(j);
            return s == warden::sqlite::action_status::applied;
        });
    }

    // The operator's options edit goes through the adapter's compare-and-set for a tool-options
    // write, as the watchdog's own does.
    bool edit_options(std::uint32_t j, job_status expected, std::int64_t expected_version,
                      const tool_options& to) override {
        return guard([&] {
            const set_tool_options edit{job_id{id(j)},    expected, expected_version,
                                        rows_[j].options, to,       rule_id{}};
            const timestamp unused{}; // an options write stamps no time
            const bool ok = warden::sqlite::apply_one(db_, edit, unused) ==
                            warden::sqlite::action_status::applied;
            refresh(j);
            return ok;
        });
    }

    bool write_stage(std::uint32_t j, const std::string& stage, timestamp at,
                     std::optional<std::int64_t> expected_version) override {
        return guard([&] {
            bool ok = true;
            if (expected_version) {
                ok = warden::sqlite::record_stage(db_, job_id{id(j)}, stage, at,
                                                  {job_status::running, *expected_version},
                                                  true) == warden::sqlite::action_status::applied;
                refresh(j);
            } else { // legacy B7: the crawler's blind UPDATE, whatever the row's status
                warden::sqlite::detail::statement st(db_.handle(),
                                                     "UPDATE jobs SET last_stage = ?, has_outputs "
                                                     "= 1, version = version + 1 WHERE id = ?");
                blind(st.bind(1, stage).bind(2, id(j)), j);
            }
            return ok;
        });
    }

    completion_outcome complete(std::uint32_t j, std::int64_t expected_version,
                                timestamp now) override {
        return guard([&] {
            auto outcome = warden::sqlite::complete(db_, job_id{id(j)}, expected_version, now);
            if (mutant_ == mutant::zero_rows_complete) outcome = completion_outcome::complete;
            refresh(j);
            return outcome;
        });
    }

    void write_completed_at(std::uint32_t j, timestamp at) override {
        guard([&] {
            warden::sqlite::detail::statement st(
                db_.handle(),
                "UPDATE jobs SET completed_at = ?, version = version + 1 WHERE id = ?");
            blind(st.bind(1, at).bind(2, id(j)), j);
        });
    }

    void stamp_finished_at(std::uint32_t j, timestamp at) override {
        guard([&] {
            warden::sqlite::detail::statement st(
                db_.handle(),
                "UPDATE jobs SET finished_at = ?, version = version + 1 WHERE id = ?");
            blind(st.bind(1, at).bind(2, id(j)), j);
        });
    }

    void write_pipeline_stage(std::uint32_t j, const std::string& stage, timestamp at) override {
        guard([&] {
            warden::sqlite::detail::statement st(db_.handle(),
                                                 "UPDATE jobs SET last_stage = ?, updated_at = ?, "
                                                 "version = version + 1 WHERE id = ?");
            blind(st.bind(1, stage).bind(2, at).bind(3, id(j)), j);
        });
    }

    bool worker_start(std::uint32_t j, std::int64_t expected_version, timestamp now) override {
        return guard([&] {
            const start_job claim{job_id{id(j)}, job_status::queued, expected_version,
                                  rows_[j].options, rule_id{}};
            const bool ok = warden::sqlite::apply_one(db_, claim, now) ==
                            warden::sqlite::action_status::applied;
            refresh(j);
            if (ok) starts_.push_back(start_record{claim.job, now});
            return ok;
        });
    }

  private:
    [[nodiscard]] std::int64_t id(std::uint32_t j) const noexcept { return to_int(rows_[j].id); }

    [[nodiscard]] std::optional<std::uint32_t> index(job_id id) const noexcept {
        const auto at = to_int(id) - 1;
        if (at < 0 || at >= static_cast<std::int64_t>(rows_.size())) return std::nullopt;
        return static_cast<std::uint32_t>(at);
    }

    // The row as SQLite now holds it.
    void refresh(std::uint32_t j) {
        select_->bind(1, static_cast<std::int64_t>(j) + 1);
        if (select_->step())
            rows_[j] = warden::sqlite::detail::read_job(*select_);
        else
            fail(fmt::format("sqlite: job {} is gone", j + 1));
        select_->reset();
    }

    // A blind write: exactly one row, whatever its status.
    void blind(warden::sqlite::detail::statement& st, std::uint32_t j) {
        if (st.run() != 1) fail(fmt::format("sqlite: a blind write of job {} hit no row", j + 1));
        refresh(j);
    }

    void fail(std::string what) {
        if (!failure_) failure_ = std::move(what);
    }

    // SQLite errors become the store's failure (a violation), never an exception out of the world.
    template <class F>
    auto guard(F&& f) -> decltype(f()) {
        try {
            return f();
        } catch (const std::exception& e) {
            fail(fmt::format("sqlite: {}", e.what()));
            if constexpr (std::is_same_v<decltype(f()), completion_outcome>)
                return completion_outcome::not_running;
            else if constexpr (!std::is_void_v<decltype(f())>)
                return decltype(f()){};
        }
    }

    // The rows SQLite returned against the ones the world last read back from it.
    [[nodiscard]] std::optional<std::string> compare(const std::vector<job>& sql) const {
        if (sql.size() != rows_.size())
            return fmt::format("sqlite read: {} rows in SQLite, {} in the world", sql.size(),
                               rows_.size());
        for (std::size_t i = 0; i < sql.size(); ++i)
            if (sql[i] != rows_[i])
                return fmt::format("sqlite read: job {} moved in SQLite behind the world's back "
                                   "({}/v{} there, {}/v{} last read)",
                                   i + 1, to_string(sql[i].status), sql[i].version,
                                   to_string(rows_[i].status), rows_[i].version);
        return std::nullopt;
    }

    warden::sqlite::database db_;
    mutant mutant_;
    // Prepared once: the two statements every few ticks run.
    std::optional<warden::sqlite::detail::statement> select_, heartbeat_;
};

} // namespace warden::sim
