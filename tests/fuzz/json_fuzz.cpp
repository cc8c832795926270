// libFuzzer target: raw bytes through the whole CLI path: the snapshot JSON reader and its
// limits, validation, decide(), and all three renderers (text, JSON plan, Prometheus). Checked:
// no crash, no sanitizer report, no exception escaping the reader, and the plan properties.
#include <warden/io/json.hpp>
#include <warden/io/prometheus.hpp>
#include <warden/warden.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "plan_properties.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    warden::json_read_options options;
    options.limits.max_bytes = 1 << 20;
    const warden::snapshot_document doc = warden::read_snapshot_document(text, options);
    for (const auto& e : doc.errors)
        WARDEN_FUZZ_REQUIRE(!e.field.empty());
    if (!doc.ok()) return 0; // the CLI decides nothing on an unreadable document
    const warden::plan p = warden::decide(doc.snapshot, doc.config);
    warden_fuzz::check_plan(doc.snapshot, doc.config, p);
    (void)warden::render_text(p, doc.snapshot);
    (void)warden::to_json(p).dump();
    (void)warden::render_prometheus(p, doc.snapshot, warden::default_rails());
    return 0;
}
