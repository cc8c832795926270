#pragma once
// The memory limit: one plain pass over the snapshot reading every field the rules read, summed
// so the compiler cannot drop the reads. decide() can never beat this; the ratio decide / scan
// says how much the engine costs on top of touching the data.
#include <warden/core/snapshot.hpp>

#include <cstdint>

namespace warden_bench {

[[nodiscard]] inline std::uint64_t scan(const warden::snapshot& s) {
    std::uint64_t sum = 0;
    auto t = [](const std::optional<warden::timestamp>& x) -> std::uint64_t {
        return x ? static_cast<std::uint64_t>(warden::epoch_seconds(*x)) : 1u;
    };
    for (const warden::job& j : s.jobs) {
        sum += static_cast<std::uint64_t>(to_int(j.id)) + static_cast<std::uint64_t>(j.status) +
               static_cast<std::uint64_t>(j.kind) +
               static_cast<std::uint64_t>(j.campaign_year.value_or(0)) +
               static_cast<std::uint64_t>(warden::epoch_seconds(j.queued_at)) + t(j.started_at) +
               t(j.finished_at) + t(j.last_progress_at) + t(j.completed_at) +
               static_cast<std::uint64_t>(j.retry_count) + static_cast<std::uint64_t>(j.failure) +
               static_cast<std::uint64_t>(j.version) + (j.has_outputs ? 1u : 0u) +
               static_cast<std::uint64_t>(j.options.max_container_restarts) +
               static_cast<std::uint64_t>(j.options.error_threshold_timeout) +
               static_cast<std::uint64_t>(j.options.error_threshold_http) +
               static_cast<std::uint64_t>(j.options.backoff_delay_minutes) +
               static_cast<std::uint64_t>(j.options.page_cap.value_or(0)) +
               (j.last_stage ? j.last_stage->size() : 0u) + j.last_error.size() + j.name.size() +
               j.source.size();
        // The output_dir is joined to the processes by content: read it, not just its size.
        for (const char ch : j.output_dir)
            sum += static_cast<unsigned char>(ch);
    }
    for (const auto id : s.locks)
        sum += static_cast<std::uint64_t>(to_int(id));
    for (const auto id : s.running_set)
        sum += static_cast<std::uint64_t>(to_int(id));
    for (const auto& p : s.processes) {
        sum += static_cast<std::uint64_t>(p.pid);
        for (const char ch : p.output_dir)
            sum += static_cast<unsigned char>(ch);
    }
    for (const auto& r : s.starts)
        sum += static_cast<std::uint64_t>(to_int(r.job)) +
               static_cast<std::uint64_t>(warden::epoch_seconds(r.at));
    return sum;
}

} // namespace warden_bench
