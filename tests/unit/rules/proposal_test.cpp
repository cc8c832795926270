// Issue #22: a proposal keeps its actions in a union, constructed one by one as they are added;
// copies and moves touch only the actions it holds. Each operation at every size from empty to
// capacity, with actions that own memory (a stop's pids and unit), so a missed construction or
// destruction shows under the sanitizer pass and a wrong count or order shows here.
#include <warden/rules/proposal.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace {

warden::action owning_action(std::size_t k) {
    warden::stop_job s;
    s.job = warden::job_id{static_cast<std::int64_t>(k + 1)};
    s.pids.assign(k + 1, static_cast<std::int64_t>(100 + k));
    s.unit = "warden-crawl-" + std::to_string(k) + ".service, a unit name longer than SSO";
    s.runner = warden::runner_class::systemd_unit;
    return s;
}

warden::proposal filled(std::size_t n) {
    warden::proposal p;
    for (std::size_t k = 0; k < n; ++k)
        p.add(owning_action(k));
    return p;
}

bool holds_first(const warden::proposal& p, std::size_t n) {
    if (p.size() != n || p.actions().size() != n) return false;
    for (std::size_t k = 0; k < n; ++k)
        if (!(p.actions()[k] == owning_action(k))) return false;
    return true;
}

} // namespace

TEST_CASE("proposal: copies, moves and assignments at every size up to capacity",
          "[rules][proposal][issue22]") {
    CHECK(warden::proposal{}.size() == 0);
    CHECK(warden::proposal{}.actions().empty());
    for (std::size_t n = 0; n <= warden::proposal::capacity; ++n) {
        CAPTURE(n);
        const warden::proposal original = filled(n);
        REQUIRE(holds_first(original, n));

        warden::proposal copy = original; // NOLINT(performance-unnecessary-copy-initialization)
        CHECK(holds_first(copy, n));
        CHECK(holds_first(original, n));

        warden::proposal moved = std::move(copy);
        CHECK(holds_first(moved, n));

        // Assignments onto every size, smaller and larger: the target's own actions go first.
        for (std::size_t m = 0; m <= warden::proposal::capacity; ++m) {
            CAPTURE(m);
            warden::proposal target = filled(m);
            target = original;
            CHECK(holds_first(target, n));
            warden::proposal other = filled(m);
            other = std::move(target);
            CHECK(holds_first(other, n));
        }

        warden::proposal self = filled(n);
        auto& alias = self; // self-assignment keeps the actions
        self = alias;
        CHECK(holds_first(self, n));
        self = std::move(alias);
        CHECK(holds_first(self, n));

        // Through an optional, as the rules return it.
        std::optional<warden::proposal> q = filled(n);
        warden::proposal out = std::move(*q);
        CHECK(holds_first(out, n));

        // Actions stay mutable in place (decide writes a recovery's crawled pages into it).
        if (n > 0) {
            std::get<warden::stop_job>(out.actions()[0]).restart = true;
            CHECK(std::get<warden::stop_job>(out.actions()[0]).restart);
        }
    }
}
