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

int main() {
    const auto rails = warden::with_rail(warden::default_rails(), weekend_freeze{});
    const auto plan = warden::decide(warden::snapshot{}, warden::config{}, rails);
    return static_cast<int>(plan.actions.size());
}
