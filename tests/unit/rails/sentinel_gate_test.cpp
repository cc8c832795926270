#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

TEST_CASE("sentinel_gate: allows every action while the sentinel is present",
          "[rails][sentinel_gate]") {
    rail_bench b{job_builder{1, job_status::queued}};
    const warden::sentinel_gate gate;
    CHECK(b.check(gate, start_of(b.snap.jobs[0])).allowed);
    CHECK(b.check(gate, warden::stop_job{}).allowed);
}

TEST_CASE("sentinel_gate: denies every kind of action host-wide without it",
          "[rails][sentinel_gate]") {
    rail_bench b{job_builder{1, job_status::queued}};
    b.snap.host.sentinel_present = false;
    const warden::sentinel_gate gate;
    for (const warden::action& a :
         {warden::action{start_of(b.snap.jobs[0])}, warden::action{warden::set_status{}},
          warden::action{warden::backfill_campaign{}}, warden::action{warden::set_tool_options{}},
          warden::action{warden::stop_job{}}}) {
        const auto v = std::visit([&](const auto& x) { return b.check(gate, x); }, a);
        CHECK_FALSE(v.allowed);
        CHECK(v.scope == warden::denial_scope::host);
    }
}

TEST_CASE("sentinel_gate: a dry run still computes the whole plan", "[rails][sentinel_gate]") {
    auto s = world({job_builder{7, job_status::retryable}.started(1h).progress(1min)});
    hold_lock(s, 7);
    s.host.sentinel_present = false;
    const auto dry = warden::decide(s, {});
    s.host.sentinel_present = true;
    const auto live = warden::decide(s, {});
    CHECK(dry.actions.empty());
    REQUIRE(dry.blocked.size() == live.actions.size());
    CHECK(dry.blocked[0].proposed == live.actions[0]);
}

namespace {

// A host rail that refuses every start, appended after sentinel_gate as with_rail() does.
struct refuses_starts {
    static constexpr std::string_view name = "release_freeze";
    [[nodiscard]] warden::verdict check(const warden::decision_context&, const warden::subject&,
                                        const warden::start_job&) const {
        return warden::verdict::deny_host("release freeze");
    }
};

// Reconcile adds a running job, the orphan sweep removes one: both move the deficit.
warden::snapshot campaign_with_projected_writes() {
    auto s = world({job_builder{1, job_status::retryable}.started(1h).progress(1min),
                    job_builder{2, job_status::running, "adhoc"}.started(40min),
                    job_builder{3, job_status::queued}.annual().queued(30h),
                    job_builder{4, job_status::queued}.annual().queued(20h),
                    job_builder{5, job_status::queued, "phac-20260101"}.queued(10h)});
    hold_lock(s, 1);
    return s;
}

} // namespace

static_assert(warden::dry_run_gate<warden::sentinel_gate>);
static_assert(!warden::dry_run_gate<warden::deploy_lock>);
static_assert(!warden::dry_run_gate<refuses_starts>);

TEST_CASE("sentinel_gate: the dry run blocks exactly what apply mode writes",
          "[rails][sentinel_gate][queue_fill]") {
    warden::config c = fill_to_unpaced(4); // every start of the deficit, not one per tick
    auto s = campaign_with_projected_writes();
    const auto live = warden::decide(s, c);
    s.host.sentinel_present = false;
    const auto dry = warden::decide(s, c);
    // Reconcile (+1) and orphan sweep (-1) leave 1 running: three starts, one after a backfill.
    CHECK(started_ids(live) == std::vector<std::int64_t>{3, 4, 5});
    CHECK(actions_of<warden::backfill_campaign>(live).size() == 1);
    std::vector<warden::action> gated;
    for (const auto& b : dry.blocked)
        if (b.rail == "sentinel_gate") gated.push_back(b.proposed);
    CHECK(gated == live.actions);
    CHECK(dry.summary.running == live.summary.running);
    CHECK(dry.actions.empty());
}

