// The simulator on the SQLite adapter (issue 5): every watchdog tick's rows are written to an
// in-memory SQLite database, read back with warden::sqlite::load_snapshot, the plan is applied
// with warden::sqlite::apply, and the rows SQLite holds must be the world's; with every guard on,
// no invariant breaks, and the run's trace hash is the model's.
#include <warden/sim/sim.hpp>
#include <warden/sim/sqlite_db.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <rapidcheck.h>

#include "scenario.hpp"

using namespace warden::sim;

namespace {

world_options on_sqlite(const scenario& sc) {
    world_options o = options_for(sc, legacy_bugs{});
    sqlite_db::attach(o);
    return o;
}

} // namespace

TEST_CASE("on SQLite, generated campaigns break no invariant", "[sim][sqlite]") {
    check_property(
        "sim/sqlite-all-guards-on",
        [](const scenario& sc) {
            const summary s = run(on_sqlite(sc));
            if (!s.violations.empty())
                RC_FAIL(fmt::format("{} at tick {} job {}: {}", to_string(s.violations[0].what),
                                    s.violations[0].tick, s.violations[0].job,
                                    s.violations[0].message));
            RC_TAG(s.time_to_complete_ticks >= 0 ? "converged" : "not converged");
        },
        40);
}

TEST_CASE("on SQLite, a campaign's trace hash is the model's", "[sim][sqlite]") {
    check_property(
        "sim/sqlite-same-trace-hash",
        [](const scenario& sc) {
            const summary model = run(options_for(sc, legacy_bugs{}));
            const summary sql = run(on_sqlite(sc));
            RC_ASSERT(sql.violations.size() == model.violations.size());
            RC_ASSERT(sql.trace_hash == model.trace_hash);
        },
        20);
}

TEST_CASE("on SQLite, the check is not vacuous", "[sim][sqlite]") {
    world_options o = on_sqlite(scenario{3, 8, 3, {}});
    std::int64_t ticks = 0;
    std::int64_t actions = 0;
    auto inner = o.db_check;
    o.db_check = [&](const warden::snapshot& before, const warden::plan& p,
                     const std::vector<warden::job>& after,
                     const std::vector<warden::start_record>& starts, std::int64_t conflicts) {
        ++ticks;
        actions += static_cast<std::int64_t>(p.actions.size());
        return inner(before, p, after, starts, conflicts);
    };
    CHECK(run(o).violations.empty());
    CHECK(ticks > 100);
    CHECK(actions > 5);

    // A world whose rows drift from SQLite's after a plan is caught.
    world_options bad = on_sqlite(scenario{3, 8, 3, {}});
    auto checked = bad.db_check;
    bad.db_check = [&](const warden::snapshot& before, const warden::plan& p,
                       const std::vector<warden::job>& after,
                       const std::vector<warden::start_record>& starts, std::int64_t conflicts) {
        std::vector<warden::job> drifted = after;
        if (!p.actions.empty()) ++drifted.front().version;
        return checked(before, p, drifted, starts, conflicts);
    };
    const summary s = run(bad);
    REQUIRE_FALSE(s.violations.empty());
    CHECK(s.violations[0].what == invariant::cas_overwrite);
}
