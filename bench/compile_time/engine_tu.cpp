// Compile-time benchmark (issue #22): a TU that only decides includes <warden/engine.hpp>, not
// the umbrella header (no text renderer, no apply, no JSON-free I/O helpers).
#include <warden/engine.hpp>

int main() {
    const warden::snapshot s;
    const warden::config c;
    return static_cast<int>(warden::decide(s, c).actions.size());
}
