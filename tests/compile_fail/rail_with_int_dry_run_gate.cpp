// `dry_run_gate` must be exactly `static constexpr bool`: an int would convert to true and make
// a policy rail a gate without anyone meaning it.
#include <warden/engine.hpp>

#include <string_view>

struct int_gate {
    static constexpr std::string_view name = "int_gate";
    static constexpr int dry_run_gate = 1;
    warden::verdict check(const warden::decision_context&, const warden::subject&,
                          const warden::start_job&) const {
        return warden::verdict::allow();
    }
};

int main() {
    const auto plan =
        warden::decide(warden::snapshot{}, warden::config{}, boost::hana::make_tuple(int_gate{}));
    return static_cast<int>(plan.actions.size());
}
