#pragma once
// Applying a plan to PostgreSQL: every row write a compare-and-set on (status, version) whose
// 0-row result is a conflict, never a success (B7), all of a plan in one transaction. The plan
// walk (which actions run, which are not_reached, when to roll back) is the SQLite adapter's
// (adapters/detail/write_actions.hpp); only the SQL is this adapter's.
#include <warden/adapters/apply_result.hpp>
#include <warden/adapters/detail/transaction.hpp>
#include <warden/adapters/detail/write_actions.hpp>
#include <warden/adapters/json_options.hpp>
#include <warden/adapters/postgres/connection.hpp>
#include <warden/adapters/postgres/load.hpp>
#include <warden/adapters/postgres/rows.hpp>
#include <warden/adapters/postgres/schema.hpp>
#include <warden/core/actions.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/core/time.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace warden {
inline namespace v0 {
namespace postgres {

using adapters::action_status;
using adapters::apply_options;
using adapters::apply_result;
using adapters::on_conflict;
using adapters::to_string;

namespace detail {

// The row writes of a plan, one statement per action. Each mirrors warden::apply_to_snapshot
// (apply.hpp), the reference semantics, and the SQLite adapter's plan_writer statement for
// statement. Parameters whose type the server cannot infer from a column are cast.
class plan_writer {
  public:
    plan_writer(connection& db, timestamp now)
        : db_(db)
        , m_(db.mapping())
        , now_(now) {}

    action_status operator()(const set_status& a) {
        params p;
        p.add(m_.stored(a.status)).add(std::int64_t{a.failure.has_value()});
        p.add(a.failure ? m_.stored(*a.failure) : std::nullopt).add(now_);
        p.add(to_int(a.job)).add(expected(a.expected_status)).add(a.expected_version);
        p.add(std::int64_t{a.clears_finished_at}).add(to_string(a.status));
        const auto status =
            cas(fmt::format(R"sql(
UPDATE {T} SET {status} = $1::text,
    {failure_class} = CASE WHEN $2::int = 1 THEN $3::text ELSE {failure_class} END,
    {finished_at} = CASE WHEN $8::int = 1 THEN NULL
        WHEN $9::text IN ('completed', 'failed') THEN coalesce({finished_at}, $4::bigint)
        ELSE {finished_at} END,
    {completed_at} = CASE WHEN $9::text = 'completed' THEN coalesce({completed_at}, $4::bigint)
        ELSE {completed_at} END,
    {version} = {version} + 1
WHERE {id} = $5::bigint AND {status} = ANY($6::text[])
    AND {version} = $7::bigint AND {version} < 9223372036854775807)sql",
                            fmt::arg("T", m_.table), col("status"), col("failure_class"),
                            col("finished_at"), col("completed_at"), col("version"), col("id")),
                p);
        // A recovery counts once its status write lands, in the same transaction.
        if (status == action_status::applied && a.rule == rule_id::stall_recovery) {
            params h;
            h.add(to_int(a.job)).add(now_).add(a.crawled_pages);
            db_.exec_prepared(
                adapters::history_insert_sql<recovery_record>(m_.recoveries, "$1, $2, $3"), h);
        }
        return status;
    }
    action_status operator()(const start_job& a) {
        const int n = column_count<tool_options>();
        params p;
        p.add(now_);
        bind_row(p, a.options);
        p.add(to_int(a.job)).add(expected(a.expected_status)).add(a.expected_version);
        p.add(m_.stored(job_status::running)).add(expected(job_status::retryable));
        const auto status =
            cas(fmt::format(R"sql(
UPDATE {T} SET {status} = ${running}::text, {started_at} = $1::bigint, {finished_at} = NULL,
    {retry_count} = {retry_count} + CASE WHEN {status} = ANY(${retryable}::text[]) THEN 1 ELSE 0 END,
    {options}, {version} = {version} + 1
WHERE {id} = ${job}::bigint AND {status} = ANY(${expected}::text[])
    AND {version} = ${expected_version}::bigint AND {version} < 9223372036854775807
    AND ({status} <> ALL(${retryable}::text[]) OR {retry_count} < 2147483647))sql",
                            fmt::arg("T", m_.table), col("status"), col("started_at"),
                            col("finished_at"), col("retry_count"), col("version"), col("id"),
                            fmt::arg("options", option_assignments(2)), fmt::arg("job", n + 2),
                            fmt::arg("expected", n + 3), fmt::arg("expected_version", n + 4),
                            fmt::arg("running", n + 5), fmt::arg("retryable", n + 6)),
                p);
        if (status == action_status::applied) {
            params h;
            h.add(to_int(a.job)).add(now_);
            db_.exec_prepared(adapters::history_insert_sql<start_record>(m_.starts, "$1, $2"), h);
        }
        return status;
    }
    action_status operator()(const backfill_campaign& a) {
        params p;
        p.add(std::int64_t{a.year}).add(to_int(a.job));
        p.add(expected(a.expected_status)).add(a.expected_version);
        return cas(fmt::format(R"sql(
UPDATE {T} SET {campaign_kind} = 'annual', {campaign_year} = $1::int, {version} = {version} + 1
WHERE {id} = $2::bigint AND {status} = ANY($3::text[])
    AND {version} = $4::bigint AND {version} < 9223372036854775807)sql",
                               fmt::arg("T", m_.table), col("campaign_kind"), col("campaign_year"),
                               col("version"), col("id"), col("status")),
                   p);
    }
    action_status operator()(const set_tool_options& a) {
        const int n = column_count<tool_options>();
        params p;
        bind_row(p, a.after);
        p.add(to_int(a.job)).add(expected(a.expected_status)).add(a.expected_version);
        return cas(fmt::format(R"sql(
UPDATE {T} SET {options}, {version} = {version} + 1
WHERE {id} = ${job}::bigint AND {status} = ANY(${expected}::text[])
    AND {version} = ${expected_version}::bigint AND {version} < 9223372036854775807)sql",
                               fmt::arg("T", m_.table), fmt::arg("options", option_assignments(1)),
                               col("version"), col("id"), col("status"), fmt::arg("job", n + 1),
                               fmt::arg("expected", n + 2), fmt::arg("expected_version", n + 3)),
                   p);
    }
    action_status operator()(const stop_job&) { return action_status::runtime_only; }

  private:
    // A named format argument: warden's column `name` as the host's table names it. fmt::arg
    // keeps a reference, so the name lives in names_ (a deque: its elements never move).
    [[nodiscard]] fmt::detail::named_arg<char, std::string> col(const char* name) const {
        names_.push_back(m_.column(name));
        return fmt::arg(name, names_.back());
    }
    // The host values a compare-and-set expecting `s` matches (`queued` also matches `pending`
    // in warden's own schema), as a text[] parameter.
    [[nodiscard]] std::string expected(job_status s) const { return text_array(m_.reads_as(s)); }
    // "max_container_restarts = $2, ...": the tool options' columns from their field list, so an
    // option the list gains is written wherever it is read. The column gives each its type.
    // Options the mapping keeps in a JSON column are set there (adapters/json_options.hpp).
    std::string option_assignments(int first) const {
        return adapters::option_assignments_sql(m_, adapters::sql_dialect::postgres, first);
    }
    // The B7 rule in one place: exactly one row changed is success; zero is a conflict.
    action_status cas(const std::string& sql, const params& p) {
        return db_.exec_prepared(sql, p).affected() == 1 ? action_status::applied
                                                         : action_status::conflict;
    }

    connection& db_;
    const adapters::table_mapping& m_;
    timestamp now_;
    mutable std::deque<std::string> names_; // the column names col() lends to fmt::arg
};

