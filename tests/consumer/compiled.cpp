// warden::compiled from a host: the worked example (examples/campaign.hpp: two ticks of one annual
// campaign, each plan rendered as text) decided by the library's decide. run.sh compares what it
// prints with tests/golden/dry_run.txt, the header-only engine's text for the same two ticks.
#include <cstdio>
#include <string>

#include "../../examples/campaign.hpp"

#if defined(WARDEN_CONSUMER_COMPILED) != defined(WARDEN_COMPILED)
#error "warden::compiled must define WARDEN_COMPILED for its hosts, and warden::warden must not"
#endif

int main() {
    const std::string text = example::two_ticks();
    return std::fwrite(text.data(), 1, text.size(), stdout) == text.size() ? 0 : 1;
}
