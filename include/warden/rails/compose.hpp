#pragma once
#include <warden/core/actions.hpp>
#include <warden/facts/context.hpp>
#include <warden/rails/concepts.hpp>
#include <warden/rails/verdict.hpp>

#include <boost/hana/append.hpp>
#include <boost/hana/concat.hpp>
#include <boost/hana/core/is_a.hpp>
#include <boost/hana/core/tag_of.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/unpack.hpp>

#include <concepts>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

namespace warden {
inline namespace v0 {

// Instantiated only for a type that is not a rail: being incomplete, it makes the compiler print
// the offending type in its error. The fix is in docs/rails/writing-a-rail.md.
template <class T>
struct type_is_not_a_warden_rail;

namespace detail {

template <class R>
constexpr bool diagnose_rail() {
    static_assert(std::is_class_v<R>, "warden: a rail must be a class type (see "
                                      "docs/rails/writing-a-rail.md)");
    static_assert(has_rail_name<R>,
                  "warden: this rail has no name: add `static constexpr std::string_view name = "
                  "\"my_rail\";` (see docs/rails/writing-a-rail.md)");
    if constexpr (!checks_some_action<R> && has_non_const_check<R, action>) {
        static_assert(checks_some_action<R>,
                      "warden: this rail's check is not const: declare it `warden::verdict "
                      "check(const warden::decision_context&, const warden::subject&, const A&) "
                      "const` (see docs/rails/writing-a-rail.md)");
    } else if constexpr (!checks_some_action<R> && has_check_not_returning_verdict<R, action>) {
        static_assert(
            checks_some_action<R>,
            "warden: this rail's check must return warden::verdict (not bool or any other "
            "type): return `warden::verdict::allow()` or `warden::verdict::deny(\"why\")` (see "
            "docs/rails/writing-a-rail.md)");
    } else {
        static_assert(checks_some_action<R>,
                      "warden: this rail checks no action: add `warden::verdict check(const "
                      "warden::decision_context&, const warden::subject&, const A&) const` for an "
                      "action type A such as warden::start_job (see docs/rails/writing-a-rail.md)");
    }
    static_assert(std::copy_constructible<R>,
                  "warden: a rail must be copyable: rails are held by value in the rail set (see "
                  "docs/rails/writing-a-rail.md)");
    static_assert(well_formed_dry_run_gate<R>,
                  "warden: `dry_run_gate` must be declared exactly `static constexpr bool "
                  "dry_run_gate = true;` (see docs/rails/writing-a-rail.md)");
    if constexpr (!rail<R>) {
        // sizeof, not a local of that type: clang 14 crashes evaluating a constexpr function
        // that declares a variable of incomplete type.
        static_assert(sizeof(type_is_not_a_warden_rail<R>) > 0, "the type above is not a rail");
    }
    return rail<R>;
}

template <class T>
inline constexpr bool is_rail_tuple = false;
template <class... Rs>
inline constexpr bool is_rail_tuple<boost::hana::tuple<Rs...>> = (rail<Rs> && ...);

template <class... Rs>
constexpr bool diagnose_rail_tuple(const boost::hana::tuple<Rs...>*) {
    return (diagnose_rail<Rs>() && ...);
}

template <class T>
constexpr bool diagnose_rail_set() {
    static_assert(boost::hana::is_a<boost::hana::tuple_tag, T>,
                  "warden: a rail set must be a boost::hana::tuple of rails; build it with "
                  "warden::make_rails(...) or warden::default_rails()");
    if constexpr (boost::hana::is_a<boost::hana::tuple_tag, T>)
        return diagnose_rail_tuple(static_cast<const T*>(nullptr));
    else
        return false;
}

// Policies first, dry-run gates second: a dry run must show the reason apply mode would hit.
enum class rail_phase : std::uint8_t { policy, gate };

template <rail_phase Phase, class R, class A>
bool deny_with(const R& r, const decision_context& ctx, const subject& s, const A& a,
               std::optional<denial>& out) {
    if constexpr (rail_for<R, A> && dry_run_gate<R> == (Phase == rail_phase::gate)) {
        verdict v = r.check(ctx, s, a);
        if (!v.allowed) {
            // Only a host-wide refusal switches writing off; a gate's per-job refusal is ordinary.
            const bool dry_run = dry_run_gate<R> && v.scope == denial_scope::host;
            out.emplace(denial{R::name, v.scope, std::move(v.reason), dry_run});
            return true;
        }
    }
    return false;
}

template <rail_phase Phase, class Rails, class A>
[[nodiscard]] std::optional<denial> first_denial_in(const Rails& rails, const decision_context& ctx,
                                                    const subject& s, const A& a) {
    std::optional<denial> out;
    boost::hana::unpack(rails, [&](const auto&... r) {
        (void)(detail::deny_with<Phase>(r, ctx, s, a, out) || ...);
    });
    return out;
}

template <rail_phase Phase, class Rails>
[[nodiscard]] std::optional<denial> first_denial_in(const Rails& rails, const decision_context& ctx,
                                                    const subject& s, const action& a) {
    return std::visit([&](const auto& x) { return first_denial_in<Phase>(rails, ctx, s, x); }, a);
}

} // namespace detail

// A set of rails whose elements are all rails; anything else is a compile-time error.
template <class T>
concept rail_set = detail::is_rail_tuple<std::remove_cvref_t<T>>;

// The builders take anything and assert inside, as Hana's algorithms do: a constraint would turn
// a rail with a non-const check or a check returning bool into "no matching function", while the
// assertions say which member is missing or wrong and what to write (tests/compile_fail/).
template <class... Rs>
[[nodiscard]] constexpr auto make_rails(Rs... rails) {
    static_assert((detail::diagnose_rail<Rs>() && ...),
                  "warden::make_rails(rails...) requires every argument to be a rail");
    return boost::hana::make_tuple(std::move(rails)...);
}

// Rails of `first` are consulted before those of `second` (dry-run gates of either after all
// other rails). Associative, and the empty rail set
// is its identity (tests/rails/compose_laws_test.cpp).
template <class A, class B>
[[nodiscard]] constexpr auto compose(const A& first, const B& second) {
    static_assert(detail::diagnose_rail_set<A>(),
                  "warden::compose(first, second) requires 'first' to be a rail set");
    static_assert(detail::diagnose_rail_set<B>(),
                  "warden::compose(first, second) requires 'second' to be a rail set");
    return boost::hana::concat(first, second);
}

template <class A, class R>
[[nodiscard]] constexpr auto with_rail(const A& rails, R extra) {
    static_assert(detail::diagnose_rail_set<A>(),
                  "warden::with_rail(rails, extra) requires 'rails' to be a rail set");
    static_assert(detail::diagnose_rail<R>(),
                  "warden::with_rail(rails, extra) requires 'extra' to be a rail");
    return boost::hana::append(rails, std::move(extra));
}

// Consults the rails in order, dry-run gates after all the others, and stops at the first
// denial: later rails never run, so a cheap, broad rail placed first saves the rest.
template <rail_set Rails, class A>
[[nodiscard]] std::optional<denial> first_denial(const Rails& rails, const decision_context& ctx,
                                                 const subject& s, const A& a) {
    if (auto d = detail::first_denial_in<detail::rail_phase::policy>(rails, ctx, s, a)) return d;
    return detail::first_denial_in<detail::rail_phase::gate>(rails, ctx, s, a);
}

} // namespace v0
} // namespace warden
