// Properties of decide() over generated snapshots (include/warden/testing/generators.hpp).
// Replay a failure with RC_PARAMS="seed=N" or RC_PARAMS="reproduce=...".
#include <warden/testing/catch_property.hpp>
#include <warden/testing/generators.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

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

// Every "never" property runs on the general worlds and on the queue-fill-heavy ones, where
// starts and backfills are common enough for the start properties to bite.
struct world_kind {
    std::string prefix;
    snapshot_shape shape;
    bool fills = false;
};

const std::vector<world_kind>& worlds() {
    static const std::vector<world_kind> all{{"", {}, false},
                                             {"queue_fill_heavy/", {24, false, true}, true}};
    return all;
}

template <class Property>
void on_every_world(const std::string& id, const std::string& description, Property body) {
    for (const world_kind& w : worlds())
        property(w.prefix + id, w.prefix + description,
                 [w, body] { body(*snapshot_gen(w.shape), *config_gen(w.fills)); });
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
    on_every_world("input_unchanged", "decide does not modify its input",
                   [](const warden::snapshot& s, const warden::config& c) {
                       const warden::snapshot s_copy = s;
                       const warden::config c_copy = c;
                       (void)warden::decide(s, c);
                       RC_ASSERT(s == s_copy);
                       RC_ASSERT(c.ensure_min_running_jobs == c_copy.ensure_min_running_jobs);
                       RC_ASSERT(c.source_order == c_copy.source_order);
                   });
}

