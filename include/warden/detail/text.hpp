#pragma once
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace warden {
inline namespace v0 {
namespace detail {

[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// ASCII case-insensitive substring search: error text from CLIs is English and std::regex would
// cost more to compile than the whole engine.
[[nodiscard]] constexpr bool contains_ignoring_case(std::string_view haystack,
                                                    std::string_view needle) noexcept {
    if (needle.empty()) return true;
    const auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                                [](char a, char b) { return ascii_lower(a) == ascii_lower(b); });
    return it != haystack.end();
}

// One text searched for many needles, ASCII case-insensitively (issue #22: failure
// classification tries 14 patterns on one last_error). The text is lower-cased once, into a
// buffer on the stack when it is short, as error text is; each search then finds the needle's
// first byte with memchr and compares the rest against the needle lower-cased byte by byte.
// Finds exactly what contains_ignoring_case finds.
class lowered_text {
  public:
    explicit lowered_text(std::string_view text) {
        char* out = small_;
        if (text.size() > sizeof(small_)) {
            heap_.resize(text.size());
            out = heap_.data();
        }
        for (std::size_t i = 0; i < text.size(); ++i)
            out[i] = ascii_lower(text[i]);
        text_ = std::string_view{out, text.size()};
    }
    // text_ may point into this object's own buffer.
    lowered_text(const lowered_text&) = delete;
    lowered_text& operator=(const lowered_text&) = delete;

    [[nodiscard]] bool contains(std::string_view needle) const noexcept {
        if (needle.empty()) return true;
        if (needle.size() > text_.size()) return false;
        const char first = ascii_lower(needle.front());
        const char* at = text_.data();
        const char* const last = text_.data() + (text_.size() - needle.size());
        while (at <= last) {
            const void* hit = std::memchr(at, static_cast<unsigned char>(first),
                                          static_cast<std::size_t>(last - at) + 1);
            if (!hit) return false;
            at = static_cast<const char*>(hit);
            std::size_t k = 1;
            while (k < needle.size() && at[k] == ascii_lower(needle[k]))
                ++k;
            if (k == needle.size()) return true;
            ++at;
        }
        return false;
    }

  private:
    char small_[256];
    std::string heap_;
    std::string_view text_;
};

} // namespace detail
} // namespace v0
} // namespace warden
