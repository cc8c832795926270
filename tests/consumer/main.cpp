// A host deciding one tick with ours and its own rail; exits non-zero if the plan is not the
// expected one, so the consumer test checks behaviour, not only linking.
#include <warden/warden.hpp>

#include <string_view>

struct host_freeze {
    static constexpr std::string_view name = "host_freeze";
    warden::verdict check(const warden::decision_context&, const warden::subject&,
                          const warden::start_job&) const {
        return warden::verdict::deny_host("release freeze");
    }
};

int main() {
    warden::snapshot s;
    s.now = warden::utc(2026, 2, 3, 12);
    s.host = {true, false, 10.0};
    warden::job j;
    j.id = warden::job_id{1};
    j.name = "hc-20260101";
    j.status = warden::job_status::queued;
    s.jobs.push_back(j);
    warden::config c;
    c.ensure_min_running_jobs = 1;
    const auto plan =
        warden::decide(s, c, warden::with_rail(warden::default_rails(), host_freeze{}));
    const bool ok = plan.actions.empty() && plan.blocked.size() == 2 &&
                    plan.blocked[1].rail == "host_freeze" &&
                    warden::version_major == WARDEN_VERSION_MAJOR;
    return ok ? 0 : 1;
}
