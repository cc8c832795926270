// Built without WARDEN_ENABLE_ASSERTS and with NDEBUG, as a Release host is: WARDEN_ASSERT must
// then generate nothing, not even an evaluation of its condition. A failing assert with a side
// effect proves both: the program reaches the end, and the side effect never happened.
#include <warden/detail/assert.hpp>

#include <cstdio>

#if WARDEN_ASSERTS_ON
#error "asserts must be off in a Release build that did not ask for them"
#endif

namespace {
int evaluated = 0;
} // namespace

// External linkage: clang refuses an internal function that the off macro never calls
// (-Wunneeded-internal-declaration), which is exactly what this program proves.
bool count_and_fail();
bool count_and_fail() {
    ++evaluated;
    return false;
}

int main() {
    WARDEN_ASSERT(count_and_fail(), "must not be evaluated when off");
    if (evaluated != 0) {
        std::fprintf(stderr, "WARDEN_ASSERT evaluated its condition while off\n");
        return 1;
    }
    std::puts("WARDEN_ASSERT compiled away");
    return 0;
}
