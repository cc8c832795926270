// warden::json from a host: parse a snapshot document, decide on it, write the plan document.
// Exits non-zero unless the queued job is started and the written plan says so.
#include <warden/io/json.hpp>
#include <warden/warden.hpp>

#include <string_view>
#include <variant>

constexpr std::string_view document = R"({
  "now": "2026-02-03T12:00:00Z",
  "host": {"sentinel": true, "deploy_lock": false, "disk_used_percent": 10},
  "config": {"ensure_min_running_jobs": 1},
  "jobs": [
    {"id": 7, "name": "hc-20260101", "source": "hc", "output_dir": "/srv/crawls/hc-20260101",
     "status": "queued", "campaign_kind": "annual", "campaign_year": 2026,
     "queued_at": "2026-01-01T00:00:00Z", "version": 1}
  ]
})";

int main() {
    const warden::snapshot_document doc = warden::read_snapshot_document(document);
    if (!doc.ok()) return 2;
    const warden::plan plan = warden::decide(doc.snapshot, doc.config);
    const auto written = warden::to_json(plan, doc.snapshot);
    const bool ok = plan.actions.size() == 1 &&
                    std::holds_alternative<warden::start_job>(plan.actions[0]) &&
                    written.at("actions").size() == 1;
    return ok ? 0 : 1;
}
