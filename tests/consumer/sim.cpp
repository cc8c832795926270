// warden::sim from a host: one tick of a two-job world, decided by the default rails plus the
// host's own. Exits non-zero unless the tick ran and no invariant was broken.
#include <warden/sim/sim.hpp>
#include <warden/warden.hpp>

#include <string_view>

struct host_allow_all {
    static constexpr std::string_view name = "host_allow_all";
    warden::verdict check(const warden::decision_context&, const warden::subject&,
                          const warden::start_job&) const {
        return warden::verdict::allow();
    }
};

int main() {
    warden::sim::world_options o;
    o.seed = 1;
    o.jobs = 2;
    o.ticks = 1;
    const auto rails = warden::with_rail(warden::default_rails(), host_allow_all{});
    const warden::sim::summary s = warden::sim::run(o, warden::sim::deciding_with(rails));
    return s.ticks_run >= 1 && s.violations.empty() ? 0 : 1;
}
