// The worked example: two watchdog ticks over one annual campaign. Tick 1 reconciles a live
// crawl, recovers a stalled one, repairs a half-written completion and stops retrying a job with
// bad arguments. The host applies that plan; tick 2, five minutes later, fills the campaign back
// to its target: a restart, a legacy job backfilled and started, and a start the daily cap blocks.
#include <warden/warden.hpp>

#include <fmt/format.h>

#include <chrono>

#include "campaign.hpp"

int main() {
    const warden::config config = example::campaign_config();
    warden::snapshot snap = example::campaign_snapshot();

    const warden::plan first = warden::decide(snap, config);
    fmt::print("== tick 1, {}, dry run ==\n{}", warden::format_rfc3339(snap.now),
               warden::render_text(first, snap));

    const auto applied = warden::apply_to_snapshot(snap, first);
    fmt::print("\nhost applied {} actions, {} conflicts\n\n", applied.applied, applied.conflicts);

    snap.now += std::chrono::minutes{5};
    const warden::plan second = warden::decide(snap, config);
    fmt::print("== tick 2, {}, dry run ==\n{}", warden::format_rfc3339(snap.now),
               warden::render_text(second, snap));
    return 0;
}
