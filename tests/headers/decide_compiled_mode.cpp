// Issue #22, the compiled mode (WARDEN_COMPILED, set by linking warden::compiled):
// <warden/decide.hpp> declares decide(snapshot, config) with the core types only, so a decide-only
// TU parses no rule, rail or fact and generates no engine code. The header test of decide.hpp
// (generated, without the macro) checks its header-only form; this TU its compiled form, which must
// stay light: the rails (Boost.Hana) or fmt on its path fail the header-test build.
#define WARDEN_COMPILED
#include <warden/decide.hpp>
#include <warden/decide.hpp> // include guard

#ifdef BOOST_HANA_CONFIG_HPP
#error "<warden/decide.hpp> in the compiled mode includes the rails (Boost.Hana)"
#endif
#ifdef FMT_VERSION
#error "<warden/decide.hpp> in the compiled mode includes fmt"
#endif

// The declaration is enough to call it (this object is compiled, never linked).
[[maybe_unused]] static warden::plan decide_with_default_rails(const warden::snapshot& s,
                                                               const warden::config& c) {
    return warden::decide(s, c);
}
