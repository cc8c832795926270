#include <warden/testing/catch_property.hpp>
#include <warden/testing/generators.hpp>

#include <catch2/catch.hpp>

#include "../../support/builders.hpp"

using namespace wt;

namespace {

// A host's own rail: this host never starts cihr crawls on weekdays... or at all, here.
struct no_cihr_starts {
    static constexpr std::string_view name = "no_cihr_starts";
    warden::verdict check(const warden::decision_context&, const warden::subject& s,
                          const warden::start_job&) const {
        if (s.row.source == "cihr") return warden::verdict::deny("cihr is crawled by hand");
        return warden::verdict::allow();
    }
};

struct always_allow {
    static constexpr std::string_view name = "always_allow";
    template <class A>
    warden::verdict check(const warden::decision_context&, const warden::subject&, const A&) const {
        return warden::verdict::allow();
    }
};

struct deny_all_stops {
    static constexpr std::string_view name = "deny_all_stops";
    warden::verdict check(const warden::decision_context&, const warden::subject&,
                          const warden::stop_job&) const {
        return warden::verdict::deny("no stops");
    }
};

// Counts its calls, to prove the fold short-circuits.
struct counting_rail {
    static constexpr std::string_view name = "counting";
    int* calls;
    template <class A>
    warden::verdict check(const warden::decision_context&, const warden::subject&, const A&) const {
        ++*calls;
        return warden::verdict::allow();
    }
};

static_assert(warden::rail<no_cihr_starts>);
static_assert(warden::rail<always_allow>);
static_assert(!warden::rail<int>);
static_assert(warden::rail_set<decltype(warden::default_rails())>);
static_assert(sizeof(warden::default_rail_set) == 1, "our rails carry no state: zero cost");

} // namespace

TEST_CASE("a host rail appended to ours blocks with its own name", "[rails][compose]") {
    warden::config c;
    c.ensure_min_running_jobs = 2;
    auto s = world({job_builder{1, job_status::queued}.annual().source("cihr").queued(30h),
                    job_builder{2, job_status::queued}.annual().source("hc").queued(20h)});
    const auto rails = warden::with_rail(warden::default_rails(), no_cihr_starts{});
    const auto p = warden::decide(s, c, rails);
    CHECK(started_ids(p) == std::vector<std::int64_t>{2});
    REQUIRE(p.blocked.size() == 1);
    CHECK(p.blocked[0].rail == "no_cihr_starts");
    CHECK(p.blocked[0].reason == "cihr is crawled by hand");
}

TEST_CASE("the first denial wins and later rails are not consulted", "[rails][compose]") {
    int calls = 0;
    auto s = world({job_builder{5, job_status::running}.started(5h).progress(2h)});
    hold_lock(s, 5);
    const auto rails = warden::make_rails(deny_all_stops{}, counting_rail{&calls});
    const auto p = warden::decide(s, {}, rails);
    CHECK(p.actions.empty());
    REQUIRE(p.blocked.size() == 3); // status, recovery options, stop
    CHECK(p.blocked[2].rail == "deny_all_stops");
    CHECK(calls == 2); // the set_status and set_tool_options passed it; the stop never reached it
}

TEST_CASE("composition laws", "[rails][compose][property]") {
    using warden::testing::config_gen;
    using warden::testing::snapshot_gen;
    const auto a = warden::make_rails(warden::grace_window{}, warden::daily_start_cap{});
    const auto b = warden::make_rails(deny_all_stops{}, no_cihr_starts{});
    const auto c = warden::make_rails(warden::disk_threshold{}, warden::sentinel_gate{});

    warden::testing::property("compose_associative", "composing rail sets is associative", [&] {
        const auto snap = *snapshot_gen();
        const auto cfg = *config_gen();
        RC_ASSERT(warden::decide(snap, cfg, warden::compose(warden::compose(a, b), c)) ==
                  warden::decide(snap, cfg, warden::compose(a, warden::compose(b, c))));
    });
    warden::testing::property("compose_identity", "the empty rail set is the identity", [&] {
        const auto snap = *snapshot_gen();
        const auto cfg = *config_gen();
        const auto ours = warden::default_rails();
        const auto plain = warden::decide(snap, cfg, ours);
        RC_ASSERT(warden::decide(snap, cfg, warden::compose(ours, warden::make_rails())) == plain);
        RC_ASSERT(warden::decide(snap, cfg, warden::compose(warden::make_rails(), ours)) == plain);
    });
    warden::testing::property("always_allow_neutral", "an always-allow rail changes nothing", [&] {
        const auto snap = *snapshot_gen();
        const auto cfg = *config_gen();
        RC_ASSERT(
            warden::decide(snap, cfg, warden::with_rail(warden::default_rails(), always_allow{})) ==
            warden::decide(snap, cfg));
    });
    warden::testing::property("rails_only_remove", "adding a rail never adds an action", [&] {
        const auto snap = *snapshot_gen();
        auto cfg = *config_gen();
        cfg.ensure_min_running_jobs = 0; // a blocked start frees a slot for another: not a subset
        const auto with =
            warden::decide(snap, cfg, warden::with_rail(warden::default_rails(), no_cihr_starts{}));
        const auto without = warden::decide(snap, cfg);
        for (const auto& act : with.actions)
            RC_ASSERT(std::find(without.actions.begin(), without.actions.end(), act) !=
                      without.actions.end());
    });
}
