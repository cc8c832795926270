// A check returning bool instead of a verdict: the builders say what to return instead.
// Built once per builder (WARDEN_BUILDER, see tests/engine.cmake).
#include <warden/engine.hpp>

#include <string_view>

#include "builder.hpp"

struct bool_rail {
    static constexpr std::string_view name = "bool_rail";
    bool check(const warden::decision_context&, const warden::subject&,
               const warden::start_job&) const {
        return true;
    }
};

int main() {
    return warden_compile_fail::build_with(bool_rail{});
}
