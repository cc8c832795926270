// Properties of decide() over generated snapshots (include/warden/testing/generators.hpp).
// Replay a failure with RC_PARAMS="seed=N" or RC_PARAMS="reproduce=...".
#include <warden/testing/catch_property.hpp>
#include <warden/testing/generators.hpp>

#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <utility>

#include "../support/builders.hpp"

using warden::testing::config_gen;
using warden::testing::property;
using warden::testing::snapshot_gen;
using warden::testing::snapshot_shape;

namespace {

const warden::job* find_job(const warden::snapshot& s, warden::job_id id) {
    for (const auto& j : s.jobs)
        if (j.id == id) return &j;
    return nullptr;
}

std::set<std::pair<warden::rule_id, std::int64_t>> rule_job_pairs(const warden::plan& p) {
    std::set<std::pair<warden::rule_id, std::int64_t>> out;
    for (const auto& a : p.actions)
        out.emplace(warden::action_rule(a), warden::to_int(warden::action_job(a)));
    return out;
}

} // namespace

TEST_CASE("decide is pure and total", "[property][decide]") {
    property("deterministic", "same snapshot and config, same plan", [] {
        const auto s = *snapshot_gen();
        const auto c = *config_gen();
        const auto copy = s;
        RC_ASSERT(warden::decide(s, c) == warden::decide(copy, c));
    });
    property("total", "any snapshot, valid or not, yields a plan without throwing", [] {
        const auto s = *snapshot_gen(snapshot_shape{24, true});
        const auto c = *config_gen();
        warden::plan p;
        RC_ASSERT_FALSE(([&] {
            try {
                p = warden::decide(s, c);
                return false;
            } catch (...) {
                return true;
            }
        })());
        if (p.rejected()) RC_ASSERT(p.actions.empty());
    });
    property("input_unchanged", "decide does not modify its input", [] {
        const auto s = *snapshot_gen();
        const auto before = warden::decide(s, {});
        const auto again = warden::decide(s, {});
        RC_ASSERT(before == again);
    });
}

TEST_CASE("decide never writes what it must not", "[property][decide]") {
    property("no_write_without_sentinel", "without the sentinel the plan has no action", [] {
        auto s = *snapshot_gen();
        s.host.sentinel_present = false;
        RC_ASSERT(warden::decide(s, *config_gen()).actions.empty());
    });
    property("no_start_under_deploy_or_disk", "no start under the deploy lock or a full disk", [] {
        const auto s = *snapshot_gen();
        const auto c = *config_gen();
        const auto starts = wt::actions_of<warden::start_job>(warden::decide(s, c));
        if (s.host.deploy_lock_present || s.host.disk_used_percent >= c.disk_threshold_percent)
            RC_ASSERT(starts.empty());
    });
    property("completed_untouched", "no action names a completed job", [] {
        const auto s = *snapshot_gen();
        const auto p = warden::decide(s, *config_gen());
        for (const auto& a : p.actions) {
            const auto* j = find_job(s, warden::action_job(a));
            RC_ASSERT(j != nullptr);
            RC_ASSERT(j->status != warden::job_status::completed);
        }
    });
    property("daily_cap", "no start for a job with cap starts in the last 24 h", [] {
        const auto s = *snapshot_gen();
        const auto c = *config_gen();
        for (const auto& start : wt::actions_of<warden::start_job>(warden::decide(s, c))) {
            int recent = 0;
            for (const auto& r : s.starts)
                recent += r.job == start.job && r.at > s.now - warden::one_day && r.at <= s.now;
            RC_ASSERT(recent < c.daily_start_cap);
        }
    });
    property("deficit", "never more starts than the deficit after the other rules", [] {
        const auto s = *snapshot_gen();
        const auto c = *config_gen();
        const auto p = warden::decide(s, c);
        // Count running after every write except the starts, independently of the engine.
        warden::snapshot after = s;
        warden::plan without_starts = p;
        std::erase_if(without_starts.actions, [](const warden::action& a) {
            return std::holds_alternative<warden::start_job>(a) ||
                   std::holds_alternative<warden::backfill_campaign>(a);
        });
        warden::apply_to_snapshot(after, without_starts);
        std::int64_t running = 0;
        for (const auto& j : after.jobs)
            running += j.status == warden::job_status::running;
        const std::int64_t deficit = std::max<std::int64_t>(0, c.ensure_min_running_jobs - running);
        RC_ASSERT(static_cast<std::int64_t>(wt::actions_of<warden::start_job>(p).size()) <=
                  deficit);
    });
    property("cas_expectations", "every write expects the row as read, chained per job", [] {
        const auto s = *snapshot_gen();
        const auto p = warden::decide(s, *config_gen());
        std::map<std::int64_t, std::pair<warden::job_status, std::int64_t>> row;
        for (const auto& j : s.jobs)
            row.emplace(warden::to_int(j.id), std::pair{j.status, j.version});
        for (const auto& a : p.actions) {
            if (!warden::is_row_write(a)) continue;
            std::visit(
                [&](const auto& w) {
                    if constexpr (!std::is_same_v<std::decay_t<decltype(w)>, warden::stop_job>) {
                        auto& [status, version] = row.at(warden::to_int(w.job));
                        RC_ASSERT(w.expected_status == status);
                        RC_ASSERT(w.expected_version == version);
                        ++version;
                        if constexpr (std::is_same_v<std::decay_t<decltype(w)>, warden::set_status>)
                            status = w.status;
                        if constexpr (std::is_same_v<std::decay_t<decltype(w)>, warden::start_job>)
                            status = warden::job_status::running;
                    }
                },
                a);
        }
    });
    property("invalid_jobs_untouched", "no action for a job the validator rejected", [] {
        const auto s = *snapshot_gen(snapshot_shape{24, true});
        const auto p = warden::decide(s, *config_gen());
        std::set<std::int64_t> rejected;
        for (const auto& e : p.errors)
            if (e.job) rejected.insert(warden::to_int(*e.job));
        for (const auto& a : p.actions)
            RC_ASSERT(rejected.count(warden::to_int(warden::action_job(a))) == 0u);
        for (const auto& b : p.blocked)
            RC_ASSERT(rejected.count(warden::to_int(warden::action_job(b.proposed))) == 0u);
    });
}

TEST_CASE("decide is idempotent", "[property][decide]") {
    property("idempotent", "after applying a plan, no rule writes the same job again", [] {
        auto s = *snapshot_gen();
        const auto c = *config_gen();
        const auto first = warden::decide(s, c);
        const auto report = warden::apply_to_snapshot(s, first);
        RC_ASSERT(report.conflicts == 0);
        const auto second = warden::decide(s, c);
        const auto before = rule_job_pairs(first);
        for (const auto& pair : rule_job_pairs(second))
            RC_ASSERT(before.count(pair) == 0u);
    });
}
