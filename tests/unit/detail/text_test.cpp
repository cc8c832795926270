// detail::lowered_text (issue #22) must find exactly what contains_ignoring_case finds: failure
// classification moved from one to the other, and a difference would change which rows fail.
#include <warden/detail/text.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>

namespace {

// A small alphabet, so needles occur often: both cases of a few letters, the bytes next to the
// case range ('@', '[', '`', '{'), a space, a digit and a byte above 0x7f.
std::string random_text(std::mt19937& rng, std::size_t max_length) {
    static constexpr char alphabet[] = {
        'a', 'A', 'b', 'B', 'z', 'Z', '@', '[', '`', '{', ' ', '7', static_cast<char>(0xC3)};
    std::uniform_int_distribution<std::size_t> length(0, max_length);
    std::uniform_int_distribution<std::size_t> pick(0, sizeof(alphabet) - 1);
    std::string s(length(rng), ' ');
    for (char& c : s)
        c = alphabet[pick(rng)];
    return s;
}

} // namespace

TEST_CASE("lowered_text finds what contains_ignoring_case finds", "[detail][text]") {
    std::mt19937 rng(22);
    std::int64_t found = 0, missed = 0;
    for (int k = 0; k < 20000; ++k) {
        // Texts past the 256-byte stack buffer now and then, so the heap path is compared too.
        const std::string text = random_text(rng, k % 10 == 0 ? 400 : 40);
        const warden::detail::lowered_text lowered{text};
        for (int m = 0; m < 4; ++m) {
            std::string needle = random_text(rng, 1 + m);
            if (m == 3 && !text.empty()) { // a piece of the text itself, cases flipped: a hit
                needle = text.substr(text.size() / 3, 1 + text.size() / 4);
                for (char& ch : needle)
                    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
                        ch = static_cast<char>(ch ^ 0x20);
            }
            const bool expected = warden::detail::contains_ignoring_case(text, needle);
            INFO("text '" << text << "' needle '" << needle << "'");
            REQUIRE(lowered.contains(needle) == expected);
            ++(expected ? found : missed);
        }
    }
    // Both answers must occur often, or the comparison proves little.
    CHECK(found > 10000);
    CHECK(missed > 10000);
}

TEST_CASE("lowered_text: edge cases", "[detail][text]") {
    using warden::detail::lowered_text;
    CHECK(lowered_text{""}.contains(""));
    CHECK_FALSE(lowered_text{""}.contains("a"));
    CHECK(lowered_text{"Unrecognized Arguments: --x"}.contains("unrecognized arguments"));
    CHECK(lowered_text{"[Errno 107] Transport"}.contains("[errno 107]"));
    CHECK_FALSE(lowered_text{"unrecognized argument"}.contains("unrecognized arguments"));
    // '@' and '[' sit next to 'A' and 'Z': they must not be taken for letters.
    CHECK_FALSE(lowered_text{"@["}.contains("`{"));
    const std::string long_text = std::string(300, 'x') + "No Space Left";
    CHECK(lowered_text{long_text}.contains("no space left"));
    CHECK_FALSE(lowered_text{long_text}.contains("no space left!"));
}
