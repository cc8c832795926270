#pragma once
// The world's database on a real SQL store (issue 5: SQLite; issue 20: PostgreSQL): the store
// logic both share. The watchdog's snapshot rows, start and recovery history come from the
// adapter's load_snapshot; its plan goes through the adapter's apply; the worker's completion
// through its complete, the crawler's stage write through record_stage, operator edits and the
// runner's running -> retryable through edit_status, worker starts and operator option edits
// through apply_one: every one a compare-and-set whose 0-row result is a conflict. The runner's
// blind writes (heartbeat, error columns, completed_at, finished_at, the pipeline's stage marker,
// and legacy B7's stage write) are plain UPDATEs, as in the model. After every write the row is
// read back from the store, so the rows the world's invariants read are the ones the store holds;
// each watchdog read also checks the store has not moved behind the world's back. An SQL error
// is the store's failure (a cas_overwrite violation), never an exception out of the world.
//
// A backend (sqlite_db.hpp, postgres_db.hpp) supplies the connection and the statements the
// adapters do not: name, connection() (the adapter's connection, which the adapter's functions
// are called on: both adapters name them alike), insert_all, select, param(n, type) (how the SQL
// writes parameter n: ?n, or $n::type) and update(sql, values...) (a blind write's statement
// run with the values bound in order, returning the rows changed).
#include <warden/adapters/apply_result.hpp>
#include <warden/adapters/detail/columns.hpp>
#include <warden/adapters/load_types.hpp>
#include <warden/sim/database.hpp>
#include <warden/sim/options.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace warden::sim {

namespace detail {

// The adapter's functions on a backend's connection (a warden::sqlite::database or a
// warden::postgres::connection), found in the adapter's namespace by argument-dependent lookup.
// At namespace scope: inside sql_db its own members of these names would hide them.
template <class Connection>
[[nodiscard]] snapshot adapter_load(Connection& db, timestamp now, adapters::runtime_facts facts) {
    return load_snapshot(db, now, std::move(facts));
}
template <class Connection>
[[nodiscard]] bool adapter_apply(Connection& db, const plan& p, timestamp now,
                                 const adapters::apply_options& o) {
    return apply(db, p, now, o).committed;
}
template <class Connection>
[[nodiscard]] adapters::action_status adapter_apply_one(Connection& db, const action& a,
                                                        timestamp now) {
    return apply_one(db, a, now);
}
template <class Connection>
[[nodiscard]] adapters::action_status adapter_edit_status(Connection& db, job_id job,
                                                          job_status expected, std::int64_t version,
                                                          job_status to, timestamp now) {
    return edit_status(db, job, {expected, version}, to, now);
}
// The crawler's stage write: on a running row at `version`, outputs recorded.
template <class Connection>
[[nodiscard]] adapters::action_status adapter_record_stage(Connection& db, job_id job,
                                                           const std::string& stage, timestamp at,
                                                           std::int64_t version) {
    return record_stage(db, job, stage, at, {job_status::running, version}, true);
}
template <class Connection>
[[nodiscard]] completion_outcome adapter_complete(Connection& db, job_id job, std::int64_t version,
                                                  timestamp now) {
    return complete(db, job, version, now);
}

// A blind write's value as SQL types it: text for a string, bigint for a number or a time.
template <class V>
[[nodiscard]] constexpr std::string_view sql_type() noexcept {
    if constexpr (std::is_convertible_v<V, std::string_view> ||
                  std::is_same_v<V, std::optional<std::string_view>>)
        return "text";
    else
        return "bigint";
}

} // namespace detail

// Test-only defects of a SQL store, to show the checks are not vacuous.
enum class store_mutant : std::uint8_t {
    none,
    // The completion's 0-row UPDATE is reported as success (incident B7's defect).
    zero_rows_complete,
};

template <class Backend>
class sql_db final : public database {
  public:
    using mutant = store_mutant;
    using backend_type = Backend;

    template <class... Args>
    explicit sql_db(mutant m, Args&&... args)
        : db_(std::forward<Args>(args)...)
        , mutant_(m) {}

