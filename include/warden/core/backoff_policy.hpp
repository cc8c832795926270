#pragma once
#include <cstdint>

namespace warden {
inline namespace v0 {

// Issue #21 item 3: how long a retryable job of a class waits before queue fill may start it
// again (facts/backoff.hpp). The n-th retry (n = the row's retry_count, 0 for the first) waits
// initial_delay_seconds * coefficient^n, at most max_delay_seconds, shortened by up to
// jitter_fraction of itself by a share derived from the job id and n, so retries of many jobs
// that failed together spread out while every plan stays deterministic (Temporal's retry
// policy, systemd's RestartSec with RestartSteps, Kubernetes' backoffLimit).
struct backoff_policy {
    std::int64_t initial_delay_seconds = 60;
    double coefficient = 2.0;
    std::int64_t max_delay_seconds = 3600;
    double jitter_fraction = 0.0;
    friend bool operator==(const backoff_policy&, const backoff_policy&) = default;
};

} // namespace v0
} // namespace warden
