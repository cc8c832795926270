// A rail without a name, handed to a builder: the builder names the missing member.
// Built once per builder (WARDEN_BUILDER, see tests/engine.cmake).
#include <warden/engine.hpp>

#include "builder.hpp"

struct unnamed_rail {
    warden::verdict check(const warden::decision_context&, const warden::subject&,
                          const warden::start_job&) const {
        return warden::verdict::allow();
    }
};

int main() {
    return warden_compile_fail::build_with(unnamed_rail{});
}
