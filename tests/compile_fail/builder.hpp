// Hands one rail to the builder named by WARDEN_BUILDER (1 with_rail, 2 make_rails, 3 compose)
// the way a host would, and decides one tick with the result.
#pragma once
#include <warden/engine.hpp>
#include <warden/rails/default_rails.hpp>

#include <boost/hana/tuple.hpp>

namespace warden_compile_fail {

template <class Rail>
int build_with(Rail r) {
#if WARDEN_BUILDER == 1
    const auto rails = warden::with_rail(warden::default_rails(), r);
#elif WARDEN_BUILDER == 2
    const auto rails = warden::make_rails(warden::sentinel_gate{}, r);
#elif WARDEN_BUILDER == 3
    // A set built without make_rails, so that compose itself must catch the rail.
    const auto rails = warden::compose(warden::default_rails(), boost::hana::make_tuple(r));
#else
#error "define WARDEN_BUILDER as 1 (with_rail), 2 (make_rails) or 3 (compose)"
#endif
    // Named, not temporaries: g++ 12 has an internal error on `decide(snapshot{}, config{}, rails)`
    // in a template once the rail set is ill-formed.
    const warden::snapshot snapshot;
    const warden::config config;
    return static_cast<int>(warden::decide(snapshot, config, rails).actions.size());
}

} // namespace warden_compile_fail
