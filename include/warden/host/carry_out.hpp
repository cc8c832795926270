#pragma once
// After an apply on SQLite: carry out its runtime actions (host/actions.hpp) and undo every start
// whose command failed (sqlite::undo_start), so no row sits `running` with nothing running and no
// failed launch counts against the daily start cap. docs/host-actions.md.
#include <warden/adapters/sqlite/apply.hpp>
#include <warden/adapters/sqlite/undo_start.hpp>
#include <warden/core/actions.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/host/actions.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

namespace warden {
inline namespace v0 {
namespace host {

struct runtime_result {
    std::size_t action_index = 0; // into the plan's actions
    action_record record;
    // A failed start only: the undo's compare-and-set (applied: the row is back as it was;
    // conflict: the row moved since, e.g. the crawl did start, and was left alone).
    std::optional<sqlite::action_status> undo;
};

// Carries out, in plan order, every start whose row write committed and every stop reported
// runtime_only; nothing after a rollback. `read` is the snapshot the plan was decided on (the
// rows before the apply). A start whose command failed is undone with
// `undo(const start_job&, const job& before, std::string_view reason)`, the adapter's
// undo_start at the `now` the apply wrote its starts with (any adapter: the result types are
// shared, adapters/apply_result.hpp).
template <class Undo>
[[nodiscard]] std::vector<runtime_result>
carry_out_with(const plan& p, const snapshot& read, const adapters::apply_result& result,
               const action_templates& templates, Undo&& undo) {
    std::vector<runtime_result> out;
    if (!result.committed) return out;
    auto find = [&](job_id id) -> const job* {
        const auto it = std::find_if(read.jobs.begin(), read.jobs.end(),
                                     [&](const job& j) { return j.id == id; });
        return it == read.jobs.end() ? nullptr : &*it;
    };
    for (std::size_t i = 0; i < p.actions.size() && i < result.actions.size(); ++i) {
        if (const auto* start = std::get_if<start_job>(&p.actions[i])) {
            if (result.actions[i] != adapters::action_status::applied) continue;
            const job* before = find(start->job);
            if (!before) continue; // cannot happen: a start names a row of the snapshot
            runtime_result r{i, carry_out_start(*before, templates), std::nullopt};
            if (!r.record.ok) r.undo = undo(*start, *before, std::string_view{r.record.detail});
            out.push_back(std::move(r));
        } else if (const auto* stop = std::get_if<stop_job>(&p.actions[i])) {
            if (result.actions[i] != adapters::action_status::runtime_only) continue;
            template_values values;
            values.id = stop->job;
            if (const job* j = find(stop->job)) {
                values.name = j->name;
                values.source = j->source;
                values.output_dir = j->output_dir;
            }
            out.push_back({i, carry_out_stop(*stop, values, templates), std::nullopt});
        }
    }
    return out;
}

// As carry_out_with, on SQLite: a failed start undone with sqlite::undo_start.
[[nodiscard]] inline std::vector<runtime_result> carry_out(sqlite::database& db, const plan& p,
                                                           const snapshot& read,
                                                           const sqlite::apply_result& result,
                                                           const action_templates& templates,
                                                           timestamp applied_at) {
    return carry_out_with(p, read, result, templates,
                          [&](const start_job& start, const job& before, std::string_view reason) {
                              return sqlite::undo_start(db, start, before, applied_at, reason);
                          });
}

} // namespace host
} // namespace v0
} // namespace warden
