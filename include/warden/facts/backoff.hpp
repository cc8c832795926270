#pragma once
#include <warden/core/backoff_policy.hpp>
#include <warden/core/config.hpp>
#include <warden/core/ids.hpp>
#include <warden/core/job.hpp>
#include <warden/core/time.hpp>
#include <warden/facts/context.hpp>
#include <warden/facts/job_class.hpp>

#include <cstdint>
#include <optional>

namespace warden {
inline namespace v0 {

namespace detail {

// SplitMix64's finaliser: a well-spread 64-bit hash of a 64-bit value, the same on every
// platform (integer arithmetic only).
[[nodiscard]] constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

} // namespace detail

// Issue #21 item 3: the share, in [0, 1), of a retry's delay that its jitter removes: a hash of
// the job id and the retry number, so one job's successive retries and many jobs' retries spread
// out, while the same row always gets the same share (plans stay deterministic).
[[nodiscard]] constexpr double jitter_share(job_id id, std::int32_t retry) noexcept {
    const auto key = static_cast<std::uint64_t>(to_int(id)) * 0x100000001b3ull +
                     static_cast<std::uint64_t>(static_cast<std::uint32_t>(retry));
    return static_cast<double>(detail::mix64(key) >> 11) * 0x1p-53;
}

// The wait before retry number `retry` (0: the first) of job `id`: initial_delay_seconds *
// coefficient^retry, at most max_delay_seconds, less jitter_fraction * jitter_share of itself,
// in whole seconds (truncated). The power is taken by squaring in doubles: a handful of IEEE
// multiplications, the same result everywhere, and no loop that a retry count of 2^31 could make
// long.
[[nodiscard]] constexpr duration backoff_delay(const backoff_policy& b, std::int32_t retry,
                                               job_id id) noexcept {
    if (b.initial_delay_seconds <= 0 || b.max_delay_seconds <= 0) return duration{0};
    const double cap = static_cast<double>(b.max_delay_seconds);
    double factor = 1.0;
    double base = b.coefficient;
    for (auto n = static_cast<std::uint32_t>(retry < 0 ? 0 : retry); n != 0 && factor < cap;
         n >>= 1) {
        if (n & 1u) factor *= base;
        base *= base;
    }
    double delay = static_cast<double>(b.initial_delay_seconds) * factor;
    if (!(delay < cap)) delay = cap; // also an overflow to infinity
    delay -= delay * b.jitter_fraction * jitter_share(id, retry);
    return duration{static_cast<std::int64_t>(delay)};
}

// When the failed attempt a retryable row waits after ended: the later of its finished_at (a
// failed attempt's, or an operator's) and its newest recovery record (a stall recovery marks the
// row retryable without finishing it), else its started_at; nullopt for a row never started (an
// operator's retryable: nothing to back off from).
[[nodiscard]] constexpr std::optional<timestamp> retry_base_time(const job& j,
                                                                 const job_facts& f) noexcept {
    std::optional<timestamp> t = j.finished_at;
    if (f.last_recovery_at && (!t || *f.last_recovery_at > *t)) t = f.last_recovery_at;
    if (!t) t = j.started_at;
    return t;
}

// Issue #21 item 3: the time before which queue fill must not start `j`: a retryable row of a
// class with a backoff policy, waiting from retry_base_time. nullopt: no wait (not retryable, no
// policy, or nothing to wait from).
[[nodiscard]] inline std::optional<timestamp> retry_not_before(const config& c, const job& j,
                                                               const job_facts& f) noexcept {
    // Without `classes` the implicit annual class has no backoff policy.
    if (j.status != job_status::retryable || c.classes.empty()) return std::nullopt;
    const class_spec* k = class_spec_of(c, j);
    if (!k || !k->backoff) return std::nullopt;
    const auto base = retry_base_time(j, f);
    if (!base) return std::nullopt;
    return *base + backoff_delay(*k->backoff, j.retry_count, j.id);
}

} // namespace v0
} // namespace warden
