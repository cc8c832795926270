#pragma once
// The simulator, whole: world, options, faults, invariants, trace, reports.
// Drill a host's own rail set:
//   warden::sim::world_options o;  o.seed = 42;
//   auto s = warden::sim::run(o, [&](const warden::snapshot& snap, const warden::config& c) {
//       return warden::decide(snap, c, my_rails);
//   });
//   REQUIRE(s.violations.empty());
#include <warden/sim/config_swarm.hpp>
#include <warden/sim/decide.hpp>
#include <warden/sim/options.hpp>
#include <warden/sim/report.hpp>
#include <warden/sim/rng.hpp>
#include <warden/sim/trace.hpp>
#include <warden/sim/validate.hpp>
#include <warden/sim/world.hpp>
