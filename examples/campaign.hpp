#pragma once
// A realistic annual-campaign snapshot (the HealthArchive scale: three sources, a dozen jobs),
// shared by the worked example and its golden-file test.
#include <warden/warden.hpp>

#include <chrono>
#include <string>

namespace example {

inline warden::job annual_job(std::int64_t id, const char* name, const char* source,
                              warden::job_status status) {
    warden::job j;
    j.id = warden::job_id{id};
    j.name = name;
    j.source = source;
    j.output_dir = std::string{"/srv/crawls/"} + name;
    j.status = status;
    j.kind = warden::campaign_kind::annual;
    j.campaign_year = 2026;
    j.queued_at = warden::utc(2026, 1, 1);
    j.options = {20, 50, 50, 2, std::nullopt};
    j.version = 3;
    return j;
}

inline warden::config campaign_config() {
    warden::config c;
    c.ensure_min_running_jobs = 4;
    // Refill in one tick, so tick 2 shows a backfill and a daily-cap denial side by side. The
    // default, 1 (issue #16 item 11, production's pace), would start one job per tick and list
    // the rest under starts_per_tick.
    c.max_starts_per_tick = 0;
    return c;
}

// Tick 1, 2026-02-03 12:00 UTC. An operator marked a live crawl retryable; another crawl has
// made no progress for 90 minutes; a finished job never got its status write; a job keeps
// failing on a bad argument.
inline warden::snapshot campaign_snapshot() {
    using warden::job_status;
    using warden::utc;
    warden::snapshot s;
    s.now = utc(2026, 2, 3, 12, 0);
    s.host = {true, false, 62.5};

    auto phac = annual_job(7, "phac-20260101", "phac", job_status::retryable);
    phac.started_at = utc(2026, 1, 2);
    phac.last_progress_at = utc(2026, 2, 3, 11, 58);
    phac.retry_count = 1;
    s.jobs.push_back(phac);

    auto hc = annual_job(5, "hc-20260101", "hc", job_status::running);
    hc.started_at = utc(2026, 1, 2);
    hc.last_progress_at = utc(2026, 2, 3, 10, 30);
    hc.options = {5, 10, 10, 1, std::nullopt};
    s.jobs.push_back(hc);

    auto cihr = annual_job(3, "cihr-20260101", "cihr", job_status::running);
    cihr.started_at = utc(2026, 1, 3);
    cihr.last_progress_at = utc(2026, 2, 3, 11, 59);
    s.jobs.push_back(cihr);

    // Legacy annual job: created before campaign metadata existed.
    auto legacy = annual_job(9, "phac-covid-20260101", "phac", job_status::queued);
    legacy.kind = warden::campaign_kind::none;
    legacy.campaign_year.reset();
    legacy.options = {};
    legacy.version = 1;
    s.jobs.push_back(legacy);

    auto capped = annual_job(11, "hc-news-20260101", "hc", job_status::retryable);
    capped.retry_count = 3;
    s.jobs.push_back(capped);

    auto later = annual_job(12, "cihr-grants-20260101", "cihr", job_status::queued);
    later.queued_at = utc(2026, 1, 1, 6, 0);
    s.jobs.push_back(later);

    auto unfinished = annual_job(16, "hc-forms-20260101", "hc", job_status::queued);
    unfinished.last_stage = "persist";
    unfinished.has_outputs = true;
    unfinished.started_at = utc(2026, 1, 4);
    s.jobs.push_back(unfinished);

    warden::job bad_args;
    bad_args.id = warden::job_id{15};
    bad_args.name = "phac-export";
    bad_args.source = "phac";
    bad_args.output_dir = "/srv/crawls/phac-export";
    bad_args.status = job_status::retryable;
    bad_args.queued_at = utc(2026, 2, 1);
    bad_args.retry_count = 2;
    bad_args.last_error = "zimit: error: unrecognized arguments: --pageLimit=abc";
    bad_args.version = 6;
    s.jobs.push_back(bad_args);

    s.locks = {warden::job_id{7}, warden::job_id{3}, warden::job_id{5}};
    const auto worker = warden::process_origin::worker;
    s.processes = {
        {4242, "/srv/crawls/phac-20260101", "zimit --output /srv/crawls/phac-20260101", worker, {}},
        {5151, "/srv/crawls/hc-20260101", "zimit --output /srv/crawls/hc-20260101", worker, {}},
        {3131,
         "/srv/crawls/cihr-20260101",
         "zimit --output /srv/crawls/cihr-20260101",
         worker,
         {}}};
    s.running_set = {warden::job_id{3}, warden::job_id{5}};
    s.starts = {{warden::job_id{11}, utc(2026, 2, 3, 2, 0)},
                {warden::job_id{11}, utc(2026, 2, 3, 6, 0)},
                {warden::job_id{11}, utc(2026, 2, 3, 10, 0)},
                {warden::job_id{5}, utc(2026, 2, 1, 9, 0)}};
    return s;
}

// Two ticks: decide, let the host apply the plan, five minutes pass, decide again. Returns both
// dry-runs as an operator would read them.
inline std::string two_ticks() {
    const warden::config config = campaign_config();
    warden::snapshot snap = campaign_snapshot();
    std::string out;
    const warden::plan first = warden::decide(snap, config);
    out += "== tick 1, " + warden::format_rfc3339(snap.now) + ", dry run ==\n";
    out += warden::render_text(first, snap);
    const auto applied = warden::apply_to_snapshot(snap, first);
    out += "\nhost applied " + std::to_string(applied.applied) + " actions, " +
           std::to_string(applied.conflicts) + " conflicts\n\n";
    snap.now += std::chrono::minutes{5};
    const warden::plan second = warden::decide(snap, config);
    out += "== tick 2, " + warden::format_rfc3339(snap.now) + ", dry run ==\n";
    out += warden::render_text(second, snap);
    return out;
}

} // namespace example
