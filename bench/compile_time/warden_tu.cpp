// Compile-time benchmark: the whole engine, one decide() call.
#include <warden/warden.hpp>

int main() {
    const warden::snapshot s;
    const warden::config c;
    return static_cast<int>(warden::decide(s, c).actions.size());
}
