#pragma once
#include <warden/core/actions.hpp>
#include <warden/facts/context.hpp>
#include <warden/rails/verdict.hpp>

#include <concepts>
#include <string_view>
#include <type_traits>
#include <variant>

namespace warden {
inline namespace v0 {

// R checks actions of type A: `verdict check(const decision_context&, const subject&, const A&)
// const`. A rail that has no check for A lets every A through.
template <class R, class A>
concept rail_for = requires(const R& r, const decision_context& ctx, const subject& s, const A& a) {
    { r.check(ctx, s, a) } -> std::same_as<verdict>;
};

template <class R>
concept has_rail_name = requires {
    { R::name } -> std::convertible_to<std::string_view>;
};

template <class R>
concept checks_some_action = rail_for<R, set_status> || rail_for<R, start_job> ||
    rail_for<R, backfill_campaign> || rail_for<R, set_tool_options> || rail_for<R, stop_job>;

namespace detail {

// The two usual near misses of a check, told apart so that the error says what to write instead
// of "checks no action": a check that is not const, and one that returns something other than a
// verdict (typically bool).
template <class R, class A>
concept check_callable_on = requires(R& r, const decision_context& ctx, const subject& s,
                                     const A& a) {
    r.check(ctx, s, a);
};

template <class R, class A>
inline constexpr bool check_only_non_const_for =
    check_callable_on<R, A> && !check_callable_on<const R, A>;

template <class R, class A>
inline constexpr bool check_returns_not_verdict_for =
    check_callable_on<const R, A> && !rail_for<R, A>;

template <class R, class Actions>
inline constexpr bool has_non_const_check = false;
template <class R, class... As>
inline constexpr bool
    has_non_const_check<R, std::variant<As...>> = (check_only_non_const_for<R, As> || ...);

template <class R, class Actions>
inline constexpr bool has_check_not_returning_verdict = false;
template <class R, class... As>
inline constexpr bool has_check_not_returning_verdict<R, std::variant<As...>> =
    (check_returns_not_verdict_for<R, As> || ...);

} // namespace detail

// A dry-run gate switches writing off as a whole (sentinel_gate is one): it declares
// `static constexpr bool dry_run_gate = true;`. decide() consults gates after every other rail,
// wherever they sit in the rail set, and projects what a gate denied host-wide as if it were
// applied, so the dry run is the plan apply mode would carry out. A gate's per-job denial is an
// ordinary one (docs/rails/writing-a-rail.md).
template <class R>
inline constexpr bool declares_dry_run_gate = requires {
    &R::dry_run_gate;
}
|| requires {
    typename R::dry_run_gate;
};

// Exactly a `static constexpr bool`: an int, a pointer or a function named dry_run_gate would
// otherwise convert to true, or silently not count.
template <class R>
concept static_bool_dry_run_gate = requires {
    requires std::same_as < std::remove_cv_t<decltype(R::dry_run_gate)>,
    bool > ;
    typename std::bool_constant<R::dry_run_gate>;
};

template <class R>
concept well_formed_dry_run_gate = !declares_dry_run_gate<R> || static_bool_dry_run_gate<R>;

template <class R>
concept dry_run_gate = static_bool_dry_run_gate<R> && R::dry_run_gate;

// A safety rail: a named, copyable policy that may deny proposed actions. See
// docs/rails/writing-a-rail.md.
template <class R>
concept rail = std::is_class_v<R> && std::copy_constructible<R> && has_rail_name<R> &&
    checks_some_action<R> && well_formed_dry_run_gate<R>;

} // namespace v0
} // namespace warden
