#pragma once
// Applying a plan: every row write a compare-and-set whose 0-row result is a conflict, never a
// success (B7), all of a plan in one transaction.
#include <warden/adapters/apply_result.hpp>
#include <warden/adapters/detail/transaction.hpp>
#include <warden/adapters/detail/write_actions.hpp>
#include <warden/adapters/json_options.hpp>
#include <warden/adapters/mapping.hpp>
#include <warden/adapters/sqlite/connection.hpp>
#include <warden/adapters/sqlite/load.hpp>
#include <warden/adapters/sqlite/rows.hpp>
#include <warden/adapters/sqlite/schema.hpp>
#include <warden/core/actions.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/core/time.hpp>

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace warden {
inline namespace v0 {
namespace sqlite {

// The result types are shared with the PostgreSQL adapter (adapters/apply_result.hpp).
using adapters::action_status;
using adapters::apply_options;
using adapters::apply_result;
using adapters::on_conflict;
using adapters::to_string;

namespace detail {

// The row writes of a plan as prepared statements: prepared once per apply, run once per action.
// Each mirrors warden::apply_to_snapshot (apply.hpp), the reference semantics. The table, column
// and status names are the database's mapping's (adapters/mapping.hpp; warden's own by default):
// a status is written as the host value the mapping stores, and every compare-and-set matches
// every host value that reads as the expected status.
class plan_writer {
  public:
    plan_writer(database& db, timestamp now)
        : db_(db.handle())
        , m_(db.mapping())
        , now_(now)
        , start_history_(db.handle(),
                         adapters::history_insert_sql<start_record>(m_.starts, "?1, ?2")) {}

    // The set_status and backfill statements are prepared on first use too: a host table that
    // lacks a column one of them writes (mapped to null) still takes the others' actions.
    static constexpr std::string_view set_status_sql = R"sql(
UPDATE {T} SET {status} = ?1,
    {failure_class} = CASE WHEN ?2 THEN ?3 ELSE {failure_class} END,
    {finished_at} = CASE WHEN ?8 THEN NULL
        WHEN ?9 IN ('completed', 'failed') THEN coalesce({finished_at}, ?4) ELSE {finished_at} END,
    {completed_at} = CASE WHEN ?9 = 'completed' THEN coalesce({completed_at}, ?4)
        ELSE {completed_at} END,
    {version} = {version} + 1
WHERE {id} = ?5 AND {expected} AND {version} = ?7
    AND {version} < 9223372036854775807)sql";
    static constexpr std::string_view backfill_sql = R"sql(
UPDATE {T} SET {campaign_kind} = 'annual', {campaign_year} = ?1, {version} = {version} + 1
WHERE {id} = ?2 AND {expected} AND {version} = ?4
    AND {version} < 9223372036854775807)sql";

    action_status operator()(const set_status& a) {
        statement& st = prepared(set_status_st_, mapped(set_status_sql, "?6"));
        st.bind(1, std::string_view{m_.stored(a.status)});
        st.bind(2, std::int64_t{a.failure.has_value()});
        st.bind(3, a.failure ? m_.stored(*a.failure) : std::nullopt).bind(4, now_);
        const auto status = cas(st.bind(5, to_int(a.job))
                                    .bind(6, to_string(a.expected_status))
                                    .bind(7, a.expected_version)
                                    .bind(8, std::int64_t{a.clears_finished_at})
                                    .bind(9, to_string(a.status)));
        // A recovery counts once its status write lands, in the same transaction; a conflict
        // recovered nothing. The recovery cap counts these, never an in-memory tally.
        if (status == action_status::applied && a.rule == rule_id::stall_recovery) {
            // Prepared on first use: complete and edit_status share this writer and still work
            // on a version 1 database, which has no recovery_history (nor, before version 3,
            // the option columns the start and options statements write).
            // The job's crawled_pages as decided (issue #17, the progress circuit breaker).
            prepared(recovery_history_,
                     adapters::history_insert_sql<recovery_record>(m_.recoveries, "?1, ?2, ?3"))
                .bind(1, to_int(a.job))
                .bind(2, now_)
                .bind(3, a.crawled_pages)
                .run();
        }
        return status;
    }
    action_status operator()(const start_job& a) {
        // A retry the 32-bit counter cannot count, or a version that cannot be bumped, is a
        // conflict, as in apply_to_snapshot, rather than a CHECK failure rolling back the plan.
        const int n = column_count<tool_options>();
        statement& start = prepared(
            start_,
            mapped(fmt::format(R"sql(
UPDATE {{T}} SET {{status}} = ?{running}, {{started_at}} = ?1, {{finished_at}} = NULL,
    {{retry_count}} = {{retry_count}} + ({{retryable}}), {options}, {{version}} = {{version}} + 1
WHERE {{id}} = ?{job} AND {{expected}} AND {{version}} = ?{expected_version}
    AND {{version}} < 9223372036854775807
    AND (NOT ({{retryable}}) OR {{retry_count}} < 2147483647))sql",
                               fmt::arg("options", option_assignments(2)), fmt::arg("job", n + 2),
                               fmt::arg("expected_version", n + 4), fmt::arg("running", n + 5)),
                   fmt::format("?{}", n + 3)));
        start.bind(1, now_);
        bind_row(start, 2, a.options);
        const auto status = cas(start.bind(n + 2, to_int(a.job))
                                    .bind(n + 3, to_string(a.expected_status))
                                    .bind(n + 4, a.expected_version)
                                    .bind(n + 5, std::string_view{m_.stored(job_status::running)}));
        if (status == action_status::applied)
            start_history_.bind(1, to_int(a.job)).bind(2, now_).run();
        return status;
    }
    action_status operator()(const backfill_campaign& a) {
        statement& st = prepared(backfill_st_, mapped(backfill_sql, "?3"));
        st.bind(1, std::int64_t{a.year}).bind(2, to_int(a.job));
        return cas(st.bind(3, to_string(a.expected_status)).bind(4, a.expected_version));
    }
    action_status operator()(const set_tool_options& a) {
        const int n = column_count<tool_options>();
        statement& options =
            prepared(options_, mapped(fmt::format(R"sql(
UPDATE {{T}} SET {options}, {{version}} = {{version}} + 1
WHERE {{id}} = ?{job} AND {{expected}} AND {{version}} = ?{expected_version}
    AND {{version}} < 9223372036854775807)sql",
                                                  fmt::arg("options", option_assignments(1)),
                                                  fmt::arg("job", n + 1),
                                                  fmt::arg("expected_version", n + 3)),
                                      fmt::format("?{}", n + 2)));
        bind_row(options, 1, a.after);
        return cas(options.bind(n + 1, to_int(a.job))
                       .bind(n + 2, to_string(a.expected_status))
                       .bind(n + 3, a.expected_version));
    }
    action_status operator()(const stop_job&) { return action_status::runtime_only; }

  private:
    statement& prepared(std::optional<statement>& st, std::string_view sql) {
        if (!st) st.emplace(db_, sql);
        return *st;
    }
    // "max_container_restarts = ?2, ..., stall_timeout_minutes = ?9": the tool options' columns
    // from their field list (core/fields.hpp), numbered from `first`, so an option the list gains
    // is written by a start and set_tool_options wherever it is read and inserted.
    // Options the mapping keeps in a JSON column are set there (adapters/json_options.hpp).
    std::string option_assignments(int first) const {
        return adapters::option_assignments_sql(m_, adapters::sql_dialect::sqlite, first);
    }
    // `sql` through the database's mapping (adapters::mapped_sql), `expected` the parameter
    // holding the expected status.
    std::string mapped(std::string_view sql, std::string_view expected) const {
        return adapters::mapped_sql(m_, sql, expected);
    }
    // The B7 rule in one place: exactly one row changed is success; zero is a conflict.
    static action_status cas(statement& st) {
        return st.run() == 1 ? action_status::applied : action_status::conflict;
    }

    sqlite3* db_;
    const adapters::table_mapping& m_;
    timestamp now_;
    statement start_history_;
    // prepared on first use
    std::optional<statement> set_status_st_, backfill_st_, start_, options_, recovery_history_;
};

} // namespace detail

