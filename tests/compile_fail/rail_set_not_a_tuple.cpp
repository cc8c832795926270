// Rails come as a hana tuple, not a std::tuple or a single rail.
#include <warden/engine.hpp>

#include <tuple>

int main() {
    const auto plan = warden::decide(warden::snapshot{}, warden::config{},
                                     std::make_tuple(warden::sentinel_gate{}));
    return static_cast<int>(plan.actions.size());
}