// COMMIT, refusing the server's silent ROLLBACK of a transaction that had failed.
inline void commit(connection& db) {
    const result r = db.exec("COMMIT");
    if (std::string_view{PQcmdStatus(r.handle())} != "COMMIT")
        throw error(error_kind::other, "COMMIT: the server rolled the transaction back");
}

// PostgreSQL's write transaction for adapters/detail/transaction.hpp. The rows it writes are
// locked by the writes themselves; decide_and_apply adds a table lock (lock_for_decide).
struct write_transaction {
    connection& db;
    void begin() { db.exec("BEGIN"); }
    void commit() { detail::commit(db); }
    void roll_back() { db.exec("ROLLBACK"); }
    void abandon() noexcept { db.roll_back(); }
};

// Runs `write` in one transaction: committed when it returns, rolled back when it throws.
template <class Write>
auto in_transaction(connection& db, Write&& write) {
    return adapters::detail::in_transaction(write_transaction{db}, std::forward<Write>(write));
}

inline bool write_actions(connection& db, const plan& p, timestamp now,
                          const apply_options& options, apply_result& result) {
    plan_writer writer(db, now);
    return adapters::detail::write_actions<error>(writer, db.mapping(), p, options, result);
}

// The tables decide_and_apply locks against every other writer (SHARE ROW EXCLUSIVE conflicts
// with the ROW EXCLUSIVE lock every UPDATE, INSERT and DELETE takes, and with itself), so no row
// and no aggregate it read can change before it commits.
[[nodiscard]] inline std::string lock_for_decide(const connection& db) {
    const auto& m = db.mapping();
    return fmt::format("LOCK TABLE {}, {}, {} IN SHARE ROW EXCLUSIVE MODE", m.table, m.starts.table,
                       m.recoveries.table);
}

} // namespace detail

