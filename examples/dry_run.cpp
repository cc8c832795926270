// The worked example: two watchdog ticks over one annual campaign. Tick 1 reconciles a live
// crawl, recovers a stalled one, repairs a half-written completion and stops retrying a job with
// bad arguments. The host applies that plan; tick 2, five minutes later, fills the campaign back
// to its target: a restart, a legacy job backfilled and started, and a start the daily cap blocks.
#include <fmt/format.h>

#include "campaign.hpp"

int main() {
    fmt::print("{}", example::two_ticks());
    return 0;
}
