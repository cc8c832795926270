#pragma once
// WARDEN_ASSERT(cond, msg): a check of what the code trusts rather than what the input says.
// Bad input is reported, never asserted (docs/reliability.md); an assert that fires is a bug in
// warden or in a host that broke a documented precondition.
//
// On when WARDEN_ENABLE_ASSERTS is defined or NDEBUG is not (the test and simulator targets
// define WARDEN_ENABLE_ASSERTS); off in a Release build unless asked. On and failing, it prints
// `file:line: warden assertion failed: cond: msg` to stderr and aborts. Off, the condition is
// not evaluated and no code is generated: it only stays visible to the compiler (unevaluated,
// inside sizeof) so that a variable used only by an assert does not warn.

#if defined(WARDEN_ENABLE_ASSERTS) || !defined(NDEBUG)
#define WARDEN_ASSERTS_ON 1
#else
#define WARDEN_ASSERTS_ON 0
#endif

#if WARDEN_ASSERTS_ON
#include <cstdio>
#include <cstdlib>

namespace warden {
inline namespace v0 {
namespace detail {

// Out of line of the caller's hot loop: cold, and never returns.
[[noreturn, gnu::cold, gnu::noinline]] inline void
assert_failed(const char* file, int line, const char* cond, const char* msg) noexcept {
    std::fprintf(stderr, "%s:%d: warden assertion failed: %s: %s\n", file, line, cond, msg);
    std::fflush(stderr);
    std::abort();
}

} // namespace detail
} // namespace v0
} // namespace warden

#define WARDEN_ASSERT(cond, msg)                                                                   \
    (static_cast<bool>(cond) ? static_cast<void>(0)                                                \
                             : ::warden::detail::assert_failed(__FILE__, __LINE__, #cond, msg))
#else
#define WARDEN_ASSERT(cond, msg) static_cast<void>(sizeof(static_cast<bool>(cond)))
#endif