namespace detail {

using adapters::detail::roll_back_result;
using adapters::detail::with_transaction;

// SQLite's write transaction for adapters/detail/transaction.hpp: IMMEDIATE takes the write lock
// before the first read, so no other writer moves a row between what is read and what is written.
struct immediate_transaction : transaction {
    explicit immediate_transaction(database& d)
        : transaction{d, "BEGIN IMMEDIATE"} {}
};

// The actions of a plan, inside a write transaction the caller holds: the plan walk shared with
// the PostgreSQL adapter (adapters/detail/write_actions.hpp) with this adapter's statements.
inline bool write_actions(database& db, const plan& p, timestamp now, const apply_options& options,
                          apply_result& result) {
    plan_writer writer(db, now);
    return adapters::detail::write_actions<error>(writer, db.mapping(), p, options, result);
}

} // namespace detail

// Applies a plan in one IMMEDIATE transaction: either every applied action is in the database
// or none is. A statement error or (with on_conflict::abort) a conflict rolls everything back and
// is reported; a crash at any point leaves the database as it was before or after, never between.
// A plan decided earlier may be stale: its row writes conflict rather than overwrite, but an
// aggregate (how many run, the daily caps) may have moved on rows it does not write; a host that
// decides and applies in one go uses decide_and_apply, which reads under the same write lock.
[[nodiscard]] inline apply_result apply(database& db, const plan& p, timestamp now,
                                        const apply_options& options = {}) {
    require_schema(db);
    apply_result result;
    result.committed = detail::with_transaction(detail::immediate_transaction{db}, [&] {
        return detail::write_actions(db, p, now, options, result);
    });
    return result;
}

