#pragma once
#include <warden/core/concurrency_limit.hpp>
#include <warden/core/config.hpp>
#include <warden/core/job.hpp>
#include <warden/core/job_status.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/facts/job_class.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace warden {
inline namespace v0 {

// Issue #21 item 2: the value of `key` a job is grouped under; empty: in no group.
[[nodiscard]] inline std::string_view limit_value_of(const config& c, const job& j,
                                                     limit_key key) noexcept {
    switch (key) {
    case limit_key::source: return j.source;
    case limit_key::job_class: return class_of(c, j);
    case limit_key::group_key: return j.group_key;
    }
    return {};
}

// Whether limit `l` holds a job whose value of l.by is `value`.
[[nodiscard]] inline bool limit_applies(const concurrency_limit& l,
                                        std::string_view value) noexcept {
    return !value.empty() && (!l.value || *l.value == value);
}

// Whether a job occupies a slot now, as queue fill counts it: running, or waiting with a held
// lock and never started (a start in flight). Invalid rows count too: they still run.
[[nodiscard]] constexpr bool occupies_slot(const job& j, bool lock_held) noexcept {
    return j.status == job_status::running || (is_waiting(j.status) && lock_held && !j.started_at);
}

// The jobs occupying a slot now, per concurrency limit and value: built once per tick (only when
// limits are configured), so the rail's check is a lookup, not a scan of every job.
struct running_groups {
    // One map per config.concurrency_limits entry, in its order: value -> jobs running now.
    std::vector<std::unordered_map<std::string_view, std::int64_t>> per_limit;

    [[nodiscard]] std::int64_t running(std::size_t limit, std::string_view value) const {
        return count_in(per_limit, limit, value);
    }

    // Issue #22: the starts (and reconciles to running) the plan in progress has accepted so far,
    // per limit and value, counted once each as the plan grows. The rail used to walk the whole
    // plan for every start it checked, so a tick with many candidates cost candidates x plan
    // size. Only for `growing_plan`: the plan decide() builds, which it only ever appends to
    // (set by decide alone). A rail checked against any other plan, which its caller may clear
    // or refill between checks, walks that plan instead. Mutable: a memo of what the plan
    // already says, owned by one decide() call, not a fact the rail decides.
    const void* growing_plan = nullptr;
    mutable std::vector<std::unordered_map<std::string_view, std::int64_t>> joining_per_limit;
    mutable std::size_t counted_actions = 0;

    [[nodiscard]] std::int64_t joining(std::size_t limit, std::string_view value) const {
        return count_in(joining_per_limit, limit, value);
    }

  private:
    [[nodiscard]] static std::int64_t
    count_in(const std::vector<std::unordered_map<std::string_view, std::int64_t>>& maps,
             std::size_t limit, std::string_view value) {
        if (limit >= maps.size()) return 0;
        const auto it = maps[limit].find(value);
        return it == maps[limit].end() ? 0 : it->second;
    }
};

// `lock_held(i)`: whether job i's lock is held (job_facts::lock_held).
template <class LockHeld>
[[nodiscard]] running_groups count_running_groups(const snapshot& s, const config& c,
                                                  LockHeld lock_held) {
    running_groups g;
    g.per_limit.resize(c.concurrency_limits.size());
    if (c.concurrency_limits.empty()) return g;
    for (std::size_t i = 0; i < s.jobs.size(); ++i) {
        const job& j = s.jobs[i];
        if (!occupies_slot(j, lock_held(i))) continue;
        for (std::size_t k = 0; k < c.concurrency_limits.size(); ++k) {
            const concurrency_limit& l = c.concurrency_limits[k];
            const std::string_view value = limit_value_of(c, j, l.by);
            if (limit_applies(l, value)) ++g.per_limit[k][value];
        }
    }
    return g;
}

} // namespace v0
} // namespace warden
