// The positive control for the compile-fail harness: a correct host rail compiles.
#include <warden/engine.hpp>

#include <string_view>

struct weekend_freeze {
    static constexpr std::string_view name = "weekend_freeze";
    warden::verdict check(const warden::decision_context&, const warden::subject&,
                          const warden::start_job&) const {
        return warden::verdict::allow();
    }
};

// A host's own dry-run gate, declared as docs/rails/writing-a-rail.md says.
struct maintenance_gate {
    static constexpr std::string_view name = "maintenance_gate";
    static constexpr bool dry_run_gate = true;
    template <class Action>
    warden::verdict check(const warden::decision_context&, const warden::subject&,
                          const Action&) const {
        return warden::verdict::allow();
    }
};
static_assert(warden::dry_run_gate<maintenance_gate>);

int main() {
    const auto rails = warden::with_rail(
        warden::with_rail(warden::default_rails(), weekend_freeze{}), maintenance_gate{});
    const auto plan = warden::decide(warden::snapshot{}, warden::config{}, rails);
    return static_cast<int>(plan.actions.size());
}
