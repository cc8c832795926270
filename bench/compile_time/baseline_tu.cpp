// Compile-time baseline: what a host pulling in range-v3 and fmt pays before writing any code.
#include <fmt/format.h>
#include <range/v3/all.hpp>

int main() {
    const auto v = ranges::views::iota(0, 3) | ranges::to<std::vector>();
    return static_cast<int>(fmt::format("{}", v.size()).size());
}