// Applies a plan in one transaction: either every applied action is in the database or none is.
// A statement error or (with on_conflict::abort) a conflict rolls everything back and is
// reported; a client killed at any point leaves the database as it was before (the server rolls
// an uncommitted transaction back when its connection goes). A row another session has locked
// is waited for up to the connection's lock_timeout, then the apply fails as busy.
[[nodiscard]] inline apply_result apply(connection& db, const plan& p, timestamp now,
                                        const apply_options& options = {}) {
    require_schema(db);
    apply_result result;
    result.committed = adapters::detail::with_transaction(detail::write_transaction{db}, [&] {
        return detail::write_actions(db, p, now, options, result);
    });
    return result;
}

// What decide_and_apply read, decided and did.
struct decided_apply {
    snapshot read;
    std::vector<load_warning> warnings;
    warden::plan plan;
    apply_result result;
};

// Reads the snapshot, decides and applies in one transaction that first locks jobs, job_starts
// and recovery_history against every other writer (detail::lock_for_decide): as the SQLite
// adapter's decide_and_apply, no write lands between the read and the writes, and two watchdogs
// serialise, the second deciding on what the first wrote. A plan with a host-wide error is not
// applied (rolled back, every action not_reached). The lock is held while `decide` runs.
template <class Decide>
[[nodiscard]] decided_apply decide_and_apply(connection& db, timestamp now, runtime_facts runtime,
                                             Decide&& decide, const apply_options& options = {}) {
    require_schema(db);
    decided_apply out;
    out.result.committed = adapters::detail::with_transaction(detail::write_transaction{db}, [&] {
        db.exec(detail::lock_for_decide(db));
        out.read = detail::read_snapshot(db, now, std::move(runtime), out.warnings);
        out.plan = std::forward<Decide>(decide)(std::as_const(out.read));
        const bool host_wide_error =
            !std::all_of(out.plan.errors.begin(), out.plan.errors.end(),
                         [](const validation_error& e) { return e.job.has_value(); });
        if (!host_wide_error) return detail::write_actions(db, out.plan, now, options, out.result);
        out.result.actions.assign(out.plan.actions.size(), action_status::not_reached);
        adapters::detail::roll_back_result(out.result);
        return false;
    });
    return out;
}

// One action as its own transaction: the same compare-and-set statement `apply` runs for it.
// `unsupported`, nothing sent, when it would write a column the host's table lacks.
[[nodiscard]] inline action_status apply_one(connection& db, const action& a, timestamp now) {
    if (adapters::detail::writes_absent_column(db.mapping(), a)) return action_status::unsupported;
    return detail::in_transaction(db, [&] {
        detail::plan_writer writer(db, now);
        return std::visit(writer, a);
    });
}

} // namespace postgres
} // namespace v0
} // namespace warden
