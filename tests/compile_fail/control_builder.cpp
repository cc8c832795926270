// The positive control for builder.hpp: a correct rail goes through each builder and decides, so
// the builder TUs fail because of their rail and nothing else.
#include <warden/engine.hpp>

#include <string_view>

#include "builder.hpp"

struct correct_rail {
    static constexpr std::string_view name = "correct";
    warden::verdict check(const warden::decision_context&, const warden::subject&,
                          const warden::start_job&) const {
        return warden::verdict::allow();
    }
};

int main() {
    return warden_compile_fail::build_with(correct_rail{});
}
