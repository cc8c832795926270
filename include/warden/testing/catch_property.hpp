#pragma once
// rc::prop for Catch2 2.x, but with a test id. The stock rapidcheck/catch.h passes none, so
// RC_PARAMS="reproduce=..." makes every property pass with 0 cases (a trap found in Debian's
// rapidcheck 08b5058). `seed=N` replays either way.
#include <catch2/catch.hpp>
#include <rapidcheck.h>

#include <sstream>
#include <string>
#include <utility>

namespace warden {
inline namespace v0 {
namespace testing {

template <class Testable>
void property(const std::string& id, const std::string& description, Testable&& testable) {
    SECTION(description) {
        const auto result = rc::detail::checkTestable(std::forward<Testable>(testable),
                                                      rc::detail::TestMetadata{id, description});
        std::ostringstream message;
        rc::detail::printResultMessage(result, message);
        INFO(message.str());
        CHECK(result.template is<rc::detail::SuccessResult>());
    }
}

} // namespace testing
} // namespace v0
} // namespace warden