// What decide_and_apply read, decided and did.
struct decided_apply {
    snapshot read;                      // as loaded inside the write transaction
    std::vector<load_warning> warnings; // history rows skipped, rows read without progress
    warden::plan plan;                  // as decided on `read`
    apply_result result;                // one status per plan action
};

// Reads the snapshot, decides and applies in one IMMEDIATE transaction (issue 15): the write
// lock is taken before the first row is read, so no other writer (a second watchdog, a host)
// can change any row between the read and the writes, and two watchdogs serialise: the second
// decides on what the first wrote. Row compare-and-set cannot protect an aggregate (a target of
// one running job, the daily caps); this can. `decide(const snapshot&)` returns the plan, e.g.
// `[&](const snapshot& s) { return warden::decide(s, config); }`. A plan with a host-wide error
// (config, host facts, processes, locks: `validation_error::job` empty) is not applied: the
// transaction is rolled back, nothing is written, and every action is not_reached. Errors that
// each name one job are not host-wide: decide() gives those jobs no action, and the rest of the
// plan is applied, so one bad row cannot stop every other job's automation (issue 15, item 5).
// The write lock is held while `decide` runs: keep it to decide().
template <class Decide>
[[nodiscard]] decided_apply decide_and_apply(database& db, timestamp now, runtime_facts runtime,
                                             Decide&& decide, const apply_options& options = {}) {
    require_schema(db);
    decided_apply out;
    out.result.committed = detail::with_transaction(detail::immediate_transaction{db}, [&] {
        out.read = detail::read_snapshot(db, now, std::move(runtime), out.warnings);
        out.plan = std::forward<Decide>(decide)(std::as_const(out.read));
        const bool host_wide_error =
            !std::all_of(out.plan.errors.begin(), out.plan.errors.end(),
                         [](const validation_error& e) { return e.job.has_value(); });
        if (!host_wide_error) return detail::write_actions(db, out.plan, now, options, out.result);
        out.result.actions.assign(out.plan.actions.size(), action_status::not_reached);
        detail::roll_back_result(out.result);
        return false;
    });
    return out;
}

namespace detail {

// Runs `write` in one IMMEDIATE transaction: committed when it returns, rolled back when it throws.
template <class Write>
auto in_transaction(database& db, Write&& write) {
    return adapters::detail::in_transaction(immediate_transaction{db}, std::forward<Write>(write));
}

} // namespace detail

// One action as its own transaction: the same compare-and-set statement `apply` runs for it.
// `unsupported`, nothing sent, when it would write a column the host's table lacks.
[[nodiscard]] inline action_status apply_one(database& db, const action& a, timestamp now) {
    if (adapters::detail::writes_absent_column(db.mapping(), a)) return action_status::unsupported;
    return detail::in_transaction(db, [&] {
        detail::plan_writer writer(db, now);
        return std::visit(writer, a);
    });
}

} // namespace sqlite
} // namespace v0
} // namespace warden
