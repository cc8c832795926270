#pragma once
#include <warden/core/class_spec.hpp>
#include <warden/core/config.hpp>
#include <warden/core/job.hpp>
#include <warden/facts/campaign.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace warden {
inline namespace v0 {

namespace detail {

// Whether `text` matches `pattern`: `*` any run of bytes, `?` one byte, anything else itself.
// Iterative with one backtrack point: linear in practice, never recursive on hostile patterns.
[[nodiscard]] constexpr bool glob_match(std::string_view pattern, std::string_view text) noexcept {
    std::size_t p = 0, t = 0;
    std::size_t star = std::string_view::npos, resume = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

} // namespace detail

// The classes in force: config.classes, or without any the one `annual` class (warden's
// behaviour before classes: annual campaigns, queue fill on).
[[nodiscard]] inline std::span<const class_spec> classes_in_force(const config& c) noexcept {
    static const class_spec annual_only[] = {class_spec{"annual",
                                                        campaign_kind::annual,
                                                        {},
                                                        true,
                                                        0,
                                                        std::nullopt,
                                                        std::nullopt,
                                                        std::nullopt,
                                                        campaign_end::calendar_year,
                                                        {},
                                                        std::nullopt,
                                                        std::nullopt,
                                                        std::nullopt}};
    if (c.classes.empty()) return annual_only;
    return c.classes;
}

namespace detail {

// class_spec_of's walk, with `annual()` saying whether queue fill sees `j` in an annual campaign
// (queue_fill_campaign): called only when a class recognises by campaign kind, so a caller that
// has no campaign at hand pays the legacy name scan only when it matters, and one that has it
// (decide, per waiting row: issue #22) does not scan the name again.
template <class Annual>
[[nodiscard]] const class_spec* class_spec_walk(const config& c, const job& j, Annual annual) {
    const auto in_force = classes_in_force(c);
    if (!j.job_class.empty()) {
        for (const class_spec& k : in_force)
            if (k.name == j.job_class) return &k;
        return nullptr;
    }
    for (const class_spec& k : in_force)
        if ((k.campaign == campaign_kind::annual && annual()) ||
            (!k.name_pattern.empty() && glob_match(k.name_pattern, j.name)))
            return &k;
    return nullptr;
}

} // namespace detail

// Whether `k` recognises `j` (by campaign kind or name pattern; an explicit class is not this).
[[nodiscard]] inline bool recognises(const config& c, const class_spec& k, const job& j) noexcept {
    if (k.campaign == campaign_kind::annual && queue_fill_campaign(c, j)) return true;
    return !k.name_pattern.empty() && detail::glob_match(k.name_pattern, j.name);
}

// The class of `j`: the one it names, if config knows it, else the first that recognises it;
// null: of no class.
[[nodiscard]] inline const class_spec* class_spec_of(const config& c, const job& j) noexcept {
    return detail::class_spec_walk(c, j, [&] { return queue_fill_campaign(c, j).has_value(); });
}

// As class_spec_of(c, j), given `campaign`, which must be queue_fill_campaign(c, j): the caller
// computed it already, and the legacy name scan is the costliest part of the walk (issue #22).
[[nodiscard]] inline const class_spec*
class_spec_of(const config& c, const job& j,
              const std::optional<annual_campaign>& campaign) noexcept {
    return detail::class_spec_walk(c, j, [&] { return campaign.has_value(); });
}

// Issue #21: the class a job belongs to, by name, as concurrency limits and pauses count it: the
// class it names in its `class` field (even one config does not define), else the first class
// that recognises it; empty: none.
[[nodiscard]] inline std::string_view class_of(const config& c, const job& j) noexcept {
    if (!j.job_class.empty()) return j.job_class;
    const class_spec* k = class_spec_of(c, j);
    return k ? std::string_view{k->name} : std::string_view{};
}

} // namespace v0
} // namespace warden
