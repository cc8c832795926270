#pragma once
// The world's database: every read and write the simulated watchdog, worker, crawler and operator
// make. Three stores implement it: model_db (below: plain rows in memory, the semantics of
// include/warden/apply.hpp), sqlite_db (<warden/sim/sqlite_db.hpp>: an in-memory SQLite database
// written only through warden::sqlite's compare-and-set statements) and postgres_db
// (<warden/sim/postgres_db.hpp>: a schema of its own on a PostgreSQL server, through
// warden::postgres's; both on <warden/sim/sql_db.hpp>). Row writes are
// compare-and-set on (status, version) unless they say "blind"; every write that lands bumps
// the row's version by one.
#include <warden/apply.hpp>
#include <warden/core/actions.hpp>
#include <warden/core/job.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/core/time.hpp>
#include <warden/rules/completion.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace warden::sim {

class database {
  public:
    using before_action = std::function<void(std::size_t)>;
    // applied (stop_job: to be carried out by the host), conflict, or not_reached (an earlier
    // action on the same job in this plan conflicted: issue #15).
    using after_action = std::function<void(std::size_t, apply_outcome)>;

    database() = default;
    database(const database&) = delete;
    database& operator=(const database&) = delete;
    virtual ~database() = default;

    [[nodiscard]] virtual std::string_view name() const noexcept = 0;

    // The rows as the store last wrote or read them, indexed by id - 1, and the start and
    // recovery history (records older than a day are dropped at each read). The world's
    // invariants read these; on SQLite each is the row SQLite returned after the last write to it.
    [[nodiscard]] const job& row(std::uint32_t j) const noexcept { return rows_[j]; }
    [[nodiscard]] const std::vector<job>& rows() const noexcept { return rows_; }
    [[nodiscard]] const std::vector<start_record>& starts() const noexcept { return starts_; }
    [[nodiscard]] const std::vector<recovery_record>& recoveries() const noexcept {
        return recoveries_;
    }
    // The first thing the store found wrong (an SQL error, or SQLite holding other rows than the
    // ones it returned): the world reports it as a cas_overwrite violation.
    [[nodiscard]] const std::optional<std::string>& failure() const noexcept { return failure_; }

    // The campaign's rows, ids 1..n in order.
    virtual void create(const std::vector<job>& rows) = 0;

    // The watchdog's read at `now`: every row (indexed by id - 1) and the last day's starts and
    // recoveries.
    virtual const std::vector<job>& read(timestamp now, std::vector<start_record>& starts,
                                         std::vector<recovery_record>& recoveries) = 0;

    // The watchdog's plan, every row write a compare-and-set, in one transaction. `before(i)`
    // runs before action i is written, `after(i, outcome)` after it (stop_job: applied, nothing
    // written, unless an earlier write to its job conflicted), with row() already showing the
    // write. A stall recovery's status write that lands is also a recovery in the history. Once
    // an action on a job conflicts, the job's later actions are not_reached (apply.hpp).
    virtual void apply(const plan& p, timestamp now, const before_action& before,
                       const after_action& after) = 0;

