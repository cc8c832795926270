// Compile-time benchmark (issue #22), compiled mode: a decide-only TU on <warden/decide.hpp> (the
// core types and one declaration), one decide() call. WARDEN_COMPILED is what linking
// warden::compiled sets for every TU (docs/architecture.md, "Compiled mode"): decide is declared
// here and generated once in the library, not in this TU.
#define WARDEN_COMPILED
#include <warden/decide.hpp>

int main() {
    const warden::snapshot s;
    const warden::config c;
    return static_cast<int>(warden::decide(s, c).actions.size());
}
