#pragma once
// Small builders so each test states only the facts it is about.
#include <warden/warden.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace wt {

using namespace std::chrono_literals;
using warden::duration;
using warden::job_status;
using warden::timestamp;

inline constexpr timestamp now = warden::utc(2026, 2, 3, 12, 0);

struct job_builder {
    warden::job j;

    job_builder(std::int64_t id, job_status status, std::string name = {}) {
        j.id = warden::job_id{id};
        j.name = name.empty() ? "job-" + std::to_string(id) : std::move(name);
        j.source = "hc";
        j.output_dir = "/srv/crawls/" + j.name;
        j.status = status;
        j.queued_at = now - 48h;
        j.version = 1;
    }
    job_builder& annual(std::int32_t year = 2026) {
        j.kind = warden::campaign_kind::annual;
        j.campaign_year = year;
        j.options = {20, 50, 50, 2, std::nullopt};
        return *this;
    }
    job_builder& started(duration ago) {
        j.started_at = now - ago;
        return *this;
    }
    job_builder& progress(duration ago) {
        j.last_progress_at = now - ago;
        return *this;
    }
    job_builder& finished(duration ago) {
        j.finished_at = now - ago;
        return *this;
    }
    job_builder& queued(duration ago) {
        j.queued_at = now - ago;
        return *this;
    }
    job_builder& source(std::string s) {
        j.source = std::move(s);
        return *this;
    }
    job_builder& error(std::string e) {
        j.last_error = std::move(e);
        return *this;
    }
    job_builder& stage(std::string s) {
        j.last_stage = std::move(s);
        return *this;
    }
    job_builder& outputs(bool b = true) {
        j.has_outputs = b;
        return *this;
    }
    job_builder& options(warden::tool_options o) {
        j.options = o;
        return *this;
    }
    job_builder& version(std::int64_t v) {
        j.version = v;
        return *this;
    }
    job_builder& failure(warden::failure_class f) {
        j.failure = f;
        return *this;
    }
    job_builder& retries(std::int32_t n) {
        j.retry_count = n;
        return *this;
    }
    operator warden::job() const { return j; } // NOLINT: builders convert implicitly by design
};

// A running job making progress: started an hour ago, progress a minute ago, lock held.
inline job_builder healthy_running(std::int64_t id) {
    return std::move(job_builder{id, job_status::running}.started(1h).progress(1min));
}

// The default config with queue fill on, keeping `target` jobs running.
inline warden::config fill_to(int target) {
    warden::config c;
    c.ensure_min_running_jobs = target;
    return c;
}

// As fill_to, without the per-tick pace (issue #16 item 11): for tests about which jobs queue fill
// picks and in what order, where one start per tick would hide all but the first.
inline warden::config fill_to_unpaced(int target) {
    warden::config c = fill_to(target);
    c.max_starts_per_tick = 0;
    return c;
}

inline warden::snapshot world(std::vector<warden::job> jobs) {
    warden::snapshot s;
    s.now = now;
    s.host = {true, false, 50.0};
    s.jobs = std::move(jobs);
    return s;
}

inline void hold_lock(warden::snapshot& s, std::int64_t id) {
    s.locks.push_back(warden::job_id{id});
}

inline std::int64_t add_process(warden::snapshot& s, std::int64_t id, std::int64_t pid,
                                warden::process_origin origin = warden::process_origin::worker,
                                std::string unit = {}) {
    for (const auto& j : s.jobs)
        if (warden::to_int(j.id) == id)
            s.processes.push_back({pid, j.output_dir, "zimit", origin, unit});
    return pid;
}

template <class A>
std::vector<A> actions_of(const warden::plan& p) {
    std::vector<A> out;
    for (const auto& a : p.actions)
        if (const auto* x = std::get_if<A>(&a)) out.push_back(*x);
    return out;
}

// Copies, not pointers: callers often pass a temporary plan.
template <class A>
std::vector<std::pair<A, warden::blocked_action>> blocked_of(const warden::plan& p) {
    std::vector<std::pair<A, warden::blocked_action>> out;
    for (const auto& b : p.blocked)
        if (const auto* x = std::get_if<A>(&b.proposed)) out.emplace_back(*x, b);
    return out;
}

inline std::vector<std::int64_t> started_ids(const warden::plan& p) {
    std::vector<std::int64_t> ids;
    for (const auto& s : actions_of<warden::start_job>(p))
        ids.push_back(warden::to_int(s.job));
    return ids;
}

inline bool touches(const warden::plan& p, std::int64_t id) {
    for (const auto& a : p.actions)
        if (warden::to_int(warden::action_job(a)) == id) return true;
    return false;
}

// The rail context for calling a rail directly on one job.
struct rail_bench {
    warden::snapshot snap;
    warden::config cfg;
    std::vector<warden::job_facts> facts;

    explicit rail_bench(warden::job j)
        : snap(world({std::move(j)}))
        , facts(1) {}
    [[nodiscard]] warden::decision_context ctx() const { return {snap, cfg, facts}; }
    [[nodiscard]] warden::subject subj() const { return {snap.jobs[0], facts[0]}; }
    // As the engine consults a rail: one that has no check for this action lets it through.
    template <class Rail, class Action>
    warden::verdict check(const Rail& r, const Action& a) const {
        if constexpr (warden::rail_for<Rail, Action>)
            return r.check(ctx(), subj(), a);
        else
            return warden::verdict::allow();
    }
};

inline warden::start_job start_of(const warden::job& j,
                                  warden::tool_options o = {20, 50, 50, 2, std::nullopt}) {
    return warden::start_job{j.id, j.status, j.version, o, warden::rule_id::queue_fill};
}

// A row as a database adapter's load_snapshot reads it back: progress_known is no column, and a
// NULL last_progress_at is no progress source (issue 19).
inline warden::job as_loaded(warden::job j) {
    j.progress_known = j.last_progress_at.has_value();
    return j;
}

} // namespace wt