    // The runner's writes.
    virtual void heartbeat(std::uint32_t j, timestamp at) = 0; // blind: last_progress_at
    // Blind: the error columns (the error is true whatever the row's status).
    virtual void record_error(std::uint32_t j, failure_class f, const std::string& text) = 0;
    // A status change on (expected status, version): the runner's running -> retryable, or an
    // operator's UPDATE of the row it was shown.
    virtual bool edit_status(std::uint32_t j, job_status expected, std::int64_t expected_version,
                             job_status to, timestamp now) = 0;
    // An operator's UPDATE of a waiting row's tool options, compare-and-set on the (status,
    // version) it was shown.
    virtual bool edit_options(std::uint32_t j, job_status expected, std::int64_t expected_version,
                              const tool_options& to) = 0;
    // The crawler's final stage write (last_stage, has_outputs): a compare-and-set on
    // (running, expected_version), or blind when `expected_version` is empty (legacy B7).
    virtual bool write_stage(std::uint32_t j, const std::string& stage, timestamp at,
                             std::optional<std::int64_t> expected_version) = 0;
    // warden::complete: running -> completed on (running, expected_version), idempotent; a
    // 0-row result is not_running.
    virtual completion_outcome complete(std::uint32_t j, std::int64_t expected_version,
                                        timestamp now) = 0;
    // The worker claims a queued row: running, started_at, and a start in the history.
    virtual bool worker_start(std::uint32_t j, std::int64_t expected_version, timestamp now) = 0;
    // Issue #18, item 3: blind writes production makes. Completion's other write order: the
    // completion time first (the Flask crawler's first write), its status write after.
    virtual void write_completed_at(std::uint32_t j, timestamp at) = 0;
    // A failed attempt's (or an operator's) finished_at on a row it just marked retryable.
    virtual void stamp_finished_at(std::uint32_t j, timestamp at) = 0;
    // A pipeline's stage marker mid-crawl: last_stage and updated_at (recap's pipeline).
    virtual void write_pipeline_stage(std::uint32_t j, const std::string& stage, timestamp at) = 0;

    // Legacy B16 (issue #15, item 1): a chained write is tried after its predecessor conflicted,
    // on the version the predecessor would have left. The model honours it; SQLite writes through
    // the adapter, whatever it does.
    void chain_after_conflict(bool on) noexcept { chain_after_conflict_ = on; }

  protected:
    bool chain_after_conflict_ = false;

    // Starts older than a day no longer count; the recovery history is kept whole, as the
    // SQLite adapter reads it: the progress circuit breaker looks past 24 h (issue #17).
    void drop_old_history(timestamp now) {
        const auto old = [&](const auto& r) { return r.at <= now - one_day; };
        std::erase_if(starts_, old);
    }

    std::vector<job> rows_;
    std::vector<start_record> starts_;
    std::vector<recovery_record> recoveries_;
    std::optional<std::string> failure_;
};

// The model: rows in memory, written with the semantics of warden::apply_to_snapshot.
class model_db final : public database {
  public:
    [[nodiscard]] std::string_view name() const noexcept override { return "model"; }

    void create(const std::vector<job>& rows) override { rows_ = rows; }

    const std::vector<job>& read(timestamp now, std::vector<start_record>& starts,
                                 std::vector<recovery_record>& recoveries) override {
        drop_old_history(now);
        starts = starts_;
        recoveries = recoveries_;
        return rows_;
    }

    void apply(const plan& p, timestamp now, const before_action& before,
               const after_action& after) override {
        conflicted_.clear();
        for (std::size_t i = 0; i < p.actions.size(); ++i) {
            before(i);
            const job_id id = action_job(p.actions[i]);
            if (!chain_after_conflict_ &&
                std::find(conflicted_.begin(), conflicted_.end(), id) != conflicted_.end()) {
                after(i, apply_outcome::not_reached);
                continue;
            }
            const bool ok = std::visit([&](const auto& a) { return write(a, now); }, p.actions[i]);
            if (!ok) conflicted_.push_back(id);
            after(i, ok ? apply_outcome::applied : apply_outcome::conflict);
        }
    }

    void heartbeat(std::uint32_t j, timestamp at) override {
        rows_[j].last_progress_at = at;
        ++rows_[j].version;
    }

    void record_error(std::uint32_t j, failure_class f, const std::string& text) override {
        rows_[j].failure = f;
        rows_[j].last_error = text;
        ++rows_[j].version;
    }

    bool edit_status(std::uint32_t j, job_status expected, std::int64_t expected_version,
                     job_status to, timestamp now) override {
        if (!matches(j, expected, expected_version)) return false;
        set(rows_[j], to, std::nullopt, now);
        return true;
    }

    bool edit_options(std::uint32_t j, job_status expected, std::int64_t expected_version,
                      const tool_options& to) override {
        if (!matches(j, expected, expected_version)) return false;
        rows_[j].options = to;
        ++rows_[j].version;
        return true;
    }

