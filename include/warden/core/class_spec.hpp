#pragma once
#include <warden/core/job.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace warden {
inline namespace v0 {

// Issue #21 item 1: one class of work (config.classes). A job is of the class it names in its
// `class` field; failing that, of the first class in config order that recognises it, by its
// campaign kind or by a pattern on its name (facts/job_class.hpp). Without a `classes` key the
// one class is `annual`: campaign kind annual, queue fill on, which is warden's behaviour before
// classes existed.
struct class_spec {
    std::string name;
    // Recognises the jobs of an annual campaign (kind, campaign_year or -YYYY0101 stamp, as queue
    // fill reads them). none: recognises none by kind.
    campaign_kind campaign = campaign_kind::none;
    // Recognises a job whose name matches this glob: `*` any run of characters, `?` one byte.
    // Empty: recognises none by name.
    std::string name_pattern = {};
    // Whether queue fill may start the class's jobs. A class that is not annual is started as it
    // is (no campaign backfill, no year); one with queue_fill false is passed over
    // (skip reason class_not_queue_filled).
    bool queue_fill = true;
    // Among queue fill's candidates, a higher priority goes first; ties keep queue order.
    std::int32_t priority = 0;
    // Queue fill keeps at least this many of the class's jobs running (counted as the global
    // target counts), beyond config.ensure_min_running_jobs. Missing: no floor of its own.
    std::optional<std::int32_t> ensure_min_running_jobs = std::nullopt;
    friend bool operator==(const class_spec&, const class_spec&) = default;
};

} // namespace v0
} // namespace warden
