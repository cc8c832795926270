// Seeds are full u64s (issue #15): the command line reads them exactly, and a seed at or above
// 2^63 runs and reports as itself. warden-sim's own handling (usage errors, the --replay line) is
// tested by the sim_cli_* CTest entries in tests/sim/CMakeLists.txt.
#include <warden/sim/sim.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

using namespace warden::sim;

TEST_CASE("seeds: parse_seed reads the whole u64 range and nothing else", "[sim][seed]") {
    constexpr auto top = std::numeric_limits<std::uint64_t>::max();
    CHECK(parse_seed("0") == std::uint64_t{0});
    CHECK(parse_seed("1") == std::uint64_t{1});
    CHECK(parse_seed("9223372036854775807") == std::uint64_t{9223372036854775807u});
    CHECK(parse_seed("9223372036854775808") == std::uint64_t{1} << 63);
    CHECK(parse_seed("18446744073709551615") == top);
    CHECK(parse_seed("018446744073709551615") == std::nullopt); // 21 characters
    CHECK_FALSE(parse_seed("18446744073709551616"));            // 2^64: out of range
    CHECK_FALSE(parse_seed("99999999999999999999"));
    CHECK_FALSE(parse_seed("-5"));
    CHECK_FALSE(parse_seed("-1"));
    CHECK_FALSE(parse_seed("+5"));
    CHECK_FALSE(parse_seed(""));
    CHECK_FALSE(parse_seed(" 5"));
    CHECK_FALSE(parse_seed("5x"));
    CHECK_FALSE(parse_seed("1e3"));
}

TEST_CASE("seeds: a seed at or above 2^63 runs as itself", "[sim][seed]") {
    world_options o;
    o.jobs = 2;
    o.ticks = 60;
    o.seed = (std::uint64_t{1} << 63) + 5;
    const summary high = run(o);
    CHECK(high.seed == o.seed);
    o.seed = 5;
    const summary low = run(o);
    CHECK(low.trace_hash != high.trace_hash);
}
