// libFuzzer target: decide() on structured snapshots built from the fuzzer's bytes. Arbitrary
// statuses, times at and around every threshold and at the ends of the int64 range, duplicate
// and dangling ids, shared output dirs, huge counts. Checked on every input: no crash and no
// sanitizer report (the build adds ASan+UBSan), and the safety properties below; a violation
// aborts, which libFuzzer reports with the input that caused it.
#include <warden/warden.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fuzzer/FuzzedDataProvider.h>
#include <limits>
#include <map>
#include <set>
#include <string>

#include "plan_properties.hpp"

namespace {

constexpr std::int64_t interesting_ages[] = {0,     1,     59,    60,  61,   599,  600,
                                             601,   899,   900,   901, 3599, 3600, 3601,
                                             86399, 86400, 86401, -1,  -3600};

warden::duration age(FuzzedDataProvider& in) {
    switch (in.ConsumeIntegralInRange(0, 3)) {
    case 0: return warden::duration{in.PickValueInArray(interesting_ages)};
    case 1: return warden::duration{in.ConsumeIntegralInRange<std::int64_t>(0, 4 * 86400)};
    case 2: return warden::duration{in.ConsumeIntegral<std::int64_t>()}; // anything at all
    default: return warden::duration{in.ConsumeIntegralInRange<std::int64_t>(-86400, 86400)};
    }
}

std::optional<warden::timestamp> maybe_time(FuzzedDataProvider& in, warden::timestamp now) {
    if (!in.ConsumeBool()) return std::nullopt;
    const auto a = age(in);
    // Keep the subtraction itself defined: the engine must survive any stored value, but the
    // harness must not be the one overflowing.
    const auto base = now.time_since_epoch().count();
    const auto ticks = a.count();
    if ((ticks > 0 && base < std::numeric_limits<std::int64_t>::min() + ticks) ||
        (ticks < 0 && base > std::numeric_limits<std::int64_t>::max() + ticks))
        return warden::timestamp{warden::duration{ticks}};
    return now - a;
}

std::string short_text(FuzzedDataProvider& in) {
    static const char* const pieces[] = {"hc",
                                         "phac",
                                         "cihr",
                                         "-20260101",
                                         "-20260102",
                                         "-19690101",
                                         "/srv/crawls/",
                                         "a",
                                         "",
                                         "persist",
                                         "unrecognized arguments",
                                         "\xff\xfe",
                                         std::string_view{"nul\0byte", 8}.data()};
    std::string out;
    const int n = in.ConsumeIntegralInRange(0, 3);
    for (int i = 0; i < n; ++i)
        out += in.PickValueInArray(pieces);
    return out;
}

warden::snapshot build_snapshot(FuzzedDataProvider& in, warden::config& c) {
    warden::snapshot s;
    s.now = warden::utc(2026, 2, 3, 12) + warden::duration{in.ConsumeIntegralInRange(-100, 100)};
    c.ensure_min_running_jobs = in.ConsumeIntegralInRange(-1, 8);
    c.disk_threshold_percent = in.PickValueInArray({85.0, 0.0, 100.0, 50.5, 101.0});
    c.daily_start_cap = in.ConsumeIntegralInRange(-1, 5);
    c.stall_after = warden::duration{in.PickValueInArray<std::int64_t>({3600, 300, 1, 0, -5})};
    c.start_grace = warden::duration{in.PickValueInArray<std::int64_t>({900, 0, -1, 86400})};
    c.orphan_grace = warden::duration{in.PickValueInArray<std::int64_t>({600, 0, 30})};
    c.guard_window = warden::duration{in.PickValueInArray<std::int64_t>({600, 0, -1, 7200})};
    c.soft_recovery = in.ConsumeBool();
    s.host.sentinel_present = in.ConsumeBool();
    s.host.deploy_lock_present = in.ConsumeIntegralInRange(0, 4) == 0;
    s.host.worker_alive = in.ConsumeIntegralInRange(0, 4) != 0;
    s.host.deploy_lock_unprobeable = in.ConsumeIntegralInRange(0, 4) == 0;
    s.host.deploy_lock_created_at = maybe_time(in, s.now);
    s.host.process_list_readable = in.ConsumeIntegralInRange(0, 8) != 0;
    s.host.disk_used_percent = in.PickValueInArray({0.0, 50.0, 84.9, 85.0, 85.1, 100.0, -1.0, 100.5,
                                                    std::numeric_limits<double>::quiet_NaN(),
                                                    std::numeric_limits<double>::infinity()});

    const int jobs = in.ConsumeIntegralInRange(0, 48);
    for (int i = 0; i < jobs; ++i) {
        warden::job j;
        j.id = warden::job_id{in.ConsumeBool() ? i + 1
                                               : in.ConsumeIntegral<std::int64_t>() % (jobs + 3)};
        j.name = short_text(in);
        j.source = short_text(in);
        j.output_dir = in.ConsumeBool()
                           ? "/srv/crawls/" + std::to_string(in.ConsumeIntegralInRange(0, 6))
                           : short_text(in);
        j.status = static_cast<warden::job_status>(in.ConsumeIntegralInRange(0, 6));
        j.kind = in.ConsumeBool() ? warden::campaign_kind::annual : warden::campaign_kind::none;
        if (in.ConsumeBool()) j.campaign_year = in.ConsumeIntegral<std::int32_t>();
        j.queued_at = maybe_time(in, s.now).value_or(s.now - warden::one_day);
        j.started_at = maybe_time(in, s.now);
        j.finished_at = maybe_time(in, s.now);
        j.last_progress_at = maybe_time(in, s.now);
        j.progress_known = in.ConsumeIntegralInRange(0, 8) != 0;
        j.completed_at = maybe_time(in, s.now);
        j.retry_count = in.ConsumeIntegral<std::int32_t>();
        j.failure = static_cast<warden::failure_class>(in.ConsumeIntegralInRange(0, 70));
        j.last_error = short_text(in);
        j.options = {in.ConsumeIntegral<std::int32_t>(), in.ConsumeIntegralInRange(0, 60),
                     in.ConsumeIntegralInRange(0, 60), in.ConsumeIntegralInRange(-1, 3),
                     std::nullopt};
        if (in.ConsumeBool()) j.options.page_cap = in.ConsumeIntegral<std::int32_t>();
        if (in.ConsumeBool()) j.last_stage = short_text(in);
        j.has_outputs = in.ConsumeBool();
        j.version = in.ConsumeBool() ? in.ConsumeIntegralInRange<std::int64_t>(0, 5)
                                     : in.ConsumeIntegral<std::int64_t>();
        s.jobs.push_back(std::move(j));
    }
    const auto pick_id = [&] {
        return warden::job_id{in.ConsumeIntegralInRange<std::int64_t>(-1, jobs + 2)};
    };
    for (int k = in.ConsumeIntegralInRange(0, 16); k > 0; --k)
        s.locks.push_back(pick_id());
    for (int k = in.ConsumeIntegralInRange(0, 16); k > 0; --k)
        s.running_set.push_back(pick_id());
    for (int k = in.ConsumeIntegralInRange(0, 16); k > 0; --k)
        // Mostly valid pids (2..4194303), sometimes 0, -1, 1 or one past the kernel's range: any
        // int64 would make nearly every snapshot with a process a host-wide error (issue 15).
        s.processes.push_back({in.ConsumeIntegralInRange<std::int64_t>(-1, warden::max_pid + 1),
                               "/srv/crawls/" + std::to_string(in.ConsumeIntegralInRange(0, 6)),
                               short_text(in),
                               static_cast<warden::process_origin>(
                                   in.ConsumeIntegralInRange(0, warden::process_origin_count - 1)),
                               short_text(in)});
    for (int k = in.ConsumeIntegralInRange(0, 32); k > 0; --k)
        s.starts.push_back({pick_id(), maybe_time(in, s.now).value_or(s.now)});
    return s;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    warden::config c;
    const warden::snapshot s = build_snapshot(in, c);
    const warden::plan p = warden::decide(s, c);
    warden_fuzz::check_plan(s, c, p);
    WARDEN_FUZZ_REQUIRE(warden::decide(s, c) == p);
    (void)warden::render_text(p, s);
    return 0;
}
