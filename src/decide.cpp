// The compiled mode's one TU (warden::compiled, docs/architecture.md "Compiled mode"): decide with
// the default rails, generated here once instead of in every host TU that calls it. Built with
// WARDEN_COMPILED like every TU of a program that links the library, so the declarations below
// are the ones the hosts see.
#include <warden/decide.hpp>
#include <warden/engine.hpp>

#if !defined(WARDEN_COMPILED)
#error "src/decide.cpp is the compiled mode's: build it through the warden_compiled target"
#endif

namespace warden {
inline namespace v0 {

// The explicit instantiation the headers declare extern: a host that names the default rails
// itself (decide(s, c, default_rails())) links to this one too.
template plan decide<default_rail_set>(const snapshot&, const config&, const default_rail_set&);

plan decide(const snapshot& s, const config& c) {
    return decide(s, c, default_rails());
}

} // namespace v0
} // namespace warden
