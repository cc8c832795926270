#pragma once
// The one piece of Unicode warden needs (issue #16 item 5): whether the text after a legacy
// `-YYYY0101` stamp continues the word. Production matches the stamp with Python's
// Unicode-aware `\b`, where a word character is one for which str.isalnum() holds, or '_'. A
// full Unicode character database is far more than this one question is worth, so warden
// approximates it (docs/facts/campaign.md says what, and the table below is the whole rule):
// - ASCII: letters, digits and '_' are word characters, exactly as before;
// - a code point listed in non_word_ranges (spaces, controls, punctuation, symbols, arrows,
//   emoji, combining marks and the like, by Unicode block) ends the word;
// - every other code point, in any script, is taken to be a letter or digit and continues it;
// - bytes that are not valid UTF-8 (a stray continuation byte, a truncated or overlong
//   sequence, a surrogate, a value past U+10FFFF) continue it too: a name warden cannot read
//   proves no boundary, and a wrong "annual" would start a crawl, a wrong "not annual" only
//   leaves a job to the operator.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace warden {
inline namespace v0 {
namespace detail {

struct code_point_range {
    char32_t first;
    char32_t last;
};

// Non-ASCII code points that are not letters or digits, by block. Gaps are deliberate: the
// superscript digits, ª, µ, º and the vulgar fractions of Latin-1, numerals such as ①-⑳ and
// ❶-➓, and CJK iteration marks are alphanumeric for Python, so they stay word characters.
inline constexpr std::array non_word_ranges{
    code_point_range{0x0080, 0x00A9},   // C1 controls, NBSP, ¡ ¢ £ ¤ ¥ ¦ § ¨ ©
    code_point_range{0x00AB, 0x00B1},   // « ¬ SHY ® ¯ ° ±
    code_point_range{0x00B4, 0x00B4},   // ´
    code_point_range{0x00B6, 0x00B8},   // ¶ · ¸
    code_point_range{0x00BB, 0x00BB},   // »
    code_point_range{0x00BF, 0x00BF},   // ¿
    code_point_range{0x00D7, 0x00D7},   // ×
    code_point_range{0x00F7, 0x00F7},   // ÷
    code_point_range{0x0300, 0x036F},   // combining diacritical marks (not alphanumeric in Python)
    code_point_range{0x037E, 0x037E},   // Greek question mark
    code_point_range{0x0387, 0x0387},   // Greek ano teleia
    code_point_range{0x055A, 0x055F},   // Armenian punctuation
    code_point_range{0x0589, 0x058A},   // Armenian full stop, hyphen
    code_point_range{0x05BE, 0x05BE},   // Hebrew maqaf
    code_point_range{0x05C0, 0x05C0},   // Hebrew paseq
    code_point_range{0x05C3, 0x05C3},   // Hebrew sof pasuq
    code_point_range{0x05F3, 0x05F4},   // Hebrew geresh, gershayim
    code_point_range{0x060C, 0x060D},   // Arabic comma, date separator
    code_point_range{0x061B, 0x061B},   // Arabic semicolon
    code_point_range{0x061D, 0x061F},   // Arabic end of text mark, triple dot, question mark
    code_point_range{0x066A, 0x066D},   // Arabic percent, separators, five-pointed star
    code_point_range{0x06D4, 0x06D4},   // Arabic full stop
    code_point_range{0x0964, 0x0965},   // Devanagari danda, double danda
    code_point_range{0x0E4F, 0x0E4F},   // Thai fongman
    code_point_range{0x0E5A, 0x0E5B},   // Thai angkhankhu, khomut
    code_point_range{0x1680, 0x1680},   // Ogham space mark
    code_point_range{0x2000, 0x206F},   // General Punctuation: spaces, dashes, quotes, …
    code_point_range{0x20A0, 0x20CF},   // currency symbols
    code_point_range{0x20D0, 0x20FF},   // combining marks for symbols
    code_point_range{0x2190, 0x245F},   // arrows, mathematical operators, technical, pictures
    code_point_range{0x2500, 0x2775},   // box drawing, blocks, shapes, misc symbols, dingbats
    code_point_range{0x2794, 0x2BFF},   // dingbat arrows, math symbols, misc symbols and arrows
    code_point_range{0x2E00, 0x2E7F},   // supplemental punctuation
    code_point_range{0x3000, 0x3004},   // ideographic space, 、 。 〃 〄
    code_point_range{0x3008, 0x3020},   // CJK brackets, 〒 〓 ...
    code_point_range{0x3030, 0x3030},   // wavy dash
    code_point_range{0x303D, 0x303F},   // part alternation mark, ...
    code_point_range{0xD800, 0xDFFF},   // surrogates (never valid UTF-8; listed for completeness)
    code_point_range{0xFE10, 0xFE1F},   // vertical forms
    code_point_range{0xFE20, 0xFE2F},   // combining half marks
    code_point_range{0xFE30, 0xFE6F},   // CJK compatibility forms, small form variants
    code_point_range{0xFEFF, 0xFEFF},   // zero width no-break space (BOM)
    code_point_range{0xFF01, 0xFF0F},   // fullwidth ! " # $ % & ' ( ) * + , - . /
    code_point_range{0xFF1A, 0xFF20},   // fullwidth : ; < = > ? @
    code_point_range{0xFF3B, 0xFF40},   // fullwidth [ \ ] ^ _ `
    code_point_range{0xFF5B, 0xFF65},   // fullwidth { | } ~, halfwidth CJK punctuation
    code_point_range{0xFFF0, 0xFFFF},   // specials
    code_point_range{0x1F000, 0x1F0FF}, // mahjong, domino, playing cards
    code_point_range{0x1F10D, 0x1FAFF}, // enclosed symbols, emoji, pictographs (not 🄀-🄌)
    code_point_range{0xE0000, 0xE007F}, // tags
};

// The code point `text` starts with and its length in bytes, or nullopt when `text` does not
// start with valid UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
struct decoded_code_point {
    char32_t value;
    std::size_t length;
};

[[nodiscard]] constexpr std::optional<decoded_code_point>
decode_utf8(std::string_view text) noexcept {
    if (text.empty()) return std::nullopt;
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
    const std::uint8_t lead = byte(0);
    if (lead < 0x80) return decoded_code_point{lead, 1};
    std::size_t length = 0;
    char32_t value = 0;
    char32_t smallest = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2, value = lead & 0x1Fu, smallest = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3, value = lead & 0x0Fu, smallest = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4, value = lead & 0x07u, smallest = 0x10000;
    } else {
        return std::nullopt; // a continuation byte, C0/C1 (always overlong) or F5..FF
    }
    if (text.size() < length) return std::nullopt;
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(i) & 0xC0u) != 0x80u) return std::nullopt;
        value = (value << 6) | (byte(i) & 0x3Fu);
    }
    if (value < smallest || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        return std::nullopt;
    return decoded_code_point{value, length};
}

[[nodiscard]] constexpr bool is_ascii_word_char(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// Whether a code point beyond ASCII counts as a letter or digit (see the header comment).
[[nodiscard]] constexpr bool is_word_code_point(char32_t cp) noexcept {
    if (cp < 0x80) return is_ascii_word_char(static_cast<char>(cp));
    for (const code_point_range& r : non_word_ranges)
        if (cp >= r.first && cp <= r.last) return false;
    return true;
}

// Whether `rest`, the text right after a word, continues that word: its first character is a
// word character, or its first bytes are not valid UTF-8. The end of the text does not.
[[nodiscard]] constexpr bool continues_word(std::string_view rest) noexcept {
    if (rest.empty()) return false;
    const auto cp = decode_utf8(rest);
    return !cp || is_word_code_point(cp->value);
}

} // namespace detail
} // namespace v0
} // namespace warden
