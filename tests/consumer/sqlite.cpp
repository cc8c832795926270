// warden::sqlite from a host: a database with one queued job, loaded into a snapshot and decided
// on. Exits non-zero unless the job read back is the one written and the plan starts it.
#include <warden/adapters/sqlite.hpp>
#include <warden/warden.hpp>

#include <algorithm>
#include <variant>

int main() {
    auto db = warden::sqlite::database::open(":memory:", warden::sqlite::database::mode::create);
    warden::sqlite::create_schema(db);
    warden::job j;
    j.id = warden::job_id{7};
    j.name = "hc-20260101";
    j.status = warden::job_status::queued;
    warden::sqlite::insert_job(db, j);

    warden::sqlite::runtime_facts runtime;
    runtime.host = {true, false, 10.0};
    const auto now = warden::utc(2026, 2, 3, 12);
    const warden::snapshot s = warden::sqlite::load_snapshot(db, now, runtime);
    warden::config c;
    c.ensure_min_running_jobs = 1;
    const warden::plan plan = warden::decide(s, c);
    // A job without a campaign is backfilled into this year's before it starts.
    const bool starts = std::any_of(plan.actions.begin(), plan.actions.end(), [](const auto& a) {
        return std::holds_alternative<warden::start_job>(a);
    });
    const bool ok = s.jobs.size() == 1 && s.jobs[0].name == "hc-20260101" && starts;
    return ok ? 0 : 1;
}