TEST_CASE("sentinel_gate: is consulted after host rails appended behind it",
          "[rails][sentinel_gate][compose]") {
    warden::config c;
    c.ensure_min_running_jobs = 1;
    auto s = world({job_builder{3, job_status::queued}.annual()});
    s.host.sentinel_present = false;
    const auto rails = warden::with_rail(warden::default_rails(), refuses_starts{});
    const auto p = warden::decide(s, c, rails);
    REQUIRE(p.blocked.size() == 1);
    CHECK(p.blocked[0].rail == "release_freeze");
    // With the sentinel back, the host rail still refuses: the dry run said so.
    s.host.sentinel_present = true;
    const auto applied = warden::decide(s, c, rails);
    REQUIRE(applied.blocked.size() == 1);
    CHECK(applied.blocked[0].rail == "release_freeze");
}

TEST_CASE("sentinel_gate: first_denial puts dry-run gates last",
          "[rails][sentinel_gate][compose]") {
    rail_bench b{job_builder{1, job_status::queued}};
    b.snap.host.sentinel_present = false;
    const auto rails = warden::make_rails(warden::sentinel_gate{}, refuses_starts{});
    const auto start = warden::first_denial(rails, b.ctx(), b.subj(), start_of(b.snap.jobs[0]));
    REQUIRE(start);
    CHECK(start->rail == "release_freeze");
    CHECK_FALSE(start->dry_run);
    const auto stop = warden::first_denial(rails, b.ctx(), b.subj(), warden::stop_job{});
    REQUIRE(stop);
    CHECK(stop->rail == "sentinel_gate");
    CHECK(stop->dry_run);
}

namespace {

// A gate that refuses one job only: that refusal is an ordinary one, not "writing is off".
struct gate_refusing_job_3 {
    static constexpr std::string_view name = "job_3_gate";
    static constexpr bool dry_run_gate = true;
    [[nodiscard]] warden::verdict check(const warden::decision_context&, const warden::subject& s,
                                        const warden::start_job&) const {
        if (warden::to_int(s.row.id) == 3) return warden::verdict::deny("job 3 is frozen");
        return warden::verdict::allow();
    }
};

} // namespace

TEST_CASE("sentinel_gate: a gate's per-job refusal is not projected as applied",
          "[rails][sentinel_gate][queue_fill]") {
    warden::config c;
    c.ensure_min_running_jobs = 1;
    auto s = world({job_builder{3, job_status::queued}.annual().queued(30h),
                    job_builder{4, job_status::queued}.annual().queued(20h)});
    const auto p =
        warden::decide(s, c, warden::with_rail(warden::default_rails(), gate_refusing_job_3{}));
    CHECK(started_ids(p) == std::vector<std::int64_t>{4});
    REQUIRE(p.blocked.size() == 1);
    CHECK(p.blocked[0].rail == "job_3_gate");
    CHECK(p.summary.running == 1);
}

TEST_CASE("sentinel_gate: the dry run's starts follow a reconcile, and an orphan verdict, alone",
          "[rails][sentinel_gate][queue_fill]") {
    warden::config c = fill_to_unpaced(2);
    auto s = world({job_builder{3, job_status::queued}.annual().queued(30h),
                    job_builder{4, job_status::queued}.annual().queued(20h)});
    SECTION("a reconcile fills a slot: one start") {
        s.jobs.push_back(job_builder{1, job_status::retryable}.started(1h).progress(1min));
        hold_lock(s, 1);
    }
    SECTION("an orphan verdict frees a slot: two starts") {
        s.jobs.push_back(job_builder{2, job_status::running, "adhoc"}.started(1h).progress(30min));
    }
    const auto live = warden::decide(s, c);
    s.host.sentinel_present = false;
    const auto dry = warden::decide(s, c);
    std::vector<std::int64_t> dry_starts;
    for (const auto& [start, b] : blocked_of<warden::start_job>(dry)) {
        CHECK(b.rail == "sentinel_gate");
        dry_starts.push_back(warden::to_int(start.job));
    }
    CHECK_FALSE(started_ids(live).empty());
    CHECK(dry_starts == started_ids(live));
}
