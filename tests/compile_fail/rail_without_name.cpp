// A rail must be named: plan.blocked reports denials by rail name.
#include <warden/engine.hpp>

struct unnamed_rail {
    warden::verdict check(const warden::decision_context&, const warden::subject&,
                          const warden::start_job&) const {
        return warden::verdict::allow();
    }
};

int main() {
    const auto plan = warden::decide(warden::snapshot{}, warden::config{},
                                     boost::hana::make_tuple(unnamed_rail{}));
    return static_cast<int>(plan.actions.size());
}
