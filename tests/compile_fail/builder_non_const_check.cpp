// A check that is not const is the commonest near miss: the builders say so, by name, instead
// of "no matching function". Built once per builder (WARDEN_BUILDER, see tests/engine.cmake).
#include <warden/engine.hpp>

#include <string_view>

#include "builder.hpp"

struct non_const_rail {
    static constexpr std::string_view name = "non_const";
    warden::verdict check(const warden::decision_context&, const warden::subject&,
                          const warden::start_job&) {
        return warden::verdict::allow();
    }
};

int main() {
    return warden_compile_fail::build_with(non_const_rail{});
}
