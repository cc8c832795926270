#pragma once
#include <warden/core/config.hpp>
#include <warden/core/job.hpp>

#include <string_view>

namespace warden {
inline namespace v0 {

// Issue #21: the class a job belongs to, as concurrency limits count it: the class the host
// named in the job's `class` field; empty when it named none.
[[nodiscard]] inline std::string_view class_of(const config&, const job& j) noexcept {
    return j.job_class;
}

} // namespace v0
} // namespace warden
