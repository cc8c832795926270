#pragma once
// Walking a plan's actions inside the caller's write transaction, shared by the SQLite and the
// PostgreSQL adapter: which actions run, which are not_reached after a conflict on their job, and
// when the plan must be rolled back. Each adapter brings its own writer (the SQL it runs per
// action) and error type.
#include <warden/adapters/apply_result.hpp>
#include <warden/adapters/detail/columns.hpp>
#include <warden/adapters/mapping.hpp>
#include <warden/core/actions.hpp>
#include <warden/core/plan.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace warden {
inline namespace v0 {
namespace adapters {
namespace detail {

// Marks every action of a rolled-back plan: nothing was written, so nothing was applied and no
// stop may follow; the conflicts that were seen stay conflicts.
inline void roll_back_result(apply_result& r) {
    for (action_status& a : r.actions)
        if (a != action_status::conflict && a != action_status::unsupported)
            a = action_status::not_reached;
    r.applied = 0;
    r.not_reached = static_cast<std::int64_t>(r.actions.size()) - r.conflicts -
                    static_cast<std::int64_t>(r.unsupported.size());
    r.committed = false;
}

// The actions of a plan, inside a write transaction the caller holds; `writer(action)` runs one
// action's compare-and-set and returns its status. Returns false when the plan must be rolled
// back (a conflict under on_conflict::abort), with `result` already saying so. Once a write to a
// job conflicts, every later action on that job is not_reached: the expected version of a chained
// write (backfill then start, a recovery's status then its tool options) was predicted from the
// write that failed, not observed, and would match a row a host moved exactly once; a stop after
// a status write that did not land would kill a crawl whose row says it is live. An `Error` the
// writer throws is rethrown naming `table`'s row, the action and its rule, its kind kept.
// The columns of warden's jobs table the statement for `a` writes (each adapter's statements
// write exactly these); none for stop_job.
[[nodiscard]] inline std::vector<std::string> columns_written(const table_mapping& m,
                                                              const action& a) {
    std::vector<std::string> out;
    const auto options = [&] {
        const tool_options none{};
        for_each_column(none, [&](const auto& entry, const auto&) {
            if (!m.json_of(entry.name)) out.emplace_back(entry.name);
        });
    };
    std::visit(
        [&](const auto& x) {
            using A = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<A, set_status>) {
                out = {"status", "failure_class", "finished_at", "completed_at", "version"};
            } else if constexpr (std::is_same_v<A, start_job>) {
                out = {"status", "started_at", "finished_at", "retry_count", "version"};
                options();
            } else if constexpr (std::is_same_v<A, backfill_campaign>) {
                out = {"campaign_kind", "campaign_year", "version"};
            } else if constexpr (std::is_same_v<A, set_tool_options>) {
                out = {"version"};
                options();
            }
        },
        a);
    return out;
}

// Whether the statement for `a` would write a column the host's table lacks (mapped to null):
// such an action is unsupported, never sent to the database.
[[nodiscard]] inline bool writes_absent_column(const table_mapping& m, const action& a) {
    if (m.absent.empty()) return false;
    for (const auto& c : columns_written(m, a))
        if (m.is_absent(c)) return true;
    return false;
}

template <class Error, class Writer>
bool write_actions(Writer& writer, const table_mapping& m, const plan& p,
                   const apply_options& options, apply_result& result) {
    const std::string_view table = m.table;
    result.actions.assign(p.actions.size(), action_status::not_reached);
    std::vector<job_id> failed; // jobs with a write that did not land; a plan names few
    // A job with an action whose statement writes a column the host lacks: that action is
    // unsupported, every other action on the job not_reached (none half-written).
    if (!m.absent.empty()) {
        for (std::size_t i = 0; i < p.actions.size(); ++i)
            for (const auto& c : columns_written(m, p.actions[i]))
                if (m.is_absent(c)) {
                    result.actions[i] = action_status::unsupported;
                    result.unsupported.push_back(unsupported_write{i, c});
                    failed.push_back(action_job(p.actions[i]));
                    break;
                }
    }
    for (std::size_t i = 0; i < p.actions.size(); ++i) {
        const job_id job = action_job(p.actions[i]);
        if (result.actions[i] == action_status::unsupported) {
            if (options.after_each) options.after_each(i, action_status::unsupported);
            continue;
        }
        action_status s = action_status::not_reached;
        if (std::find(failed.begin(), failed.end(), job) == failed.end()) {
            try {
                s = std::visit(writer, p.actions[i]);
            } catch (const Error& e) {
                // A host's trigger or CHECK refused the write: say which row and action, the
                // kind kept, so the operator is not left with "constraint: step: frozen".
                throw Error(e.kind(), fmt::format("{} row id {}, action {} ({}, rule {}): {}",
                                                  table, to_int(job), i, kind_name(p.actions[i]),
                                                  to_string(action_rule(p.actions[i])), e.what()));
            }
        }
        result.actions[i] = s;
        if (options.after_each) options.after_each(i, s);
        if (s == action_status::applied) {
            ++result.applied;
        } else if (s == action_status::conflict) {
            ++result.conflicts;
            failed.push_back(job);
            if (options.conflicts == on_conflict::abort) {
                roll_back_result(result);
                return false;
            }
        } else if (s == action_status::not_reached) {
            ++result.not_reached;
        }
    }
    return true;
}

} // namespace detail
} // namespace adapters
} // namespace v0
} // namespace warden
