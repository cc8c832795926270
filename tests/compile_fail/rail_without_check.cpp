// A rail whose check has the wrong signature checks nothing: a silent no-op rail is worse than
// an error.
#include <warden/engine.hpp>

#include <string_view>

struct wrong_signature_rail {
    static constexpr std::string_view name = "wrong_signature";
    bool check(const warden::start_job&) const { return true; }
};

int main() {
    const auto plan = warden::decide(warden::snapshot{}, warden::config{},
                                     boost::hana::make_tuple(wrong_signature_rail{}));
    return static_cast<int>(plan.actions.size());
}
