// The simulator with SQLite as its store (issue 5): every read of the world's database comes
// from an in-memory SQLite database (the watchdog's snapshot through load_snapshot) and every
// write goes through warden::sqlite's compare-and-set statements (apply, complete, edit_status,
// record_stage, apply_one). With every guard on, no invariant breaks, and a run's trace hash is
// the model's; a defective CAS and rows moved behind the world's back are caught.
#include <warden/adapters/sqlite.hpp>
#include <warden/sim/sim.hpp>
#include <warden/sim/sqlite_db.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <rapidcheck.h>

#include <cstdint>
#include <string>

#include "scenario.hpp"

using namespace warden::sim;

namespace {

world_options on_sqlite(world_options o, sqlite_db::mutant m = sqlite_db::mutant::none) {
    o.store = sqlite_db::store(m);
    return o;
}

std::string first_violation(const summary& s) {
    if (s.violations.empty()) return "none";
    const violation& v = s.violations.front();
    return fmt::format("{} at tick {} job {}: {}", to_string(v.what), v.tick, v.job, v.message);
}

} // namespace

TEST_CASE("SQLite as the store: swarm campaigns break no invariant and replay the model",
          "[sim][sqlite]") {
    check_property(
        "sim/sqlite-swarm",
        [](std::uint64_t seed) {
            const auto jobs = *rc::gen::inRange(1, 13);
            const auto target = *rc::gen::inRange(1, 5);
            const world_options o = swarm_campaign(seed, jobs, target);
            const summary sql = run(on_sqlite(o));
            if (!sql.violations.empty())
                RC_FAIL(fmt::format("seed {} jobs {} target {}: {}", seed, jobs, target,
                                    first_violation(sql)));
            RC_ASSERT(sql.time_to_complete_ticks >= 0);
            // The same campaign on the model: the same events, rows and versions.
            const summary model = run(o);
            RC_ASSERT(sql.trace_hash == model.trace_hash);
            RC_ASSERT(sql.ticks_run == model.ticks_run);
            RC_ASSERT(sql.watchdog_conflicts == model.watchdog_conflicts);
            RC_ASSERT(sql.worker_conflicts == model.worker_conflicts);
            RC_TAG(sql.watchdog_conflicts > 0 ? "watchdog conflicts" : "no watchdog conflict");
            RC_TAG(sql.crash_points_hit > 0 ? "crash between writes" : "no crash point");
        },
        60);
}

TEST_CASE("SQLite as the store: generated fault schedules break no invariant", "[sim][sqlite]") {
    check_property(
        "sim/sqlite-all-guards-on",
        [](const scenario& sc) {
            const summary s = run(on_sqlite(options_for(sc, legacy_bugs{})));
            if (!s.violations.empty()) RC_FAIL(first_violation(s));
            RC_ASSERT(s.trace_hash == run(options_for(sc, legacy_bugs{})).trace_hash);
        },
        20);
}

// B7's crash point between the stage write and the completion, and its 0-row completion taken
// as success, are two separate SQL statements here as in the model: the same violations, at the
// same tick, with the same trace.
TEST_CASE("SQLite as the store: legacy B7 breaks the same way as on the model", "[sim][sqlite]") {
    int broken = 0;
    check_property(
        "sim/sqlite-b7",
        [&](const scenario& sc) {
            const legacy_bugs b7 = legacy_bugs::only(7);
            const summary model = run(options_for(sc, b7));
            const summary sql = run(on_sqlite(options_for(sc, b7)));
            RC_ASSERT(first_violation(sql) == first_violation(model));
            RC_ASSERT(sql.trace_hash == model.trace_hash);
            if (!sql.violations.empty()) ++broken;
        },
        100);
    CHECK(broken > 0);
}

TEST_CASE("SQLite as the store: a cached write binds again after a failed step", "[sim][sqlite]") {
    // A failed step left the cached statement halted, and SQLite refused its next bind
    // (SQLITE_MISUSE): after one store failure every later use of that write failed too.
    sqlite_backend db;
    warden::job a;
    a.id = warden::job_id{1};
    a.name = "a";
    warden::job b = a;
    b.id = warden::job_id{2};
    b.name = "b";
    db.insert_all({a, b});
    const std::string move_id = "UPDATE jobs SET id = ?1 WHERE id = ?2";
    CHECK_THROWS_AS(db.update(move_id, std::int64_t{2}, std::int64_t{1}), warden::sqlite::error);
    CHECK(db.update(move_id, std::int64_t{3}, std::int64_t{1}) == 1);
    CHECK(db.select(3).has_value());
    CHECK_FALSE(db.select(1).has_value());
}

