#pragma once
// decide(snapshot, config) with the default rails, and only that: the header for a TU that
// decides and does nothing else with the engine.
//
// In the compiled mode (WARDEN_COMPILED, set by linking warden::compiled; docs/architecture.md,
// "Compiled mode") it declares the function the library defines and includes only the types it
// takes and returns, so such a TU parses no rule, rail or fact and generates no engine code.
// Header-only (the default) it is <warden/engine.hpp>, so the same host code builds either way.
#if defined(WARDEN_COMPILED)
#include <warden/core/config.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>

namespace warden {
inline namespace v0 {

// Defined in the library (src/decide.cpp) as decide(s, c, default_rails()); <warden/engine.hpp>
// declares the same function in this mode.
[[nodiscard]] plan decide(const snapshot& s, const config& c);

} // namespace v0
} // namespace warden
#else
#include <warden/engine.hpp>
#endif
