#pragma once
#include <warden/core/actions.hpp>
#include <warden/core/class_spec.hpp>
#include <warden/core/config.hpp>
#include <warden/core/job_status.hpp>
#include <warden/facts/concurrency.hpp>
#include <warden/facts/context.hpp>
#include <warden/facts/job_class.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

namespace warden {
inline namespace v0 {

// Issue #21 item 1: the classes with a floor of their own (class_spec::ensure_min_running_jobs),
// each with its jobs running once the plan so far is applied. Built only when some class has a
// floor: one pass over the jobs, then over the accepted actions.
class class_floors {
  public:
    static constexpr std::size_t none = static_cast<std::size_t>(-1);

    explicit class_floors(const decision_context& ctx)
        : classes_(classes_in_force(ctx.config)) {
        for (const class_spec& k : classes_)
            if (k.ensure_min_running_jobs && *k.ensure_min_running_jobs > 0) any_ = true;
        if (!any_) return;
        running_.assign(classes_.size(), 0);
        const snapshot& s = ctx.snapshot;
        for (std::size_t i = 0; i < s.jobs.size(); ++i)
            if (occupies_slot(s.jobs[i], ctx.facts[i].lock_held)) add(index_of(ctx, s.jobs[i]));
        // The plan so far: a reconcile to running adds a job, a write out of running removes one.
        for (const accepted_action& a : ctx.accepted()) {
            const auto* st = std::get_if<set_status>(&a.action);
            if (!st) continue;
            const job& row = ctx.row_of(a);
            const bool was = occupies_slot(row, ctx.facts[a.job_index].lock_held);
            const bool is = st->status == job_status::running;
            if (!was && is) add(index_of(ctx, row));
            if (was && !is && row.status == job_status::running) remove(index_of(ctx, row));
        }
    }

    // Whether some class is below its floor.
    [[nodiscard]] bool any_short() const noexcept {
        if (!any_) return false;
        for (std::size_t k = 0; k < classes_.size(); ++k)
            if (short_of(k)) return true;
        return false;
    }
    // Whether class `k` (an index into classes_in_force, or none) is below its floor.
    [[nodiscard]] bool short_of(std::size_t k) const noexcept {
        if (!any_ || k == none) return false;
        const auto& floor = classes_[k].ensure_min_running_jobs;
        return floor && running_[k] < *floor;
    }
    void add(std::size_t k) noexcept {
        if (any_ && k != none) ++running_[k];
    }
    void remove(std::size_t k) noexcept {
        if (any_ && k != none && running_[k] > 0) --running_[k];
    }
    // The index of `j`'s class in classes_in_force, or none.
    [[nodiscard]] std::size_t index_of(const decision_context& ctx, const job& j) const noexcept {
        if (!any_) return none;
        const class_spec* k = class_spec_of(ctx.config, j);
        return k ? static_cast<std::size_t>(k - classes_.data()) : none;
    }

  private:
    std::span<const class_spec> classes_;
    std::vector<std::int64_t> running_;
    bool any_ = false;
};

} // namespace v0
} // namespace warden