TEST_CASE("SQLite as the store: the world's writes are in SQLite", "[sim][sqlite]") {
    world_options o = on_sqlite(swarm_campaign(5, 8, 3));
    world w(o);
    const summary s = w.run();
    REQUIRE(s.violations.empty());
    auto* store = dynamic_cast<sqlite_db*>(&w.store());
    REQUIRE(store != nullptr);
    REQUIRE(w.store().name() == "sqlite");
    warden::sqlite::database& db = store->sql();
    // Every row the world ends with is SQLite's, and every start (worker's and watchdog's) was
    // recorded there.
    for (const warden::job& j : w.rows()) {
        const auto in_sql = warden::sqlite::load_job(db, j.id);
        REQUIRE(in_sql);
        CHECK(*in_sql == j);
    }
    warden::sqlite::detail::statement starts(db.handle(), "SELECT count(*) FROM job_starts");
    REQUIRE(starts.step());
    CHECK(starts.integer(0) == s.starts);
    CHECK(s.starts > 8);
    warden::sqlite::detail::statement stages(
        db.handle(), "SELECT count(*) FROM job_stages WHERE stage = 'persist'");
    REQUIRE(stages.step());
    CHECK(stages.integer(0) == s.completed);
}

TEST_CASE("SQLite as the store: a defective CAS is caught", "[sim][sqlite]") {
    // The completion's UPDATE hits 0 rows (an operator requeued the row, or the sweep moved it)
    // and the store reports success: incident B7's defect, inside SQLite's store.
    int caught = 0;
    for (std::uint64_t seed = 1; seed <= 20 && caught == 0; ++seed) {
        world_options o = swarm_campaign(seed, 6, 3);
        o.rates[fault_kind::operator_requeue] = 0.05;
        o.rates[fault_kind::delayed_completion] = 0.05;
        const summary good = run(on_sqlite(o));
        INFO("seed " << seed << ": " << first_violation(good));
        REQUIRE(good.violations.empty());
        const summary bad = run(on_sqlite(o, sqlite_db::mutant::zero_rows_complete));
        if (!bad.violations.empty()) {
            CHECK(bad.violations.front().what == invariant::ack_not_durable);
            ++caught;
        }
    }
    CHECK(caught == 1);
}

TEST_CASE("SQLite as the store: rows moved behind the world's back are caught", "[sim][sqlite]") {
    // Another writer bumps every row's version in SQLite right after the watchdog's 10th read:
    // the plan's compare-and-sets conflict in SQLite where the reference apply says they land,
    // and the next read finds rows the world never wrote.
    world_options o = on_sqlite(swarm_campaign(3, 8, 3));
    o.rates = fault_rates{};
    world* self = nullptr;
    int reads = 0;
    world w(o, [&](const warden::snapshot& snap, const warden::config& c) {
        if (++reads == 10)
            dynamic_cast<sqlite_db&>(self->store())
                .sql()
                .exec("UPDATE jobs SET version = version + 1");
        return warden::decide(snap, c);
    });
    self = &w;
    const summary s = w.run();
    REQUIRE_FALSE(s.violations.empty());
    CHECK(s.violations.front().what == invariant::cas_overwrite);
    CHECK(s.violations.front().tick <= 10 * o.watchdog_period_ticks);

    // Without the other writer the same run is clean.
    o.seed = 3;
    CHECK(run(o).violations.empty());
}

// The recovery history goes through SQLite (recovery_history, written in the plan's transaction,
// read back by load_snapshot), and the cap holds exactly as on the model.
TEST_CASE("SQLite as the store: recovery history caps a job's recoveries as on the model",
          "[sim][sqlite][recovery_cap]") {
    const world_options o = repeated_stalls();
    world w(on_sqlite(o));
    const summary s = w.run();
    require_capped(o, s, w.events());
    CHECK(s.trace_hash == run(o).trace_hash);
    warden::sqlite::database& db = dynamic_cast<sqlite_db&>(w.store()).sql();
    warden::sqlite::detail::statement recoveries(db.handle(),
                                                 "SELECT count(*) FROM recovery_history");
    REQUIRE(recoveries.step());
    CHECK(recoveries.integer(0) == static_cast<std::int64_t>(recovery_ticks(w.events(), 1).size()));

    // Non-vacuity on this store too: without the rail, the invariant breaks.
    const summary uncapped = run(on_sqlite(o), without_recovery_cap());
    REQUIRE_FALSE(uncapped.violations.empty());
    CHECK(uncapped.violations.front().what == invariant::recovery_over_cap);
}

// The progress tracker is the host's state, not the store's: with crawl logs on (and with B15's
// first_seen tracker) a seed hashes the same on both stores, and B15 breaks at the same tick.
TEST_CASE("SQLite as the store: progress logs and B15 replay the model",
          "[sim][sqlite][progress]") {
    int missed = 0;
    for (std::uint64_t seed = 1; seed <= 20; ++seed)
        for (const legacy_bugs legacy : {legacy_bugs{}, legacy_bugs::only(15)}) {
            world_options o = swarm_campaign(seed, 1 + static_cast<std::int32_t>(seed % 8), 2);
            o.progress_logs = true;
            o.legacy = legacy;
            const summary model = run(o);
            const summary sql = run(on_sqlite(o));
            INFO(fmt::format("seed {} legacy {}: model {}, SQLite {}", seed, legacy.describe(),
                             first_violation(model), first_violation(sql)));
            CHECK(sql.trace_hash == model.trace_hash);
            CHECK(first_violation(sql) == first_violation(model));
            if (legacy == legacy_bugs{}) CHECK(model.violations.empty());
            missed += !model.violations.empty() &&
                      model.violations.front().what == invariant::missed_stall;
        }
    CHECK(missed > 0);
}
