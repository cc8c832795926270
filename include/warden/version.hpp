#pragma once
// The one place the version lives; CMakeLists.txt parses these three lines.
#define WARDEN_VERSION_MAJOR 0
#define WARDEN_VERSION_MINOR 1
#define WARDEN_VERSION_PATCH 0

#define WARDEN_VERSION                                                                             \
    (WARDEN_VERSION_MAJOR * 10000 + WARDEN_VERSION_MINOR * 100 + WARDEN_VERSION_PATCH)

namespace warden {
// Versioned inline namespace: two incompatible wardens linked into one program get distinct
// symbols instead of an ODR violation.
inline namespace v0 {
inline constexpr int version_major = WARDEN_VERSION_MAJOR;
inline constexpr int version_minor = WARDEN_VERSION_MINOR;
inline constexpr int version_patch = WARDEN_VERSION_PATCH;
} // namespace v0
} // namespace warden