    // A factory for world_options::store: a fresh store per run, its backend built from `args`
    // (SQLite: none, an in-memory database; PostgreSQL: a connection string).
    template <class... Args>
    [[nodiscard]] static std::function<std::unique_ptr<database>()> store(mutant m = mutant::none,
                                                                          Args... args) {
        return [m, args...] { return std::make_unique<sql_db>(m, args...); };
    }
    template <class... Args>
    static void attach(world_options& o, Args... args) {
        o.store = store(mutant::none, std::move(args)...);
    }

    [[nodiscard]] std::string_view name() const noexcept override { return Backend::name; }

    // The store's connection, for tests that write behind the world's back.
    [[nodiscard]] auto& sql() noexcept { return db_.connection(); }

    void create(const std::vector<job>& rows) override {
        guard([&] {
            db_.insert_all(rows);
            rows_.resize(rows.size());
            for (std::uint32_t j = 0; j < rows.size(); ++j)
                refresh(j);
            if (rows_ != rows)
                fail(fmt::format("{} create: the rows read back differ from the "
                                 "inserted",
                                 Backend::name));
        });
    }

    const std::vector<job>& read(timestamp now, std::vector<start_record>& starts,
                                 std::vector<recovery_record>& recoveries) override {
        guard([&] {
            // The world's crawlers write last_progress_at (heartbeat): NULL is "no heartbeat
            // yet", judged from started_at as on the model store (issue 19's default would read
            // it as no progress source and part the stores' traces).
            adapters::runtime_facts facts;
            facts.null_last_progress = adapters::null_progress::not_seen_yet;
            snapshot s = detail::adapter_load(db_.connection(), now, std::move(facts));
            drop_old_history(now);
            if (auto d = compare(s.jobs)) fail(*d);
            // The store returns history by (at, job); the world appends it in write order.
            auto by_time = [](auto v) {
                std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
                    return std::tuple{a.at, to_int(a.job)} < std::tuple{b.at, to_int(b.job)};
                });
                return v;
            };
            if (by_time(starts_) != s.starts)
                fail(fmt::format("{} read: {} recent starts in the store, {} written by the world",
                                 Backend::name, s.starts.size(), starts_.size()));
            if (by_time(recoveries_) != s.recoveries)
                fail(fmt::format("{} read: {} recent recoveries in the store, {} written by the "
                                 "world",
                                 Backend::name, s.recoveries.size(), recoveries_.size()));
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
            adapters::apply_options o;
            o.after_each = [&](std::size_t i, adapters::action_status s) {
                const action& a = p.actions[i];
                if (const auto j = index(action_job(a))) refresh(*j);
                const bool landed = s == adapters::action_status::applied;
                if (std::holds_alternative<start_job>(a) && landed)
                    starts_.push_back(start_record{action_job(a), now});
                if (const auto* w = std::get_if<set_status>(&a);
                    w && w->rule == rule_id::stall_recovery && landed)
                    recoveries_.push_back(recovery_record{w->job, now, w->crawled_pages});
                after(i, s == adapters::action_status::conflict      ? apply_outcome::conflict
                         : s == adapters::action_status::not_reached ? apply_outcome::not_reached
                                                                     : apply_outcome::applied);
                if (i + 1 < p.actions.size()) before(i + 1);
            };
            before(0);
            if (!detail::adapter_apply(db_.connection(), p, now, o))
                fail(fmt::format("{} apply: the plan's transaction did not commit", Backend::name));
        });
    }

    void heartbeat(std::uint32_t j, timestamp at) override {
        guard([&] { blind(j, "last_progress_at = ?", at); });
    }

    void record_error(std::uint32_t j, failure_class f, const std::string& text) override {
        guard([&] {
            blind(j, "failure_class = ?, last_error = ?", adapters::detail::failure_text(f), text);
        });
    }

    bool edit_status(std::uint32_t j, job_status expected, std::int64_t expected_version,
                     job_status to, timestamp now) override {
        return guard([&] {
            const auto s = detail::adapter_edit_status(db_.connection(), job_id{id(j)}, expected,
                                                       expected_version, to, now);
            refresh(j);
            return s == adapters::action_status::applied;
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
            const bool ok = detail::adapter_apply_one(db_.connection(), edit, unused) ==
                            adapters::action_status::applied;
            refresh(j);
            return ok;
        });
    }

    bool write_stage(std::uint32_t j, const std::string& stage, timestamp at,
                     std::optional<std::int64_t> expected_version) override {
        return guard([&] {
            bool ok = true;
            if (expected_version) {
                ok = detail::adapter_record_stage(db_.connection(), job_id{id(j)}, stage, at,
                                                  *expected_version) ==
                     adapters::action_status::applied;
                refresh(j);
            } else { // legacy B7: the crawler's blind UPDATE, whatever the row's status
                blind(j, "last_stage = ?, has_outputs = 1", stage);
            }
            return ok;
        });
    }

    completion_outcome complete(std::uint32_t j, std::int64_t expected_version,
                                timestamp now) override {
        return guard([&] {
            auto outcome =
                detail::adapter_complete(db_.connection(), job_id{id(j)}, expected_version, now);
            if (mutant_ == mutant::zero_rows_complete) outcome = completion_outcome::complete;
            refresh(j);
            return outcome;
        });
    }

    void write_completed_at(std::uint32_t j, timestamp at) override {
        guard([&] { blind(j, "completed_at = ?", at); });
    }

    void stamp_finished_at(std::uint32_t j, timestamp at) override {
        guard([&] { blind(j, "finished_at = ?", at); });
    }

    void write_pipeline_stage(std::uint32_t j, const std::string& stage, timestamp at) override {
        guard([&] { blind(j, "last_stage = ?, updated_at = ?", stage, at); });
    }

    bool worker_start(std::uint32_t j, std::int64_t expected_version, timestamp now) override {
        return guard([&] {
            const start_job claim{job_id{id(j)}, job_status::queued, expected_version,
                                  rows_[j].options, rule_id{}};
            const bool ok = detail::adapter_apply_one(db_.connection(), claim, now) ==
                            adapters::action_status::applied;
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

    // The row as the store now holds it.
    void refresh(std::uint32_t j) {
        if (std::optional<job> r = db_.select(static_cast<std::int64_t>(j) + 1))
            rows_[j] = std::move(*r);
        else
            fail(fmt::format("{}: job {} is gone", Backend::name, j + 1));
    }

    // A blind write (an UPDATE of job j's row, whatever its status, the version bumped): `set`
    // the assignments with a ? for each of `values`, written as the backend writes parameters.
    // Exactly one row.
    template <class... V>
    void blind(std::uint32_t j, std::string_view set, const V&... values) {
        const std::array<std::string_view, sizeof...(V)> types{detail::sql_type<V>()...};
        std::string sql = "UPDATE jobs SET ";
        std::size_t n = 0;
        for (const char c : set) {
            if (c != '?') {
                sql += c;
                continue;
            }
            sql += Backend::param(static_cast<int>(n + 1), types.at(n));
            ++n;
        }
        sql += ", version = version + 1 WHERE id = " +
               Backend::param(static_cast<int>(n + 1), "bigint");
        if (db_.update(sql, values..., id(j)) != 1)
            fail(fmt::format("{}: a blind write of job {} hit no row", Backend::name, j + 1));
        refresh(j);
    }

    void fail(std::string what) {
        if (!failure_) failure_ = std::move(what);
    }

    // Store errors become the store's failure (a violation), never an exception out of the world.
    template <class F>
    auto guard(F&& f) -> decltype(f()) {
        try {
            return f();
        } catch (const std::exception& e) {
            fail(fmt::format("{}: {}", Backend::name, e.what()));
            if constexpr (std::is_same_v<decltype(f()), completion_outcome>)
                return completion_outcome::not_running;
            else if constexpr (!std::is_void_v<decltype(f())>)
                return decltype(f()){};
        }
    }

    // The rows the store returned against the ones the world last read back from it.
    [[nodiscard]] std::optional<std::string> compare(const std::vector<job>& sql) const {
        if (sql.size() != rows_.size())
            return fmt::format("{} read: {} rows in the store, {} in the world", Backend::name,
                               sql.size(), rows_.size());
        for (std::size_t i = 0; i < sql.size(); ++i)
            if (sql[i] != rows_[i])
                return fmt::format("{} read: job {} moved in the store behind the world's back "
                                   "({}/v{} there, {}/v{} last read)",
                                   Backend::name, i + 1, to_string(sql[i].status), sql[i].version,
                                   to_string(rows_[i].status), rows_[i].version);
        return std::nullopt;
    }

    Backend db_;
    mutant mutant_;
};

} // namespace warden::sim