    bool write_stage(std::uint32_t j, const std::string& stage, timestamp,
                     std::optional<std::int64_t> expected_version) override {
        if (expected_version && !matches(j, job_status::running, *expected_version)) return false;
        rows_[j].last_stage = stage;
        rows_[j].has_outputs = true;
        ++rows_[j].version;
        return true;
    }

    completion_outcome complete(std::uint32_t j, std::int64_t expected_version,
                                timestamp now) override {
        const completion c = warden::complete(rows_[j], 0, now);
        if (c.outcome != completion_outcome::complete) return c.outcome;
        if (c.write.expected_version != expected_version) return completion_outcome::not_running;
        set(rows_[j], c.write.status, c.write.failure, now);
        return completion_outcome::complete;
    }

    bool worker_start(std::uint32_t j, std::int64_t expected_version, timestamp now) override {
        if (!matches(j, job_status::queued, expected_version)) return false;
        job& row = rows_[j];
        row.status = job_status::running;
        row.started_at = now;
        row.finished_at.reset();
        ++row.version;
        starts_.push_back(start_record{row.id, now});
        return true;
    }

    void write_completed_at(std::uint32_t j, timestamp at) override {
        rows_[j].completed_at = at;
        ++rows_[j].version;
    }

    void stamp_finished_at(std::uint32_t j, timestamp at) override {
        rows_[j].finished_at = at;
        ++rows_[j].version;
    }

    void write_pipeline_stage(std::uint32_t j, const std::string& stage, timestamp at) override {
        rows_[j].last_stage = stage;
        rows_[j].updated_at = at;
        ++rows_[j].version;
    }

  private:
    std::vector<job_id> conflicted_; // the jobs of the plan being applied with a conflict

    [[nodiscard]] bool matches(std::uint32_t j, job_status s, std::int64_t v) const noexcept {
        return rows_[j].status == s && rows_[j].version == v;
    }

    // The index of the row a write names, when it still has the expected status and version.
    template <class W>
    [[nodiscard]] std::optional<std::uint32_t> claim(const W& w) const noexcept {
        const auto at = to_int(w.job) - 1;
        if (at < 0 || at >= static_cast<std::int64_t>(rows_.size())) return std::nullopt;
        const auto j = static_cast<std::uint32_t>(at);
        if (!matches(j, w.expected_status, w.expected_version)) return std::nullopt;
        return j;
    }

    // A set_status write's effects (apply.hpp): terminal statuses stamp finished_at and
    // completed_at once.
    static void set(job& row, job_status s, std::optional<failure_class> f, timestamp now,
                    bool clears_finished_at = false) {
        row.status = s;
        if (f) row.failure = *f;
        if (clears_finished_at) row.finished_at.reset(); // issue #16, item 1
        if (is_terminal(s) && !row.finished_at) row.finished_at = now;
        if (s == job_status::completed && !row.completed_at) row.completed_at = now;
        ++row.version;
    }

    bool write(const stop_job&, timestamp) { return true; }

    bool write(const set_status& a, timestamp now) {
        const auto j = claim(a);
        if (!j) return false;
        set(rows_[*j], a.status, a.failure, now, a.clears_finished_at);
        if (a.rule == rule_id::stall_recovery)
            recoveries_.push_back(recovery_record{a.job, now, a.crawled_pages});
        return true;
    }

    bool write(const start_job& a, timestamp now) {
        const auto j = claim(a);
        if (!j) return false;
        job& row = rows_[*j];
        if (row.status == job_status::retryable) ++row.retry_count;
        row.status = job_status::running;
        row.options = a.options;
        row.started_at = now;
        row.finished_at.reset();
        ++row.version;
        starts_.push_back(start_record{a.job, now});
        return true;
    }

    bool write(const backfill_campaign& a, timestamp) {
        const auto j = claim(a);
        if (!j) return false;
        rows_[*j].kind = a.kind;
        rows_[*j].campaign_year = a.year;
        ++rows_[*j].version;
        return true;
    }

    bool write(const set_tool_options& a, timestamp) {
        const auto j = claim(a);
        if (!j) return false;
        rows_[*j].options = a.after;
        ++rows_[*j].version;
        return true;
    }
};

} // namespace warden::sim
