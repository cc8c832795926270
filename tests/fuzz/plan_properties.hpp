#pragma once
// The safety properties both fuzz targets check on every plan. A violation aborts, and libFuzzer
// reports it with the input that caused it.
#include <warden/warden.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

namespace warden_fuzz {

[[noreturn]] inline void violated(const char* what) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
}

#define WARDEN_FUZZ_REQUIRE(cond)                                                                  \
    do {                                                                                           \
        if (!(cond)) ::warden_fuzz::violated(#cond);                                               \
    } while (0)

// Nothing for a rejected snapshot or job; every first write expects the row as read; no start
// without the sentinel, under the deploy lock, at or over the disk threshold, or over the cap;
// nothing touches a completed job.
inline void check_plan(const warden::snapshot& s, const warden::config& c, const warden::plan& p) {
    if (p.rejected()) WARDEN_FUZZ_REQUIRE(p.actions.empty() && p.blocked.empty());

    std::set<std::int64_t> rejected;
    for (const auto& e : p.errors)
        if (e.job) rejected.insert(warden::to_int(*e.job));
    std::map<std::int64_t, int> rows;
    for (const auto& j : s.jobs)
        ++rows[warden::to_int(j.id)];

    std::set<std::int64_t> seen;
    for (const auto& a : p.actions) {
        const auto id = warden::to_int(warden::action_job(a));
        WARDEN_FUZZ_REQUIRE(rejected.count(id) == 0);
        WARDEN_FUZZ_REQUIRE(rows[id] == 1);
        const warden::job* row = nullptr;
        for (const auto& j : s.jobs)
            if (warden::to_int(j.id) == id) row = &j;
        WARDEN_FUZZ_REQUIRE(row != nullptr);
        WARDEN_FUZZ_REQUIRE(row->status != warden::job_status::completed);
        // The first write to a job expects the row exactly as the snapshot had it.
        std::visit(
            [&](const auto& w) {
                if constexpr (!std::is_same_v<std::decay_t<decltype(w)>, warden::stop_job>) {
                    if (seen.insert(id).second) {
                        WARDEN_FUZZ_REQUIRE(w.expected_status == row->status);
                        WARDEN_FUZZ_REQUIRE(w.expected_version == row->version);
                    }
                }
            },
            a);
        if (std::holds_alternative<warden::start_job>(a)) {
            WARDEN_FUZZ_REQUIRE(s.host.sentinel_present);
            WARDEN_FUZZ_REQUIRE(!s.host.deploy_lock_present);
            WARDEN_FUZZ_REQUIRE(s.host.disk_used_percent < c.disk_threshold_percent);
            int recent = 0;
            for (const auto& r : s.starts)
                recent +=
                    warden::to_int(r.job) == id && r.at > s.now - warden::one_day && r.at <= s.now;
            WARDEN_FUZZ_REQUIRE(recent < c.daily_start_cap);
        }
    }
    if (!s.host.sentinel_present) WARDEN_FUZZ_REQUIRE(p.actions.empty());
}

} // namespace warden_fuzz
