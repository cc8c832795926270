// The error names the user's type, not only ours.
#include <warden/engine.hpp>

struct my_broken_rail {};

int main() {
    const auto plan =
        warden::decide(warden::snapshot{}, warden::config{},
                       boost::hana::make_tuple(warden::sentinel_gate{}, my_broken_rail{}));
    return static_cast<int>(plan.actions.size());
}