TEST_CASE("decide never writes what it must not", "[property][decide]") {
    property("no_write_without_sentinel", "without the sentinel the plan has no action", [] {
        auto s = *snapshot_gen();
        s.host.sentinel_present = false;
        RC_ASSERT(warden::decide(s, *config_gen()).actions.empty());
    });
    on_every_world("dry_run_is_apply_mode",
                   "without the sentinel, exactly apply mode's writes "
                   "are blocked by sentinel_gate, and nothing else changes",
                   [](warden::snapshot s, const warden::config& c) {
                       s.host.sentinel_present = true;
                       const auto live = warden::decide(s, c);
                       s.host.sentinel_present = false;
                       const auto dry = warden::decide(s, c);
                       std::vector<warden::action> gated;
                       std::vector<warden::blocked_action> other;
                       for (const auto& b : dry.blocked) {
                           if (b.rail == "sentinel_gate")
                               gated.push_back(b.proposed);
                           else
                               other.push_back(b);
                       }
                       RC_ASSERT(dry.actions.empty());
                       RC_ASSERT(gated == live.actions);
                       RC_ASSERT(other == live.blocked);
                       RC_ASSERT(dry.anomalies == live.anomalies);
                       RC_ASSERT(dry.summary.running == live.summary.running);
                   });
    on_every_world("no_start_under_deploy_or_disk", "no start under the deploy lock or a full disk",
                   [](const warden::snapshot& s, const warden::config& c) {
                       const auto starts = wt::actions_of<warden::start_job>(warden::decide(s, c));
                       if (s.host.deploy_lock_present ||
                           s.host.disk_used_percent >= c.disk_threshold_percent)
                           RC_ASSERT(starts.empty());
                   });
    on_every_world("completed_untouched", "no action names a completed job",
                   [](const warden::snapshot& s, const warden::config& c) {
                       for (const auto& a : warden::decide(s, c).actions) {
                           const auto* j = find_job(s, warden::action_job(a));
                           RC_ASSERT(j != nullptr);
                           RC_ASSERT(j->status != warden::job_status::completed);
                       }
                   });
    on_every_world(
        "daily_cap", "no start for a job with cap starts in the last 24 h",
        [](const warden::snapshot& s, const warden::config& c) {
            for (const auto& start : wt::actions_of<warden::start_job>(warden::decide(s, c))) {
                int recent = 0;
                for (const auto& r : s.starts)
                    recent += r.job == start.job && r.at > s.now - warden::one_day && r.at <= s.now;
                RC_ASSERT(recent < c.daily_start_cap);
            }
        });
    on_every_world("deficit", "never more starts than the deficit after the other rules",
                   [](const warden::snapshot& s, const warden::config& c) {
                       const auto p = warden::decide(s, c);
                       // Count running after every write except the starts, independently of the
                       // engine.
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
                       const std::int64_t deficit =
                           std::max<std::int64_t>(0, c.ensure_min_running_jobs - running);
                       RC_ASSERT(static_cast<std::int64_t>(
                                     wt::actions_of<warden::start_job>(p).size()) <= deficit);
                   });
    on_every_world("max_starts_per_tick",
                   "never more starts than max_starts_per_tick (0: no limit)",
                   [](const warden::snapshot& s, const warden::config& c) {
                       const auto p = warden::decide(s, c);
                       std::int64_t started = 0, waiting = 0;
                       for (const auto& a : p.actions)
                           started += std::holds_alternative<warden::start_job>(a);
                       for (const auto& b : p.blocked) {
                           if (!std::holds_alternative<warden::start_job>(b.proposed)) continue;
                           started += b.rail == "sentinel_gate"; // a dry run's start
                           waiting += b.rail == "starts_per_tick";
                       }
                       if (c.max_starts_per_tick > 0) {
                           RC_ASSERT(started <= c.max_starts_per_tick);
                           if (waiting > 0) RC_ASSERT(started == c.max_starts_per_tick);
                       } else {
                           RC_ASSERT(waiting == 0);
                       }
                   });
    on_every_world("cas_expectations", "every write expects the row as read, chained per job",
                   [](const warden::snapshot& s, const warden::config& c) {
                       const auto p = warden::decide(s, c);
                       std::map<std::int64_t, std::pair<warden::job_status, std::int64_t>> row;
                       for (const auto& j : s.jobs)
                           row.emplace(warden::to_int(j.id), std::pair{j.status, j.version});
                       for (const auto& a : p.actions) {
                           if (!warden::is_row_write(a)) continue;
                           std::visit(
                               [&](const auto& w) {
                                   using W = std::decay_t<decltype(w)>;
                                   if constexpr (!std::is_same_v<W, warden::stop_job>) {
                                       auto& [status, version] = row.at(warden::to_int(w.job));
                                       RC_ASSERT(w.expected_status == status);
                                       RC_ASSERT(w.expected_version == version);
                                       ++version;
                                       if constexpr (std::is_same_v<W, warden::set_status>)
                                           status = w.status;
                                       if constexpr (std::is_same_v<W, warden::start_job>)
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
    on_every_world("idempotent", "after applying a plan, no rule writes the same job again",
                   [](warden::snapshot s, const warden::config& c) {
                       const auto first = warden::decide(s, c);
                       const auto report = warden::apply_to_snapshot(s, first);
                       RC_ASSERT(report.conflicts == 0);
                       const auto second = warden::decide(s, c);
                       const auto before = rule_job_pairs(first);
                       for (const auto& pair : rule_job_pairs(second))
                           RC_ASSERT(before.count(pair) == 0u);
                   });
}

// The start properties above are only as good as the starts they see. The last session's
// review found 0-1 plans with a start in 200 cases and no backfill at all. This samples the
// queue-fill-heavy worlds at fixed seeds (deterministic, so it cannot flake) and requires the
// rates to stay well above zero; measured rates are in the message (about 40% / 14% / 11%).
TEST_CASE("the queue-fill-heavy worlds produce starts, backfills and daily-cap denials",
          "[property][generators]") {
    constexpr int samples = 300;
    int with_start = 0, with_backfill = 0, with_capped = 0;
    for (int k = 0; k < samples; ++k) {
        const auto s =
            snapshot_gen(snapshot_shape{24, false, true})(rc::Random(1000 + k), k % 100).value();
        const auto c = config_gen(true)(rc::Random(5000 + k), k % 100).value();
        const auto p = warden::decide(s, c);
        with_start += !wt::actions_of<warden::start_job>(p).empty();
        with_backfill += !wt::actions_of<warden::backfill_campaign>(p).empty();
        with_capped += std::any_of(p.blocked.begin(), p.blocked.end(),
                                   [](const auto& b) { return b.rail == "daily_start_cap"; });
    }
    INFO(samples << " worlds: " << with_start << " with a start, " << with_backfill
                 << " with a backfill, " << with_capped << " with a daily-cap denial");
    CHECK(with_start * 100 >= samples * 25);
    CHECK(with_backfill * 100 >= samples * 7);
    CHECK(with_capped * 100 >= samples * 5);
}
