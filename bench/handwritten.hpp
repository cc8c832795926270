#pragma once
// The engine a host would write without warden: the same decisions, built the usual runtime way.
// Rails are virtual classes in a std::vector<std::unique_ptr<rail>>, rules are std::function,
// joins are std::map lookups and statuses are std::string. It reads a warden::snapshot and returns
// a warden::plan only so the two engines can be compared plan for plan
// (tests/bench/plan_identity_test.cpp); nothing in its decision path calls warden, except the
// UTF-8 decoder and its table of non-word code points (warden/detail/utf8.hpp, issue #16 item
// 5): a host would take such a table from a library too, and a second copy could only drift.
// It mirrors every guard through issue #18 (each compared on and off by the identity test),
// issue #19's unprobeable locks (taken as held),
// issue #17's stale-pipeline repair, progress circuit and degraded-rate observation, and issue
// #21's classes (recognition, floors, priorities, recovery options and minimums, campaign
// closure), concurrency limits, pauses, retry backoff and deadlines (issue #22: the chaos and
// host-config profiles turn each of them on, and the identity test requires each to decide
// something).
#include <warden/core/actions.hpp>
#include <warden/core/config.hpp>
#include <warden/core/plan.hpp>
#include <warden/core/snapshot.hpp>
#include <warden/detail/utf8.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace handwritten {

using warden::action;
using warden::job_status;

// Statuses are strings in this engine, as in most hand-written ones; their text is still the one
// table warden prints and parses (core/job_status.hpp), so the two engines cannot drift apart.
inline std::string status_text(job_status s) {
    return std::string{warden::to_string(s)};
}

inline job_status status_value(const std::string& s) {
    return warden::parse_job_status(s).value_or(job_status::failed);
}

// Times the engine does arithmetic on: years 0001..9999.
inline const warden::timestamp earliest = warden::timestamp{} + std::chrono::seconds{-62135596800};
inline const warden::timestamp latest = warden::timestamp{} + std::chrono::seconds{253402300799};

inline bool waiting(const std::string& s) {
    return s == "queued" || s == "retryable";
}
inline bool terminal(const std::string& s) {
    return s == "completed" || s == "failed";
}

struct facts {
    bool valid = true;
    bool lock_held = false;
    bool lock_unprobeable = false; // issue #19: the probe failed, so it is taken as held
    bool in_running_set = false;
    bool shared_output_dir = false;
    std::uint32_t process_count = 0;
    std::int64_t first_pid = 0;
    bool one_process_tree = false; // several processes on its dir, one ppid tree (issue #16 item 9)
    std::int32_t starts_last_24h = 0;
    std::int32_t recoveries_last_24h = 0;
    // Issue #17: each of the last progress_circuit_window recoveries gained too few pages.
    bool circuit_open = false;
    std::int64_t circuit_best_gain = 0;
    // Issue #21 item 3: the newest recovery record, any age (retry backoff waits from it).
    std::optional<warden::timestamp> last_recovery_at;
};

struct row {
    const warden::job* job;
    std::string status;
    facts* f;
};

// Whether a job takes a slot now: running, or waiting with its lock held and never started.
inline bool occupies_slot(const row& r) {
    return r.status == "running" ||
           (waiting(r.status) && r.f->lock_held && !r.job->started_at.has_value());
}

// An action this tick's plan has taken (allowed, or refused only by the sentinel), for the
// rails that count what the plan already does (issue #21 item 2).
struct taken {
    action a;
    const row* r;
};

struct guard_info {
    std::int64_t progressing = 0;
    warden::job_id freshest{};
    warden::duration freshest_age{};
};

struct context {
    const warden::snapshot& s;
    const warden::config& c;
    guard_info guard;
    std::vector<taken>* plan_so_far = nullptr;
    // Per config.concurrency_limits entry: value -> jobs occupying a slot now.
    std::vector<std::map<std::string, std::int64_t>> running_by_limit = {};
};

struct verdict {
    bool allowed = true;
    bool host = false;
    std::string reason;
};

inline std::optional<std::int32_t> legacy_year(std::string_view text) {
    for (std::size_t at = 1; at + 9 <= text.size(); ++at) {
        if (text[at] != '-' || text.substr(at + 5, 4) != "0101") continue;
        if (warden::detail::continues_word(text.substr(at + 9))) continue;
        const std::string digits{text.substr(at + 1, 4)};
        if (!std::all_of(digits.begin(), digits.end(),
                         [](char ch) { return ch >= '0' && ch <= '9'; }))
            continue;
        const int year = std::stoi(digits);
        if (year >= 1970) return year;
    }
    return std::nullopt;
}

inline std::optional<std::int32_t> legacy_year(const warden::job& j) {
    if (auto y = legacy_year(std::string_view{j.name})) return y;
    std::string_view dir = j.output_dir;
    while (!dir.empty() && dir.back() == '/')
        dir.remove_suffix(1);
    const auto slash = dir.rfind('/');
    return legacy_year(slash == std::string_view::npos ? dir : dir.substr(slash + 1));
}

// A campaign_year of 1970 or later without a kind (issue #16 item 8).
inline std::optional<std::int32_t> year_without_kind(const warden::job& j) {
    if (j.kind != warden::campaign_kind::annual && j.campaign_year && *j.campaign_year >= 1970)
        return j.campaign_year;
    return std::nullopt;
}

inline bool annual(const warden::job& j) {
    return j.kind == warden::campaign_kind::annual || year_without_kind(j) ||
           legacy_year(j).has_value();
}

inline bool meets(const warden::tool_options& o, const warden::tool_options& m) {
    return o.max_container_restarts >= m.max_container_restarts &&
           o.error_threshold_timeout >= m.error_threshold_timeout &&
           o.error_threshold_http >= m.error_threshold_http &&
           o.backoff_delay_minutes >= m.backoff_delay_minutes && !o.page_cap;
}

inline warden::tool_options raised(warden::tool_options o, const warden::tool_options& m) {
    o.max_container_restarts = std::max(o.max_container_restarts, m.max_container_restarts);
    o.error_threshold_timeout = std::max(o.error_threshold_timeout, m.error_threshold_timeout);
    o.error_threshold_http = std::max(o.error_threshold_http, m.error_threshold_http);
    o.backoff_delay_minutes = std::max(o.backoff_delay_minutes, m.backoff_delay_minutes);
    o.page_cap.reset();
    return o;
}

// `base` with each minimum a source profile names in its place.
inline warden::tool_options with_profile_minimums(warden::tool_options m,
                                                  const warden::source_profile& p) {
    if (p.max_container_restarts) m.max_container_restarts = *p.max_container_restarts;
    if (p.error_threshold_timeout) m.error_threshold_timeout = *p.error_threshold_timeout;
    if (p.error_threshold_http) m.error_threshold_http = *p.error_threshold_http;
    if (p.backoff_delay_minutes) m.backoff_delay_minutes = *p.backoff_delay_minutes;
    return m;
}

// Issue #17 item 2: the minimums of an annual job of `source`, its profile's where it names one.
inline warden::tool_options minimums_of(const warden::config& c, const std::string& source) {
    const auto it = c.source_profiles.find(source);
    if (it == c.source_profiles.end()) return c.annual_minimums;
    return with_profile_minimums(c.annual_minimums, it->second);
}

// The annual campaign queue fill sees a job in (kind, a campaign_year without a kind, or a
// legacy stamp while legacy detection is on). `year` empty: annual without a year.
struct campaign {
    std::optional<std::int32_t> year;
};
inline std::optional<campaign> campaign_of(const warden::config& c, const warden::job& j) {
    if (j.kind == warden::campaign_kind::annual) return campaign{j.campaign_year};
    if (const auto y = year_without_kind(j)) return campaign{y};
    if (!c.guards.legacy_detection) return std::nullopt;
    if (const auto y = legacy_year(j)) return campaign{y};
    return std::nullopt;
}

// ---- issue #21: classes of work ----
// `*` any run of characters, `?` one character, anything else itself.
inline bool glob(const std::string& pattern, std::size_t p, const std::string& text,
                 std::size_t t) {
    while (p < pattern.size()) {
        if (pattern[p] == '*') {
            for (std::size_t from = t; from <= text.size(); ++from)
                if (glob(pattern, p + 1, text, from)) return true;
            return false;
        }
        if (t == text.size() || (pattern[p] != '?' && pattern[p] != text[t])) return false;
        ++p;
        ++t;
    }
    return t == text.size();
}

// Without a `classes` key the one class is `annual`: annual campaigns, queue fill on, calendar
// year.
inline const warden::class_spec& implicit_annual_class() {
    static const warden::class_spec k = [] {
        warden::class_spec a;
        a.name = "annual";
        a.campaign = warden::campaign_kind::annual;
        a.campaign_open_until = warden::campaign_end::calendar_year;
        return a;
    }();
    return k;
}

inline bool class_recognises(const warden::config& c, const warden::class_spec& k,
                             const warden::job& j) {
    if (k.campaign == warden::campaign_kind::annual && campaign_of(c, j)) return true;
    return !k.name_pattern.empty() && glob(k.name_pattern, 0, j.name, 0);
}

// The class a job names (if config has it), else the first that recognises it; null: none.
inline const warden::class_spec* class_of_job(const warden::config& c, const warden::job& j) {
    if (c.classes.empty()) {
        const auto& a = implicit_annual_class();
        if (!j.job_class.empty()) return j.job_class == a.name ? &a : nullptr;
        return class_recognises(c, a, j) ? &a : nullptr;
    }
    for (const auto& k : c.classes)
        if (j.job_class.empty() ? class_recognises(c, k, j) : k.name == j.job_class) return &k;
    return nullptr;
}

// The class name limits and pauses count a job under: the one it names, even unknown to config.
inline std::string class_name_of(const warden::config& c, const warden::job& j) {
    if (!j.job_class.empty()) return j.job_class;
    const auto* k = class_of_job(c, j);
    return k ? k->name : std::string{};
}

// What a recovery or start of a job writes at least, and what annual_minimums holds it to: its
// class's values over the global ones (a source profile still wins for an annual job).
struct recovery_floor {
    std::optional<warden::tool_options> minimums;
    std::int32_t min_restarts = 0;
    std::optional<std::int32_t> stall_timeout_minutes;
};

inline recovery_floor floor_of(const warden::config& c, const warden::job& j, bool is_annual) {
    recovery_floor out;
    const auto profile = c.source_profiles.find(j.source);
    const bool has_profile = is_annual && profile != c.source_profiles.end();
    if (is_annual) {
        out.minimums = minimums_of(c, j.source);
        out.min_restarts = out.minimums->max_container_restarts;
        out.stall_timeout_minutes = has_profile && profile->second.stall_timeout_minutes
                                        ? *profile->second.stall_timeout_minutes
                                        : c.annual_stall_timeout_minutes;
    } else {
        out.min_restarts = c.recovery_min_restarts_non_annual;
    }
    if (c.classes.empty()) return out;
    const warden::class_spec* k = class_of_job(c, j);
    if (!k) return out;
    if (k->minimums) {
        warden::tool_options m =
            has_profile ? with_profile_minimums(*k->minimums, profile->second) : *k->minimums;
        if (is_annual && out.minimums) m = raised(m, *out.minimums); // never below the annual floor
        out.minimums = m;
        out.min_restarts = m.max_container_restarts;
    }
    if (k->recovery_min_restarts)
        out.min_restarts = is_annual ? std::max(out.min_restarts, *k->recovery_min_restarts)
                                     : *k->recovery_min_restarts;
    if (k->stall_timeout_minutes && !(has_profile && profile->second.stall_timeout_minutes))
        out.stall_timeout_minutes = *k->stall_timeout_minutes;
    return out;
}

// What a stall recovery (or a start) writes (issue #8): monitoring and adaptive restart on,
// restarts at least 20 (annual) or 6, and for an annual job the minimums (B4) and a 60 min stall
// timeout if none; issue #17: a source profile first (missing or baseline values take its), shm
// 1g and skip_final_build true when missing; issue #21: the job's class's minimums, restarts and
// stall timeout over those.
inline warden::tool_options recovered(const warden::config& c, const warden::job& j) {
    warden::tool_options o = j.options;
    const bool a = annual(j);
    if (a) {
        const auto profile = c.source_profiles.find(j.source);
        if (profile != c.source_profiles.end()) {
            const auto& p = profile->second;
            const auto& b = c.annual_minimums;
            auto take = [](std::int32_t& v, std::int32_t base, std::optional<std::int32_t> pv) {
                if (pv && (v == 0 || v == base)) v = *pv;
            };
            // Restarts: the profile's value is a floor; production never lowers a budget.
            if (p.max_container_restarts)
                o.max_container_restarts =
                    std::max(o.max_container_restarts, *p.max_container_restarts);
            take(o.error_threshold_timeout, b.error_threshold_timeout, p.error_threshold_timeout);
            take(o.error_threshold_http, b.error_threshold_http, p.error_threshold_http);
            take(o.backoff_delay_minutes, b.backoff_delay_minutes, p.backoff_delay_minutes);
            if (p.stall_timeout_minutes &&
                (!o.stall_timeout_minutes ||
                 *o.stall_timeout_minutes == c.annual_stall_timeout_minutes))
                o.stall_timeout_minutes = p.stall_timeout_minutes;
            if (o.docker_shm_size.empty()) o.docker_shm_size = p.docker_shm_size;
            if (!o.skip_final_build) o.skip_final_build = p.skip_final_build;
            // initial_workers 1 and 2 are production's legacy annual baseline.
            if (p.initial_workers &&
                (!o.initial_workers || *o.initial_workers == 1 || *o.initial_workers == 2))
                o.initial_workers = p.initial_workers;
        }
    }
    const recovery_floor f = floor_of(c, j, a);
    if (f.minimums && c.guards.raise_annual_minimums) o = raised(o, *f.minimums);
    o.monitoring = true;
    o.adaptive_restart = true;
    o.max_container_restarts = std::max(o.max_container_restarts, f.min_restarts);
    if (f.stall_timeout_minutes && !o.stall_timeout_minutes)
        o.stall_timeout_minutes = f.stall_timeout_minutes;
    if (a && o.docker_shm_size.empty()) o.docker_shm_size = "1g";
    if (a && !o.skip_final_build) o.skip_final_build = true;
    return o;
}

struct runner_info {
    warden::runner_class runner = warden::runner_class::none;
    std::string unit;
};

inline runner_info runner_of(const context& ctx, const row& r) {
    using rc = warden::runner_class;
    const auto& h = ctx.s.host;
    if (!h.process_list_readable) return {rc::unknown, {}};
    bool worker = false, other = false;
    const warden::process_fact* unit = nullptr;
    if (!r.job->output_dir.empty())
        for (const auto& p : ctx.s.processes) {
            if (p.output_dir != r.job->output_dir) continue;
            if (p.origin == warden::process_origin::worker) worker = true;
            if (p.origin == warden::process_origin::other) other = true;
            if (p.origin == warden::process_origin::systemd_unit && !unit) unit = &p;
        }
    if (other) return {rc::unknown, {}};
    if (unit) return {rc::systemd_unit, unit->unit};
    if (worker) return {rc::worker, {}};
    if (r.f->lock_held) return {h.worker_alive ? rc::worker : rc::unknown, {}};
    if (r.f->in_running_set && h.worker_alive) return {rc::worker, {}};
    return {rc::none, {}};
}

// "full", "soft", "guarded" or "operator"
inline std::string recovery_mode_of(const context& ctx, const row& r, runner_info* out = nullptr) {
    runner_info info = runner_of(ctx, r);
    std::string mode = "full";
    if (info.runner == warden::runner_class::unknown)
        mode = "operator";
    else if (info.runner == warden::runner_class::none && ctx.guard.progressing > 0)
        mode = ctx.c.soft_recovery ? "soft" : "guarded";
    if (out) *out = std::move(info);
    return mode;
}

// ---- rails: one virtual call per rail per action ----
class rail {
  public:
    virtual ~rail() = default;
    virtual std::string_view name() const = 0;
    virtual verdict check(const context& ctx, const row& r, const action& a) const = 0;
    // A dry-run gate is asked last, and what only it refuses counts as applied.
    virtual bool dry_run_gate() const { return false; }
};

class grace_window_rail final : public rail {
  public:
    std::string_view name() const override { return "grace_window"; }
    verdict check(const context& ctx, const row& r, const action& a) const override {
        const auto* st = std::get_if<warden::set_status>(&a);
        if (!st) return {};
        warden::duration grace{};
        if (st->rule == warden::rule_id::stall_recovery)
            grace = ctx.c.start_grace;
        else if (st->rule == warden::rule_id::orphan_sweep)
            grace = std::max(ctx.c.start_grace, ctx.c.orphan_grace);
        else
            return {};
        if (!r.job->started_at) return {};
        const auto since = ctx.s.now - *r.job->started_at;
        if (since > grace) return {};
        return {false, false,
                fmt::format("started {} s ago, inside the {} s grace window", since.count(),
                            grace.count())};
    }
};

class legacy_annual_rail final : public rail {
  public:
    std::string_view name() const override { return "legacy_annual"; }
    verdict check(const context&, const row& r, const action& a) const override {
        const auto* b = std::get_if<warden::backfill_campaign>(&a);
        if (!b) return {};
        const auto own = year_without_kind(*r.job);
        const auto year = own ? own : legacy_year(*r.job);
        if (year && *year == b->year) return {};
        if (year)
            return {false, false,
                    fmt::format("{} says campaign year {}, backfill says {}",
                                own ? "campaign_year" : "name", *year, b->year)};
        return {false, false,
                "no campaign_year, and neither name nor output dir carries a -YYYY0101 stamp"};
    }
};

class annual_minimums_rail final : public rail {
  public:
    std::string_view name() const override { return "annual_minimums"; }
    verdict check(const context& ctx, const row& r, const action& a) const override {
        const warden::tool_options* o = nullptr;
        if (const auto* st = std::get_if<warden::start_job>(&a)) o = &st->options;
        if (const auto* t = std::get_if<warden::set_tool_options>(&a)) {
            const auto &b = t->before, &n = t->after;
            const bool lowers = n.max_container_restarts < b.max_container_restarts ||
                                n.error_threshold_timeout < b.error_threshold_timeout ||
                                n.error_threshold_http < b.error_threshold_http ||
                                n.backoff_delay_minutes < b.backoff_delay_minutes ||
                                (n.page_cap && (!b.page_cap || *n.page_cap < *b.page_cap));
            if (!lowers) return {};
            o = &n;
        }
        if (!o) return {};
        // Issue #21: a class with minimums holds its jobs, annual or not, to them.
        const bool is_annual = annual(*r.job);
        if (!is_annual && ctx.c.classes.empty()) return {};
        const auto minimums = floor_of(ctx.c, *r.job, is_annual).minimums;
        if (!minimums) return {};
        const warden::tool_options& m = *minimums;
        if (meets(*o, m)) return {};
        const char* what = is_annual ? "annual" : "class";
        if (o->page_cap)
            return {false, false, fmt::format("{} crawl with page cap {}", what, *o->page_cap)};
        return {false, false,
                fmt::format("{} options below minimums: restarts {}/{}, timeout {}/{}, http "
                            "{}/{}, backoff {}/{}",
                            what, o->max_container_restarts, m.max_container_restarts,
                            o->error_threshold_timeout, m.error_threshold_timeout,
                            o->error_threshold_http, m.error_threshold_http,
                            o->backoff_delay_minutes, m.backoff_delay_minutes)};
    }
};

// Issue #21 item 5: the operator's pause switches hold the starts of a source or a class.
class pause_rail final : public rail {
  public:
    std::string_view name() const override { return "pause"; }
    verdict check(const context& ctx, const row& r, const action& a) const override {
        if (!std::holds_alternative<warden::start_job>(a)) return {};
        const auto& h = ctx.s.host;
        const std::string& source = r.job->source;
        if (!source.empty() && std::find(h.paused_sources.begin(), h.paused_sources.end(),
                                         source) != h.paused_sources.end())
            return {false, false, fmt::format("source {} is paused (host.paused_sources)", source)};
        const std::string klass = class_name_of(ctx.c, *r.job);
        if (!klass.empty() && std::find(h.paused_classes.begin(), h.paused_classes.end(), klass) !=
                                  h.paused_classes.end())
            return {false, false, fmt::format("class {} is paused (host.paused_classes)", klass)};
        return {};
    }
};

// SplitMix64's finaliser, as the retry_backoff docs give it for the jitter.
inline std::uint64_t splitmix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// Issue #21 item 3: retry n waits initial * coefficient^n (by squaring, capped), less its jitter.
inline std::int64_t backoff_seconds(const warden::backoff_policy& b, std::int32_t retry,
                                    warden::job_id id) {
    if (b.initial_delay_seconds <= 0 || b.max_delay_seconds <= 0) return 0;
    const double cap = static_cast<double>(b.max_delay_seconds);
    double factor = 1.0, base = b.coefficient;
    for (std::uint32_t n = retry < 0 ? 0u : static_cast<std::uint32_t>(retry);
         n != 0 && factor < cap; n >>= 1) {
        if (n & 1u) factor *= base;
        base *= base;
    }
    double delay = static_cast<double>(b.initial_delay_seconds) * factor;
    if (!(delay < cap)) delay = cap;
    const std::uint64_t key = static_cast<std::uint64_t>(to_int(id)) * 0x100000001b3ull +
                              static_cast<std::uint64_t>(static_cast<std::uint32_t>(retry));
    const double share = static_cast<double>(splitmix(key) >> 11) * 0x1p-53;
    delay -= delay * b.jitter_fraction * share;
    return static_cast<std::int64_t>(delay);
}

inline std::string rfc3339(warden::timestamp t) {
    const std::time_t secs = static_cast<std::time_t>(t.time_since_epoch().count());
    std::tm parts{};
    gmtime_r(&secs, &parts);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", parts.tm_year + 1900,
                       parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
}

class retry_backoff_rail final : public rail {
  public:
    std::string_view name() const override { return "retry_backoff"; }
    verdict check(const context& ctx, const row& r, const action& a) const override {
        if (!std::holds_alternative<warden::start_job>(a)) return {};
        const auto& j = *r.job;
        if (r.status != "retryable" || ctx.c.classes.empty()) return {};
        const warden::class_spec* k = class_of_job(ctx.c, j);
        if (!k || !k->backoff) return {};
        // The failed attempt ended at the later of finished_at and the newest recovery.
        std::optional<warden::timestamp> base = j.finished_at;
        if (r.f->last_recovery_at && (!base || *r.f->last_recovery_at > *base))
            base = r.f->last_recovery_at;
        if (!base) base = j.started_at;
        if (!base) return {};
        const warden::timestamp not_before =
            *base + std::chrono::seconds{backoff_seconds(*k->backoff, j.retry_count, j.id)};
        if (not_before <= ctx.s.now) return {};
        return {false, false,
                fmt::format("backoff: not before {}; {} s to go (retry {})", rfc3339(not_before),
                            (not_before - ctx.s.now).count(), j.retry_count + 1)};
    }
};

class daily_start_cap_rail final : public rail {
  public:
    std::string_view name() const override { return "daily_start_cap"; }
    verdict check(const context& ctx, const row& r, const action& a) const override {
        if (!std::holds_alternative<warden::start_job>(a)) return {};
        if (r.f->starts_last_24h < ctx.c.daily_start_cap) return {};
        return {false, false,
                fmt::format("{} starts in the last 24 h (cap {})", r.f->starts_last_24h,
                            ctx.c.daily_start_cap)};
    }
};

inline std::string limit_value(const warden::config& c, const warden::job& j,
                               warden::limit_key by) {
    switch (by) {
    case warden::limit_key::source: return j.source;
    case warden::limit_key::job_class: return class_name_of(c, j);
    case warden::limit_key::group_key: return j.group_key;
    }
    return {};
}

// Issue #21 item 2: at most max_running jobs per source, class or group, counting the jobs
// running now and what this plan already starts or reconciles to running.
class concurrency_limits_rail final : public rail {
  public:
    std::string_view name() const override { return "concurrency_limits"; }
    verdict check(const context& ctx, const row& r, const action& a) const override {
        if (!std::holds_alternative<warden::start_job>(a)) return {};
        const auto& limits = ctx.c.concurrency_limits;
        for (std::size_t k = 0; k < limits.size(); ++k) {
            const auto& l = limits[k];
            const std::string value = limit_value(ctx.c, *r.job, l.by);
            if (value.empty() || (l.value && *l.value != value)) continue;
            std::int64_t running = 0;
            if (k < ctx.running_by_limit.size()) {
                const auto it = ctx.running_by_limit[k].find(value);
                if (it != ctx.running_by_limit[k].end()) running = it->second;
            }
            for (const taken& t : *ctx.plan_so_far) {
                bool joins = std::holds_alternative<warden::start_job>(t.a);
                if (const auto* st = std::get_if<warden::set_status>(&t.a))
                    joins = st->status == job_status::running && !occupies_slot(*t.r);
                if (joins && limit_value(ctx.c, *t.r->job, l.by) == value) ++running;
            }
            if (running >= l.max_running)
                return {false, false,
                        fmt::format("{} {} of {} {} running or starting (limit {})", running,
                                    running == 1 ? "job" : "jobs",
                                    l.by == warden::limit_key::source      ? "source"
                                    : l.by == warden::limit_key::job_class ? "class"
                                                                           : "group_key",
                                    value, l.max_running)};
        }
        return {};
    }
};

// Issue #17: a recovery after several that gained almost nothing is refused.
class progress_circuit_rail final : public rail {
  public:
    std::string_view name() const override { return "progress_circuit"; }
    verdict check(const context& ctx, const row& r, const action& a) const override {
        const auto* st = std::get_if<warden::set_status>(&a);
        if (!st || st->rule != warden::rule_id::stall_recovery || !r.f->circuit_open) return {};
        return {false, false,
                fmt::format("progress_circuit_open: each of the last {} recoveries gained fewer "
                            "than {} pages (at most {})",
                            ctx.c.progress_circuit_window, ctx.c.progress_circuit_min_pages,
                            r.f->circuit_best_gain)};
    }
};

class daily_recovery_cap_rail final : public rail {
  public:
    std::string_view name() const override { return "daily_recovery_cap"; }
    verdict check(const context& ctx, const row& r, const action& a) const override {
        const auto* st = std::get_if<warden::set_status>(&a);
        if (!st || st->rule != warden::rule_id::stall_recovery) return {};
        if (r.f->recoveries_last_24h < ctx.c.daily_recovery_cap) return {};
        const bool soft = recovery_mode_of(ctx, r) != "full";
        return {false, false,
                fmt::format("max_recoveries_{}: {} recoveries in the last 24 h (cap {})",
                            soft ? "soft" : "full", r.f->recoveries_last_24h,
                            ctx.c.daily_recovery_cap)};
    }
};

class disk_threshold_rail final : public rail {
  public:
    std::string_view name() const override { return "disk_threshold"; }
    verdict check(const context& ctx, const row&, const action& a) const override {
        if (!std::holds_alternative<warden::start_job>(a)) return {};
        const double used = ctx.s.host.disk_used_percent;
        const double limit = ctx.c.disk_threshold_percent;
        if (used < limit) return {};
        return {false, true,
                fmt::format("disk {:.1f}% used, at or above the threshold {:.1f}%", used, limit)};
    }
};

inline bool deploy_in_progress(const warden::snapshot& s, const warden::config& c) {
    const auto& h = s.host;
    if (h.deploy_lock_present) return true;
    if (!h.deploy_lock_unprobeable) return false;
    if (!h.deploy_lock_created_at) return true;
    return s.now - *h.deploy_lock_created_at <= c.deploy_lock_stale_after;
}

class deploy_lock_rail final : public rail {
  public:
    std::string_view name() const override { return "deploy_lock"; }
    verdict check(const context& ctx, const row&, const action& a) const override {
        bool gated = std::holds_alternative<warden::start_job>(a) ||
                     std::holds_alternative<warden::stop_job>(a);
        if (const auto* st = std::get_if<warden::set_status>(&a))
            gated = st->rule == warden::rule_id::stall_recovery ||
                    st->rule == warden::rule_id::orphan_sweep ||
                    st->rule == warden::rule_id::consistency_repair ||
                    st->rule == warden::rule_id::failure_classification ||
                    st->rule == warden::rule_id::retry_budget ||
                    st->rule == warden::rule_id::deadline;
        if (!gated || !deploy_in_progress(ctx.s, ctx.c)) return {};
        return {false, true,
                ctx.s.host.deploy_lock_present
                    ? "deploy lock held"
                    : "deploy lock present and unprobeable, not yet stale"};
    }
};

class sentinel_gate_rail final : public rail {
  public:
    std::string_view name() const override { return "sentinel_gate"; }
    bool dry_run_gate() const override { return true; }
    verdict check(const context& ctx, const row&, const action&) const override {
        if (ctx.s.host.sentinel_present) return {};
        return {false, true, "automation sentinel absent (dry run)"};
    }
};

inline std::vector<std::unique_ptr<rail>> default_rails() {
    std::vector<std::unique_ptr<rail>> rails;
    rails.push_back(std::make_unique<grace_window_rail>());
    rails.push_back(std::make_unique<legacy_annual_rail>());
    rails.push_back(std::make_unique<annual_minimums_rail>());
    rails.push_back(std::make_unique<pause_rail>());
    rails.push_back(std::make_unique<retry_backoff_rail>());
    rails.push_back(std::make_unique<daily_start_cap_rail>());
    rails.push_back(std::make_unique<concurrency_limits_rail>());
    rails.push_back(std::make_unique<progress_circuit_rail>());
    rails.push_back(std::make_unique<daily_recovery_cap_rail>());
    rails.push_back(std::make_unique<disk_threshold_rail>());
    rails.push_back(std::make_unique<deploy_lock_rail>());
    rails.push_back(std::make_unique<sentinel_gate_rail>());
    return rails;
}

// ---- rules: std::function, each returns the actions it proposes (empty: no opinion) ----
using proposal = std::vector<action>;
using rule = std::function<proposal(const context&, const row&)>;

inline std::optional<warden::duration> age_of(const warden::job& j, warden::timestamp now) {
    if (!j.progress_known) return std::nullopt;
    std::optional<warden::timestamp> newest = j.last_progress_at;
    if (j.started_at && (!newest || *j.started_at > *newest)) newest = j.started_at;
    if (!newest) return std::nullopt;
    return now - *newest;
}

// Issue #16 item 2: a progress report younger than stall_after is a sign of life.
inline bool recent_progress(const context& ctx, const warden::job& j) {
    return j.progress_known && j.last_progress_at &&
           ctx.s.now - *j.last_progress_at < ctx.c.stall_after;
}

inline bool alive(const context& ctx, const row& r) {
    if (r.f->lock_held || r.f->process_count > 0 || r.f->in_running_set) return true;
    return ctx.c.guards.progress_is_alive && recent_progress(ctx, *r.job);
}

// What reconcile acts on: a held lock, or one live process (or one process tree, issue #16 item
// 9) on its own dir for a job that started; with finished_at set too unless issue #18 finding
// 2's guard is off.
inline bool reconcile_evidence(const context& ctx, const row& r) {
    const auto& j = *r.job;
    if (r.f->lock_held) return true;
    return (r.f->process_count == 1 || r.f->one_process_tree) && !r.f->shared_output_dir &&
           j.started_at && (!j.finished_at || ctx.c.guards.finished_row_processes_are_live);
}

// Issue #18 finding 1: while the process list is unreadable, writes that need "nothing runs it"
// and the start of a row that ran before wait. The reason, or nothing.
inline std::optional<std::string> unreadable_list_hold(const context& ctx, const row& r,
                                                       const std::vector<action>& p) {
    if (!ctx.c.guards.unreadable_process_list_holds || ctx.s.host.process_list_readable)
        return std::nullopt;
    bool held = false;
    for (const auto& a : p) {
        if (const auto* st = std::get_if<warden::set_status>(&a))
            if (st->rule == warden::rule_id::orphan_sweep ||
                st->rule == warden::rule_id::consistency_repair ||
                st->rule == warden::rule_id::failure_classification ||
                st->rule == warden::rule_id::retry_budget)
                held = true;
        if (std::holds_alternative<warden::start_job>(a) && r.job->started_at) held = true;
    }
    if (!held) return std::nullopt;
    return std::string{
        "process_list_unreadable: the host could not list processes, so an empty list does not "
        "show that nothing runs this job (it has run before); held until the list is readable"};
}

inline std::vector<std::int64_t> pids_of(const warden::snapshot& s, const warden::job& j) {
    std::vector<std::int64_t> pids;
    if (j.output_dir.empty()) return pids;
    for (const auto& p : s.processes)
        if (p.output_dir == j.output_dir) pids.push_back(p.pid);
    return pids;
}

inline bool contains_nocase(const std::string& hay, const std::string& needle) {
    std::string h = hay, n = needle;
    for (auto& ch : h)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    for (auto& ch : n)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return h.find(n) != std::string::npos;
}

inline proposal consistency_repair(const context& ctx, const row& r) {
    const auto& j = *r.job;
    const auto& g = ctx.c.guards;
    const bool live = r.f->lock_held || r.f->process_count > 0;
    // Issue #16 item 3: completed_at set on a running row is a finished crawl.
    if (g.completed_at_is_completion && r.status == "running" && j.completed_at) {
        if (live) return {};
        return {warden::set_status{j.id,
                                   job_status::running,
                                   j.version,
                                   job_status::completed,
                                   warden::failure_class::none,
                                   warden::rule_id::consistency_repair,
                                   "completed_at set",
                                   {warden::evidence_kind::none, 0}}};
    }
    // Issue #18 finding 3: so is it on a waiting row nothing runs.
    if (g.completed_at_is_completion && g.waiting_completed_at_is_completion && waiting(r.status) &&
        j.completed_at) {
        if (live || r.f->in_running_set) return {};
        return {warden::set_status{j.id,
                                   status_value(r.status),
                                   j.version,
                                   job_status::completed,
                                   warden::failure_class::none,
                                   warden::rule_id::consistency_repair,
                                   "completed_at set, waiting",
                                   {warden::evidence_kind::none, 0}}};
    }
    if (!ctx.c.guards.consistency_repair) return {};
    // Issue #17 (recap's third repair): pending mid-pipeline, not updated for too long, nothing
    // runs it: it died there.
    if (r.status == "queued" && j.last_stage && *j.last_stage != ctx.c.final_stage) {
        if (!j.updated_at) return {};
        const auto age = ctx.s.now - *j.updated_at;
        if (age <= ctx.c.stale_pipeline_after || r.f->lock_held || r.f->process_count > 0 ||
            r.f->in_running_set)
            return {};
        return {warden::set_status{
            j.id,
            job_status::queued,
            j.version,
            job_status::failed,
            warden::failure_class::infra_error,
            warden::rule_id::consistency_repair,
            "stale_pipeline: pending mid-pipeline past stale_pipeline_after_minutes",
            {warden::evidence_kind::stale_update, age.count()}}};
    }
    if (r.status != "queued" || !j.last_stage || *j.last_stage != ctx.c.final_stage ||
        r.f->lock_held || r.f->process_count > 0 || r.f->in_running_set)
        return {};
    const job_status st = status_value(r.status);
    if (j.has_outputs)
        return {warden::set_status{j.id,
                                   st,
                                   j.version,
                                   job_status::completed,
                                   std::nullopt,
                                   warden::rule_id::consistency_repair,
                                   "queued after the final stage, outputs present",
                                   {warden::evidence_kind::final_stage, 1}}};
    return {warden::set_status{j.id,
                               st,
                               j.version,
                               job_status::failed,
                               warden::failure_class::infra_error,
                               warden::rule_id::consistency_repair,
                               "queued after the final stage, no outputs",
                               {warden::evidence_kind::final_stage, 0}}};
}

inline proposal failure_classification(const context& ctx, const row& r) {
    const auto& j = *r.job;
    if (!ctx.c.guards.classify_config_errors) return {};
    if (r.status != "failed" && r.status != "retryable") return {};
    if (r.status == "failed" && j.failure == warden::failure_class::infra_error_config) return {};
    if (r.f->lock_held || r.f->process_count > 0 || r.f->in_running_set) return {};
    const bool classed = j.failure == warden::failure_class::infra_error_config;
    bool infra = false;
    for (std::size_t k = 0; !infra && k < ctx.c.infra_error_patterns.size(); ++k)
        infra = contains_nocase(j.last_error, ctx.c.infra_error_patterns[k]);
    bool hit = classed;
    for (std::size_t k = 0; !hit && !infra && k < ctx.c.config_error_patterns.size(); ++k)
        hit = contains_nocase(j.last_error, ctx.c.config_error_patterns[k]);
    if (!hit) return {};
    return {warden::set_status{j.id,
                               status_value(r.status),
                               j.version,
                               job_status::failed,
                               warden::failure_class::infra_error_config,
                               warden::rule_id::failure_classification,
                               classed
                                   ? "classed a config error: a retry cannot succeed"
                                   : "last_error names invalid arguments: a retry cannot succeed",
                               {warden::evidence_kind::error_pattern, 0}}};
}

inline proposal retry_budget(const context& ctx, const row& r) {
    const auto& j = *r.job;
    if (!ctx.c.guards.bounded_retries) return {};
    if (r.status != "retryable" || j.failure != warden::failure_class::infra_error) return {};
    if (j.retry_count < ctx.c.max_retries || r.f->lock_held || r.f->process_count > 0 ||
        r.f->in_running_set)
        return {};
    return {warden::set_status{j.id,
                               job_status::retryable,
                               j.version,
                               job_status::failed,
                               std::nullopt,
                               warden::rule_id::retry_budget,
                               "infra-error retry budget spent",
                               {warden::evidence_kind::retry_count, j.retry_count}}};
}

inline bool stale_unowned(const context& ctx, const row& r) {
    const auto& j = *r.job;
    if (!ctx.c.guards.reconcile || !waiting(r.status)) return false;
    const bool evidence = reconcile_evidence(ctx, r);
    const auto age = age_of(j, ctx.s.now);
    return evidence && age && *age >= ctx.c.stall_after &&
           runner_of(ctx, r).runner == warden::runner_class::unknown;
}

inline proposal reconcile(const context& ctx, const row& r) {
    const auto& j = *r.job;
    if (!ctx.c.guards.reconcile || !waiting(r.status)) return {};
    warden::evidence ev;
    std::string_view reason;
    if (!reconcile_evidence(ctx, r)) return {};
    if (r.f->lock_held) {
        ev = {warden::evidence_kind::lock, 0};
        reason =
            r.f->lock_unprobeable ? "per-job lock unprobeable, taken as held" : "per-job lock held";
    } else {
        ev = {warden::evidence_kind::process, r.f->first_pid};
        reason = r.f->process_count == 1 ? "one live process in its output_dir"
                                         : "one live process tree in its output_dir";
    }
    const auto age = age_of(j, ctx.s.now);
    if (age && *age >= ctx.c.stall_after) {
        proposal p;
        runner_info info = runner_of(ctx, r);
        if (info.runner == warden::runner_class::unknown) return {};
        p.push_back(warden::stop_job{j.id, pids_of(ctx.s, j), warden::rule_id::reconcile,
                                     "a stalled attempt still holds the job", info.runner,
                                     std::move(info.unit), false});
        return p;
    }
    return {warden::set_status{j.id, status_value(r.status), j.version, job_status::running,
                               std::nullopt, warden::rule_id::reconcile, reason, ev,
                               ctx.c.guards.reconcile_clears_finished_at && j.finished_at}};
}

struct stall {
    const row* r = nullptr;
    std::string mode;
    warden::runner_class runner = warden::runner_class::none;
    proposal p; // empty when an operator is needed
    bool swept = false;
};

// Empty: not stalled. Otherwise the mode and, unless an operator is needed, the proposal.
inline std::optional<stall> stall_recovery(const context& ctx, const row& r) {
    const auto& j = *r.job;
    if (r.status != "running") return std::nullopt;
    // Issue #16 item 3: a row with completed_at has finished; consistency repair completes it.
    if (j.completed_at && ctx.c.guards.completed_at_is_completion) return std::nullopt;
    const auto age = age_of(j, ctx.s.now);
    if (!age || *age < ctx.c.stall_after) return std::nullopt;
    runner_info info;
    const std::string mode = recovery_mode_of(ctx, r, &info);
    if (mode == "operator") return stall{&r, mode, info.runner, {}};
    // Issue #16 item 10: nothing runs it, so only its row is written.
    const bool row_only = mode == "full" && info.runner == warden::runner_class::none &&
                          ctx.c.guards.runner_none_status_only;
    proposal p{warden::set_status{j.id,
                                  job_status::running,
                                  j.version,
                                  job_status::retryable,
                                  std::nullopt,
                                  warden::rule_id::stall_recovery,
                                  mode != "full" ? "no progress (soft recovery: nothing runs it)"
                                  : row_only     ? "no progress (nothing runs it: row only)"
                                                 : "no progress",
                                  {warden::evidence_kind::progress_age, age->count()},
                                  false,
                                  j.crawled_pages}};
    if (auto o = recovered(ctx.c, j); o != j.options)
        p.push_back(warden::set_tool_options{j.id, job_status::retryable, j.version + 1, j.options,
                                             std::move(o), warden::rule_id::stall_recovery});
    const auto runner = info.runner;
    if (mode == "full" && !row_only)
        p.push_back(warden::stop_job{j.id, pids_of(ctx.s, j), warden::rule_id::stall_recovery,
                                     ctx.guard.progressing > 0
                                         ? "stalled: stop and restart its runner (the guard window "
                                           "is active: another job progressed within it)"
                                         : "stalled: stop and restart its runner",
                                     info.runner, std::move(info.unit), true});
    return stall{&r, mode, runner, std::move(p)};
}

inline proposal orphan_sweep(const context& ctx, const row& r) {
    const auto& j = *r.job;
    if (r.status != "running" || !j.started_at) return {};
    if (alive(ctx, r)) return {};
    if (j.completed_at || j.finished_at) return {};
    const bool a = annual(j);
    return {warden::set_status{
        j.id,
        job_status::running,
        j.version,
        a ? job_status::retryable : job_status::failed,
        warden::failure_class::orphaned,
        warden::rule_id::orphan_sweep,
        a ? "no lock, process or running-set entry; annual: retry"
          : "no lock, process or running-set entry",
        {warden::evidence_kind::no_liveness, (ctx.s.now - *j.started_at).count()}}};
}

// Issue #21 item 4: a running job of a class with max_runtime_minutes, run past it, is failed
// (deadline_exceeded) and its runner stopped, not restarted; a runner that cannot be stopped
// alone is an operator's (`runner_unknown`, nothing proposed).
struct overdue {
    proposal p;
    bool runner_unknown = false;
};
inline std::optional<overdue> deadline(const context& ctx, const row& r) {
    const auto& j = *r.job;
    if (r.status != "running") return std::nullopt;
    if (j.completed_at && ctx.c.guards.completed_at_is_completion) return std::nullopt;
    if (!j.started_at || ctx.c.classes.empty()) return std::nullopt;
    const warden::class_spec* k = class_of_job(ctx.c, j);
    if (!k || !k->max_runtime_minutes) return std::nullopt;
    if (ctx.s.now <= *j.started_at + std::chrono::minutes{*k->max_runtime_minutes})
        return std::nullopt;
    runner_info info = runner_of(ctx, r);
    std::vector<std::int64_t> pids = pids_of(ctx.s, j);
    const bool stoppable = info.runner == warden::runner_class::systemd_unit ||
                           (info.runner == warden::runner_class::worker && !pids.empty());
    overdue out;
    if (info.runner != warden::runner_class::none && !stoppable) {
        out.runner_unknown = true;
        return out;
    }
    out.p.push_back(
        warden::set_status{j.id,
                           job_status::running,
                           j.version,
                           job_status::failed,
                           std::nullopt,
                           warden::rule_id::deadline,
                           "deadline_exceeded",
                           {warden::evidence_kind::run_time, (ctx.s.now - *j.started_at).count()}});
    if (stoppable)
        out.p.push_back(warden::stop_job{j.id, std::move(pids), warden::rule_id::deadline,
                                         "deadline_exceeded: stop its runner (not restarted)",
                                         info.runner, std::move(info.unit), false});
    return out;
}

// Issue #17: a running job slow for degraded_rate_ticks observations in a row, not stalled, is
// reported (never acted on).
inline std::optional<warden::observation> degraded(const context& ctx, const row& r) {
    const auto& j = *r.job;
    const auto ticks = ctx.c.degraded_rate_ticks;
    if (ticks <= 0 || r.status != "running" || !j.progress_known || j.degraded_streak < ticks)
        return std::nullopt;
    const auto age = age_of(j, ctx.s.now);
    if (age && *age >= ctx.c.stall_after) return std::nullopt;
    return warden::observation{j.id, warden::observation_kind::degraded_rate, j.degraded_streak};
}

// B3 and issue #21 item 1: why queue fill passes a waiting job over, or nothing.
inline std::optional<warden::skip_reason> not_eligible(const warden::config& c,
                                                       const warden::job& j, int target) {
    const warden::class_spec* k = class_of_job(c, j);
    if (k && !k->queue_fill) return warden::skip_reason::class_not_queue_filled;
    const auto camp = campaign_of(c, j);
    if (!camp) {
        if (k) return std::nullopt; // a class that is not annual is started as it is
        return warden::skip_reason::non_annual;
    }
    if (k && camp->year &&
        std::find(k->closed_campaign_years.begin(), k->closed_campaign_years.end(), *camp->year) !=
            k->closed_campaign_years.end())
        return warden::skip_reason::campaign_closed;
    const auto open_until = k ? k->campaign_open_until.value_or(warden::campaign_end::closed)
                              : warden::campaign_end::calendar_year;
    if (open_until == warden::campaign_end::closed) {
        if (!camp->year || *camp->year > target) return warden::skip_reason::year_mismatch;
        return std::nullopt;
    }
    if (camp->year != target) return warden::skip_reason::year_mismatch;
    return std::nullopt;
}

inline std::optional<std::int32_t> fill_year(const warden::config& c, const warden::job& j) {
    if (j.kind == warden::campaign_kind::annual) return j.campaign_year ? *j.campaign_year : 0;
    if (const auto y = year_without_kind(j)) return y;
    if (!c.guards.legacy_detection) return std::nullopt;
    return legacy_year(j);
}

// The UTC year, the way a host without <chrono> calendars would get it.
inline int year_of(warden::timestamp t) {
    const std::time_t secs = static_cast<std::time_t>(t.time_since_epoch().count());
    std::tm parts{};
    gmtime_r(&secs, &parts);
    return parts.tm_year + 1900;
}

class engine {
  public:
    engine()
        : rails_(default_rails()) {
        rules_.emplace_back(consistency_repair);
        rules_.emplace_back(failure_classification);
        rules_.emplace_back(retry_budget);
        rules_.emplace_back(reconcile);
        rules_.emplace_back(orphan_sweep);
    }

    warden::plan decide(const warden::snapshot& s, const warden::config& c) const {
        warden::plan out;
        out.summary.target = c.ensure_min_running_jobs;
        out.summary.jobs = static_cast<std::int64_t>(s.jobs.size());
        validate_config(c, out.errors);
        if (s.now < earliest || s.now > latest)
            out.errors.push_back({std::nullopt, "now", "outside the years 0001..9999"});
        const double disk = s.host.disk_used_percent;
        if (!std::isfinite(disk) || disk < 0.0 || disk > 100.0)
            out.errors.push_back(
                {std::nullopt, "host.disk_used_percent", "must be a finite number in [0, 100]"});
        for (std::size_t k = 0; k < s.host.paused_sources.size(); ++k)
            if (s.host.paused_sources[k].empty())
                out.errors.push_back(
                    {std::nullopt, fmt::format("host.paused_sources[{}]", k), "must not be empty"});
        for (std::size_t k = 0; k < s.host.paused_classes.size(); ++k)
            if (s.host.paused_classes[k].empty())
                out.errors.push_back(
                    {std::nullopt, fmt::format("host.paused_classes[{}]", k), "must not be empty"});
        if (const auto& t = s.host.deploy_lock_created_at; t && (*t > s.now || *t < earliest))
            out.errors.push_back(
                {std::nullopt, "host.deploy_lock_created_at",
                 *t > s.now ? "after now: the clock went backwards" : "before the year 0001"});
        if (!out.errors.empty()) return out;
        out.summary.deploy_lock = deploy_in_progress(s, c);

        std::vector<facts> fs(s.jobs.size());
        std::vector<row> rows;
        rows.reserve(s.jobs.size());
        for (std::size_t i = 0; i < s.jobs.size(); ++i)
            rows.push_back(row{&s.jobs[i], status_text(s.jobs[i].status), &fs[i]});
        const guard_info guard = join(s, c, rows, out);

        std::vector<taken> plan_so_far;
        context ctx{s, c, guard, &plan_so_far};
        // Issue #21 item 2: who occupies a slot now, per limit and value.
        if (!c.concurrency_limits.empty()) {
            ctx.running_by_limit.resize(c.concurrency_limits.size());
            for (const row& r : rows) {
                if (!occupies_slot(r)) continue;
                for (std::size_t k = 0; k < c.concurrency_limits.size(); ++k) {
                    const auto& l = c.concurrency_limits[k];
                    const std::string value = limit_value(c, *r.job, l.by);
                    if (!value.empty() && (!l.value || *l.value == value))
                        ++ctx.running_by_limit[k][value];
                }
            }
        }
        const int target_year = c.campaign_year ? *c.campaign_year : year_of(s.now);
        std::vector<const row*> candidates;
        std::vector<warden::skipped_start> skipped;
        std::vector<stall> stalls;
        for (const row& r : rows) {
            std::string status = r.status;
            if (r.f->valid && !anomalies(ctx, r, out.anomalies)) {
                proposal p;
                // Every rule before the stall check: all but the last, the orphan sweep.
                for (std::size_t k = 0; k + 1 < rules_.size() && p.empty(); ++k)
                    p = rules_[k](ctx, r);
                if (p.empty() && stale_unowned(ctx, r))
                    out.anomalies.push_back(
                        {r.job->id, warden::anomaly_kind::stalled_runner_unknown,
                         "waiting, held by a stale attempt whose runner cannot be named: "
                         "operator intervention required; nothing is written"});
                // Issue #21 item 4: past its class's deadline, failed rather than recovered.
                std::optional<overdue> late;
                if (p.empty()) late = deadline(ctx, r);
                if (late && !late->runner_unknown) p = std::move(late->p);
                std::optional<stall> stalled;
                if (p.empty()) stalled = stall_recovery(ctx, r);
                if (late && late->runner_unknown && !stalled)
                    out.anomalies.push_back(
                        {r.job->id, warden::anomaly_kind::stalled_runner_unknown,
                         "past its deadline (max_runtime_minutes), and what runs it cannot be "
                         "stopped alone (a process warden does not own, a lock with no process to "
                         "signal, or no process list): operator intervention required; nothing "
                         "is written"});
                if (p.empty() && !stalled) p = rules_.back()(ctx, r);
                std::optional<warden::observation> slow;
                if (p.empty() && !stalled) slow = degraded(ctx, r);
                if (stalled) {
                    stalls.push_back(std::move(*stalled));
                } else if (!p.empty()) {
                    const auto hold = unreadable_list_hold(ctx, r, p);
                    const int outcome = submit(ctx, r, p, out, hold, "process_list_unreadable");
                    if (outcome == 0 || outcome == 3)
                        for (const auto& a : p)
                            if (const auto* st = std::get_if<warden::set_status>(&a))
                                status = status_text(st->status);
                } else if (slow) {
                    out.observations.push_back(*slow);
                    ++out.summary.degraded;
                } else if (waiting(r.status) &&
                           r.job->failure != warden::failure_class::infra_error_config &&
                           !r.f->lock_held && r.f->process_count == 0 && !r.f->in_running_set) {
                    if (const auto why = not_eligible(c, *r.job, target_year)) {
                        const auto camp = campaign_of(c, *r.job);
                        skipped.push_back(
                            {r.job->id, *why, camp ? camp->year : std::nullopt, target_year});
                    } else {
                        candidates.push_back(&r);
                    }
                }
            }
            if (status == "running" || (waiting(status) && r.f->lock_held && !r.job->started_at))
                ++out.summary.running;
        }
        std::sort(stalls.begin(), stalls.end(), [](const stall& a, const stall& b) {
            return to_int(a.r->job->id) < to_int(b.r->job->id);
        });
        int recovered = 0;
        std::int64_t holding = 0;
        auto in_grace_of = [&](const row* r) {
            return r->job->started_at && s.now - *r->job->started_at <= c.start_grace;
        };
        auto count = [&](const row* r, bool applied) {
            if (applied) --out.summary.running;
            if (!applied && in_grace_of(r)) return;
            ++out.summary.stalled;
            if (applied ||
                (r->f->recoveries_last_24h < c.daily_recovery_cap && !r->f->circuit_open))
                ++holding;
        };
        for (std::size_t k = 0; k < stalls.size(); ++k) {
            if (stalls[k].swept) continue;
            const row* r = stalls[k].r;
            const std::string& mode = stalls[k].mode;
            proposal& p = stalls[k].p;
            const bool in_grace = in_grace_of(r);
            if (mode == "operator") {
                if (in_grace) continue;
                out.anomalies.push_back(
                    {r->job->id, warden::anomaly_kind::stalled_runner_unknown,
                     "stalled, and what runs it cannot be named (a process warden does not own, "
                     "a lock while the worker is down, or no process list): operator "
                     "intervention required; nothing is written"});
                ++out.summary.stalled;
                continue;
            }
            std::optional<std::string> held;
            if (mode == "guarded")
                held = fmt::format("guard_window_healthy_job: job {} progressed {} s ago (guard "
                                   "window {} s) and soft recovery is off",
                                   to_int(guard.freshest), guard.freshest_age.count(),
                                   c.guard_window.count());
            else if (c.recoveries_per_tick > 0 && recovered >= c.recoveries_per_tick)
                held = fmt::format("waiting: at most {} stall recover{} per tick, lowest id first",
                                   c.recoveries_per_tick, c.recoveries_per_tick == 1 ? "y" : "ies");
            const int outcome = submit(ctx, *r, p, out, held,
                                       mode == "guarded" ? "guard_window" : "recoveries_per_tick");
            const bool applied = outcome == 0 || outcome == 3;
            if (applied) ++recovered;
            count(r, applied);
            if (!applied) continue;
            // Issue #17 item 5: later stalls of the same source that nothing runs get their row
            // write too, up to same_source_recoveries_limit of them.
            std::int32_t swept = 0;
            for (std::size_t o = k + 1; o < stalls.size() && swept < c.same_source_recoveries_limit;
                 ++o) {
                stall& other = stalls[o];
                if (other.swept || r->job->source.empty() ||
                    other.r->job->source != r->job->source ||
                    other.runner != warden::runner_class::none ||
                    (other.mode != "full" && other.mode != "soft"))
                    continue;
                other.swept = true;
                warden::set_status w = std::get<warden::set_status>(other.p.front());
                w.reason = "no progress (same-source sweep: nothing runs it)";
                proposal sp{w};
                const int so = submit(ctx, *other.r, sp, out);
                const bool took = so == 0 || so == 3;
                if (took) ++swept;
                count(other.r, took);
            }
        }
        fill(ctx, candidates, skipped, holding, rows, out);
        return out;
    }

  private:
    static void validate_config(const warden::config& c, std::vector<warden::validation_error>& e) {
        auto bad = [&](std::string field, std::string message) {
            e.push_back({std::nullopt, "config." + field, std::move(message)});
        };
        if (c.ensure_min_running_jobs < 0) bad("ensure_min_running_jobs", "must not be negative");
        if (!(c.disk_threshold_percent > 0.0 && c.disk_threshold_percent <= 100.0))
            bad("disk_threshold_percent", "must be a number in (0, 100]");
        if (c.daily_start_cap < 0) bad("daily_start_cap", "must not be negative");
        if (c.daily_recovery_cap < 0) bad("daily_recovery_cap", "must not be negative");
        if (c.max_retries < 0)
            bad("max_retries", "must not be negative (0: an infra error fails at once)");
        if (c.recoveries_per_tick < 0)
            bad("recoveries_per_tick", "must not be negative (0: no limit)");
        if (c.max_starts_per_tick < 0)
            bad("max_starts_per_tick", "must not be negative (0: no limit)");
        if (c.same_source_recoveries_limit < 0)
            bad("same_source_recoveries_limit", "must not be negative (0: no same-source sweep)");
        if (c.stall_after.count() <= 0) bad("stall_after", "must be positive");
        if (c.start_grace.count() < 0) bad("start_grace", "must not be negative");
        if (c.guard_window.count() < 0) bad("guard_window", "must not be negative");
        if (c.deploy_lock_stale_after.count() <= 0)
            bad("deploy_lock_stale_after", "must be positive");
        if (c.orphan_grace.count() < 0) bad("orphan_grace", "must not be negative");
        const auto& m = c.annual_minimums;
        if (m.max_container_restarts < 0 || m.error_threshold_timeout < 0 ||
            m.error_threshold_http < 0 || m.backoff_delay_minutes < 0)
            bad("annual_minimums", "must not be negative");
        if (c.recovery_min_restarts_non_annual < 0)
            bad("recovery_min_restarts_non_annual", "must not be negative");
        if (c.annual_stall_timeout_minutes <= 0)
            bad("annual_stall_timeout_minutes", "must be positive");
        if (c.final_stage.empty()) bad("final_stage", "must not be empty");
        // Issue #17.
        if (c.stale_pipeline_after.count() <= 0) bad("stale_pipeline_after", "must be positive");
        if (c.progress_circuit_window < 0 || c.progress_circuit_window > 1000)
            bad("progress_circuit_window", "must be in 0..1000 (0: the circuit is off)");
        if (c.progress_circuit_min_pages < 0)
            bad("progress_circuit_min_pages", "must not be negative (0: the circuit is off)");
        if (!std::isfinite(c.degraded_rate_pages_per_minute) ||
            c.degraded_rate_pages_per_minute < 0.0)
            bad("degraded_rate_pages_per_minute", "must be a finite number, at least 0");
        if (c.degraded_rate_ticks < 0)
            bad("degraded_rate_ticks", "must not be negative (0: no job is reported degraded)");
        // Issue #21.
        for (std::size_t i = 0; i < c.classes.size(); ++i)
            validate_class(c, i, bad);
        for (std::size_t i = 0; i < c.concurrency_limits.size(); ++i) {
            const auto& l = c.concurrency_limits[i];
            if (l.max_running < 1)
                bad(fmt::format("concurrency_limits[{}].max_running", i),
                    "must be at least 1 (pause a source or class to hold its starts)");
            if (l.value && l.value->empty())
                bad(fmt::format("concurrency_limits[{}].value", i),
                    "must not be empty (omit it to limit every value separately)");
        }
        if (c.campaign_year && (*c.campaign_year < 1970 || *c.campaign_year > 9999))
            bad("campaign_year",
                "must be a year in 1970..9999 (legacy -YYYY0101 names start at 1970)");
        for (const auto& entry : c.source_profiles) {
            const auto& p = entry.second;
            auto floor = [&](const char* key, std::optional<std::int32_t> v, std::int32_t f) {
                if (v && *v < f)
                    bad(fmt::format("source_profiles.{}.{}", entry.first, key),
                        fmt::format("must be at least {}, got {}", f, *v));
            };
            floor("stall_timeout_minutes", p.stall_timeout_minutes, 1);
            floor("error_threshold_timeout", p.error_threshold_timeout, 1);
            floor("error_threshold_http", p.error_threshold_http, 1);
            floor("backoff_delay_minutes", p.backoff_delay_minutes, 0);
            floor("max_container_restarts", p.max_container_restarts, 1);
            floor("initial_workers", p.initial_workers, 1);
            if (!p.docker_shm_size.empty() && !shm_ok(p.docker_shm_size))
                bad(fmt::format("source_profiles.{}.docker_shm_size", entry.first),
                    fmt::format("must be a size like 1g or 512m, got \"{}\"", p.docker_shm_size));
        }
        for (std::size_t i = 0; i < c.config_error_patterns.size(); ++i)
            if (c.config_error_patterns[i].empty())
                bad(fmt::format("config_error_patterns[{}]", i),
                    "an empty pattern matches everything");
        for (std::size_t i = 0; i < c.infra_error_patterns.size(); ++i)
            if (c.infra_error_patterns[i].empty())
                bad(fmt::format("infra_error_patterns[{}]", i),
                    "an empty pattern matches everything");
    }

    template <class Bad>
    static void validate_class(const warden::config& c, std::size_t i, Bad& bad) {
        const auto& k = c.classes[i];
        const std::string at = fmt::format("classes[{}].", i);
        if (k.name.empty()) bad(at + "name", "must not be empty");
        for (std::size_t e = 0; e < i; ++e)
            if (!k.name.empty() && c.classes[e].name == k.name)
                bad(at + "name", fmt::format("duplicate of classes[{}].name", e));
        if (k.ensure_min_running_jobs && *k.ensure_min_running_jobs < 0)
            bad(at + "ensure_min_running_jobs", "must not be negative");
        const std::int64_t year_s = 366LL * 24 * 3600;
        if (k.backoff) {
            const auto& b = *k.backoff;
            if (b.initial_delay_seconds < 0 || b.initial_delay_seconds > year_s)
                bad(at + "backoff.initial_delay_seconds",
                    fmt::format("must be in 0..{} (a year)", year_s));
            if (!std::isfinite(b.coefficient) || b.coefficient < 1.0 || b.coefficient > 100.0)
                bad(at + "backoff.coefficient", "must be a finite number in 1..100");
            if (b.max_delay_seconds < b.initial_delay_seconds || b.max_delay_seconds > year_s)
                bad(at + "backoff.max_delay_seconds",
                    fmt::format("must be in backoff.initial_delay_seconds..{} (a year)", year_s));
            if (!std::isfinite(b.jitter_fraction) || b.jitter_fraction < 0.0 ||
                b.jitter_fraction > 1.0)
                bad(at + "backoff.jitter_fraction", "must be a finite number in 0..1");
        }
        if (k.max_runtime_minutes &&
            (*k.max_runtime_minutes < 1 || *k.max_runtime_minutes > 527040))
            bad(at + "max_runtime_minutes",
                "must be in 1..527040 (a year; omit it for no deadline)");
        if (k.minimums) {
            const auto& m = *k.minimums;
            if (m.max_container_restarts < 0 || m.error_threshold_timeout < 0 ||
                m.error_threshold_http < 0 || m.backoff_delay_minutes < 0)
                bad(at + "minimums", "must not be negative");
            if (m.page_cap)
                bad(at + "minimums.page_cap",
                    "must be null: minimums hold a class's jobs to no page cap, as annual crawls");
        }
        if (k.recovery_min_restarts && *k.recovery_min_restarts < 0)
            bad(at + "recovery_min_restarts", "must not be negative");
        if (k.stall_timeout_minutes &&
            (*k.stall_timeout_minutes < 1 || *k.stall_timeout_minutes > 527040))
            bad(at + "stall_timeout_minutes",
                "must be in 1..527040 (a year; omit it for the global value)");
        for (std::size_t y = 0; y < k.closed_campaign_years.size(); ++y)
            if (k.closed_campaign_years[y] < 1970 || k.closed_campaign_years[y] > 9999)
                bad(fmt::format("classes[{}].closed_campaign_years[{}]", i, y),
                    "must be a year in 1970..9999");
    }

    static void validate_row(const warden::snapshot& s, std::size_t i, const row& r,
                             std::vector<warden::validation_error>& e) {
        const auto& j = *r.job;
        auto bad = [&](std::string_view field, std::string message) {
            e.push_back({j.id, fmt::format("jobs[{}].{}", i, field), std::move(message)});
        };
        auto future = [&](std::string_view field, const std::optional<warden::timestamp>& t) {
            if (t && *t < earliest)
                bad(field, "before the year 0001");
            else if (t && *t > s.now)
                bad(field, fmt::format("{} s after now: the clock went backwards or the row is "
                                       "from the future",
                                       (*t - s.now).count()));
        };
        if (r.status == "unknown") bad("status", "unknown status");
        if (j.retry_count < 0) bad("retry_count", "must not be negative");
        if (j.version < 0 || j.version > (std::int64_t{1} << 62))
            bad("version", fmt::format("must be in [0, 2^62], got {}", j.version));
        future("queued_at", j.queued_at);
        future("started_at", j.started_at);
        future("finished_at", j.finished_at);
        future("last_progress_at", j.last_progress_at);
        future("completed_at", j.completed_at);
        future("created_at", j.created_at);
        future("updated_at", j.updated_at);
        if (j.degraded_streak < 0) bad("degraded_streak", "must not be negative");
        if (j.started_at && j.finished_at && *j.finished_at < *j.started_at)
            bad("finished_at", "before started_at");
        if (j.crawled_pages && *j.crawled_pages < 0) bad("crawled_pages", "must not be negative");
        const auto& o = j.options;
        const std::pair<const char*, std::optional<std::int64_t>> counts[] = {
            {"max_container_restarts", o.max_container_restarts},
            {"error_threshold_timeout", o.error_threshold_timeout},
            {"error_threshold_http", o.error_threshold_http},
            {"backoff_delay_minutes", o.backoff_delay_minutes},
            {"page_cap", o.page_cap ? std::optional<std::int64_t>{*o.page_cap} : std::nullopt},
            {"stall_timeout_minutes", o.stall_timeout_minutes
                                          ? std::optional<std::int64_t>{*o.stall_timeout_minutes}
                                          : std::nullopt}};
        for (const auto& [field, v] : counts)
            if (v && *v < 0) bad(std::string("tool_options.") + field, "must not be negative");
        if (o.initial_workers && *o.initial_workers < 1)
            bad("tool_options.initial_workers",
                fmt::format("must be at least 1, got {}", *o.initial_workers));
        if (!o.docker_shm_size.empty() && !shm_ok(o.docker_shm_size))
            bad("tool_options.docker_shm_size",
                fmt::format("must be a size like 1g or 512m, got \"{}\"", o.docker_shm_size));
    }

    // docker's --shm-size as warden accepts it: digits (not all zero, at most 12), then an
    // optional k/m/g (either case) with an optional b, or a lone b.
    static bool shm_ok(const std::string& s) {
        std::size_t n = 0;
        while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n])))
            ++n;
        if (n == 0 || n > 12 || s.find_first_not_of('0') >= n) return false;
        std::string rest = s.substr(n);
        for (char& ch : rest)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        return rest.empty() || rest == "b" || rest == "k" || rest == "m" || rest == "g" ||
               rest == "kb" || rest == "mb" || rest == "gb";
    }

    // Issue #16 item 9: the processes on one dir are one attempt when they form one tree by ppid:
    // one root (no parent among them), and every other reaches it (no cycle).
    static bool one_process_tree(const std::vector<const warden::process_fact*>& ps) {
        const std::size_t m = ps.size();
        std::map<std::int64_t, std::size_t> first_with_pid;
        for (std::size_t x = 0; x < m; ++x)
            first_with_pid.emplace(ps[x]->pid, x);
        std::vector<std::size_t> parent(m, m); // m: no parent among them
        std::size_t roots = 0;
        for (std::size_t x = 0; x < m; ++x) {
            if (ps[x]->ppid) {
                const auto it = first_with_pid.find(*ps[x]->ppid);
                if (it != first_with_pid.end() && it->second != x) parent[x] = it->second;
            }
            if (parent[x] == m) ++roots;
        }
        if (roots != 1) return false;
        for (std::size_t x = 0; x < m; ++x) {
            std::size_t at = x, steps = 0;
            while (parent[at] != m) {
                if (++steps > m) return false; // a cycle
                at = parent[at];
            }
        }
        return true;
    }

    // Returns the running jobs (valid in their own fields) that progressed within the guard window.
    static guard_info join(const warden::snapshot& s, const warden::config& c,
                           std::vector<row>& rows, warden::plan& out) {
        guard_info guard;
        auto& errors = out.errors;
        std::map<std::int64_t, std::size_t> by_id;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const std::size_t before = errors.size();
            validate_row(s, i, rows[i], errors);
            if (errors.size() != before) rows[i].f->valid = false;
            if (rows[i].status != "unknown")
                ++out.summary.by_status[static_cast<std::size_t>(status_value(rows[i].status))];
            const auto [it, fresh] = by_id.emplace(to_int(rows[i].job->id), i);
            if (!fresh) {
                rows[i].f->valid = false;
                rows[it->second].f->valid = false;
                errors.push_back({rows[i].job->id, fmt::format("jobs[{}].id", i),
                                  fmt::format("duplicate of jobs[{}].id", it->second)});
            }
        }
        struct dir {
            std::uint32_t processes = 0;
            std::int64_t first_pid = 0;
            std::uint32_t claims = 0;
            std::vector<const warden::process_fact*> members;
        };
        std::map<std::string, dir> dirs;
        for (const auto& p : s.processes) {
            if (p.output_dir.empty()) continue;
            dir& d = dirs[p.output_dir];
            if (d.processes++ == 0) d.first_pid = p.pid;
            d.members.push_back(&p);
        }
        std::vector<const dir*> claimed(rows.size(), nullptr);
        auto recent = [&](const warden::job& j) {
            return j.progress_known && j.last_progress_at &&
                   s.now - *j.last_progress_at < c.stall_after;
        };
        for (std::size_t i = 0; i < rows.size() && !dirs.empty(); ++i) {
            const auto it = dirs.find(rows[i].job->output_dir);
            if (rows[i].job->output_dir.empty() || it == dirs.end()) continue;
            ++it->second.claims;
            rows[i].f->process_count = it->second.processes;
            rows[i].f->first_pid = it->second.first_pid;
            if (c.guards.process_tree_is_one_attempt && it->second.processes > 1)
                rows[i].f->one_process_tree = one_process_tree(it->second.members);
            claimed[i] = &it->second;
        }
        for (std::size_t i = 0; i < rows.size(); ++i)
            if (claimed[i] && claimed[i]->claims > 1) rows[i].f->shared_output_dir = true;

        auto find = [&](warden::job_id id, const std::string& field) -> facts* {
            const auto it = by_id.find(to_int(id));
            if (it != by_id.end()) return rows[it->second].f;
            errors.push_back({id, field, "no job with this id"});
            return nullptr;
        };
        for (std::size_t k = 0; k < s.locks.size(); ++k)
            if (facts* f = find(s.locks[k], fmt::format("locks[{}].job_id", k)))
                f->lock_held = true;
        for (std::size_t k = 0; k < s.unprobeable_locks.size(); ++k)
            if (facts* f = find(s.unprobeable_locks[k].job,
                                fmt::format("unprobeable_locks[{}].job_id", k))) {
                f->lock_held = true;
                f->lock_unprobeable = true;
            }
        for (std::size_t k = 0; k < s.running_set.size(); ++k)
            if (facts* f = find(s.running_set[k], fmt::format("running_set[{}]", k)))
                f->in_running_set = true;
        // Only a live job guards (issue #16 item 2), judged once the side tables are joined.
        for (const row& r : rows) {
            if (r.status != "running" || !r.f->valid) continue;
            if (c.guards.progress_is_alive && !(r.f->lock_held || r.f->process_count > 0 ||
                                                r.f->in_running_set || recent(*r.job)))
                continue;
            const auto age = age_of(*r.job, s.now);
            if (age && *age < std::min(c.guard_window, c.stall_after)) {
                if (guard.progressing == 0 || *age < guard.freshest_age) {
                    guard.freshest = r.job->id;
                    guard.freshest_age = *age;
                }
                ++guard.progressing;
            }
        }
        for (std::size_t k = 0; k < s.starts.size(); ++k) {
            const auto& rec = s.starts[k];
            facts* f = find(rec.job, fmt::format("starts[{}].job_id", k));
            if (!f) continue;
            if (rec.at > s.now || rec.at < earliest) {
                f->valid = false;
                errors.push_back({rec.job, fmt::format("starts[{}].at", k),
                                  rec.at > s.now ? "after now: the clock went backwards"
                                                 : "before the year 0001"});
            } else if (rec.at > s.now - warden::one_day) {
                ++f->starts_last_24h;
                ++out.summary.starts_last_24h;
            }
        }
        for (std::size_t k = 0; k < s.recoveries.size(); ++k) {
            const auto& rec = s.recoveries[k];
            facts* f = find(rec.job, fmt::format("recoveries[{}].job_id", k));
            if (!f) continue;
            if (rec.crawled_pages && *rec.crawled_pages < 0) {
                f->valid = false;
                errors.push_back({rec.job, fmt::format("recoveries[{}].crawled_pages", k),
                                  "must not be negative"});
            }
            if (rec.at <= s.now && (!f->last_recovery_at || rec.at > *f->last_recovery_at))
                f->last_recovery_at = rec.at;
            if (rec.at > s.now || rec.at < earliest) {
                f->valid = false;
                errors.push_back({rec.job, fmt::format("recoveries[{}].at", k),
                                  rec.at > s.now ? "after now: the clock went backwards"
                                                 : "before the year 0001"});
            } else if (rec.at > s.now - warden::one_day) {
                ++f->recoveries_last_24h;
                ++out.summary.recoveries_last_24h;
            }
        }
        progress_circuits(s, c, rows, by_id);
        return guard;
    }

    // Issue #17: a running job's circuit opens when each of its last progress_circuit_window
    // recoveries (all history, in time order) gained fewer than progress_circuit_min_pages pages
    // (a gain: the next record's count, or the job's current one, minus the record's). A count
    // missing anywhere in the window keeps it closed.
    static void progress_circuits(const warden::snapshot& s, const warden::config& c,
                                  std::vector<row>& rows,
                                  const std::map<std::int64_t, std::size_t>& by_id) {
        const std::int32_t window = c.progress_circuit_window;
        const std::int64_t min_pages = c.progress_circuit_min_pages;
        if (window <= 0 || min_pages <= 0) return;
        std::map<std::size_t, std::vector<const warden::recovery_record*>> history;
        for (const auto& rec : s.recoveries) {
            const auto it = by_id.find(to_int(rec.job));
            if (it == by_id.end()) continue;
            const row& r = rows[it->second];
            if (!r.f->valid || r.status != "running") continue;
            history[it->second].push_back(&rec);
        }
        for (auto& [i, recs] : history) {
            if (recs.size() < static_cast<std::size_t>(window)) continue;
            std::stable_sort(recs.begin(), recs.end(),
                             [](const auto* a, const auto* b) { return a->at < b->at; });
            const auto current = rows[i].job->crawled_pages;
            if (!current) continue;
            bool open = true;
            std::int64_t best = 0;
            for (std::size_t k = recs.size() - static_cast<std::size_t>(window); k < recs.size();
                 ++k) {
                const auto here = recs[k]->crawled_pages;
                const auto next = k + 1 < recs.size() ? recs[k + 1]->crawled_pages : current;
                if (!here || !next || *next - *here >= min_pages) {
                    open = false;
                    break;
                }
                if (k + static_cast<std::size_t>(window) == recs.size() || *next - *here > best)
                    best = *next - *here;
            }
            if (!open) continue;
            rows[i].f->circuit_open = true;
            rows[i].f->circuit_best_gain = best;
        }
    }

    static bool anomalies(const context& ctx, const row& r, std::vector<warden::anomaly>& out) {
        const auto& j = *r.job;
        const std::size_t before = out.size();
        using k = warden::anomaly_kind;
        const bool live = r.f->lock_held || r.f->process_count > 0;
        if (r.status == "running" && j.finished_at &&
            !(ctx.c.guards.completed_at_is_completion && j.completed_at))
            out.push_back({j.id, k::running_with_finished_at, "running yet finished_at is set"});
        if (r.status == "running" && !j.started_at)
            out.push_back({j.id, k::running_without_started_at,
                           "running without started_at: no stall or orphan verdict is possible"});
        if (waiting(r.status) && r.f->lock_held && !j.started_at)
            out.push_back({j.id, k::lock_without_started_at,
                           "waiting, per-job lock held, no started_at: not reconciled"});
        if (r.status == "completed" && !j.finished_at)
            out.push_back(
                {j.id, k::completed_without_finished_at, "completed without finished_at"});
        if (terminal(r.status) && live)
            out.push_back({j.id, k::terminal_with_live_evidence,
                           r.f->lock_held ? "terminal status, per-job lock held"
                                          : "terminal status, live process in its output_dir"});
        if (r.f->shared_output_dir && r.f->process_count > 0)
            out.push_back({j.id, k::process_claimed_by_many,
                           "several jobs share the output_dir of a live process"});
        const bool blocking = out.size() != before;
        if (r.f->process_count > 1 && !r.f->one_process_tree)
            out.push_back(
                {j.id, k::several_processes, "more than one live process in the job's output_dir"});
        return blocking;
    }

    // 0: allowed; 1: denied for this job; 2: denied for the host; 3: denied by a dry-run gate.
    // `held`: an engine limit's reason, refusing what the policies let through.
    int submit(const context& ctx, const row& r, proposal& p, warden::plan& out,
               const std::optional<std::string>& held = std::nullopt,
               std::string_view held_by = {}) const {
        for (const bool gates : {false, true}) {
            if (gates && held) {
                for (auto& b : p)
                    out.blocked.push_back({std::move(b), held_by, *held});
                return 1;
            }
            for (const auto& a : p)
                for (const auto& rail : rails_) {
                    if (rail->dry_run_gate() != gates) continue;
                    verdict v = rail->check(ctx, r, a);
                    if (v.allowed) continue;
                    if (gates && v.host) // a dry run: apply mode would take it
                        for (const auto& b : p)
                            ctx.plan_so_far->push_back({b, &r});
                    for (auto& b : p)
                        out.blocked.push_back({std::move(b), rail->name(), v.reason});
                    if (gates && v.host) return 3;
                    return v.host ? 2 : 1;
                }
        }
        for (auto& a : p) {
            ++out.summary.actions_by_rule[static_cast<std::size_t>(warden::action_rule(a))];
            ctx.plan_so_far->push_back({a, &r});
            out.actions.push_back(std::move(a));
        }
        return 0;
    }

    void fill(const context& ctx, std::vector<const row*>& candidates,
              std::vector<warden::skipped_start>& skipped, std::int64_t stalls_holding,
              const std::vector<row>& rows, warden::plan& out) const {
        const auto& c = ctx.c;
        if (stalls_holding > 0) return;
        // Issue #21 item 1: classes with a floor of their own, and how many of each run once the
        // plan so far is applied.
        std::map<const warden::class_spec*, std::int64_t> floor_running;
        for (const auto& k : c.classes)
            if (k.ensure_min_running_jobs && *k.ensure_min_running_jobs > 0) floor_running[&k] = 0;
        auto floored_class = [&](const warden::job& j) -> const warden::class_spec* {
            if (floor_running.empty()) return nullptr;
            const warden::class_spec* k = class_of_job(c, j);
            return k && floor_running.count(k) ? k : nullptr;
        };
        if (!floor_running.empty()) {
            for (const row& r : rows)
                if (occupies_slot(r))
                    if (const auto* k = floored_class(*r.job)) ++floor_running[k];
            for (const taken& t : *ctx.plan_so_far) {
                const auto* st = std::get_if<warden::set_status>(&t.a);
                if (!st) continue;
                const bool was = occupies_slot(*t.r);
                const bool is = st->status == job_status::running;
                const auto* k = floored_class(*t.r->job);
                if (!k) continue;
                if (!was && is) ++floor_running[k];
                if (was && !is && t.r->status == "running" && floor_running[k] > 0)
                    --floor_running[k];
            }
        }
        auto short_of = [&](const warden::class_spec* k) {
            return k && floor_running.at(k) < *k->ensure_min_running_jobs;
        };
        auto any_short = [&] {
            for (const auto& [k, n] : floor_running)
                if (n < *k->ensure_min_running_jobs) return true;
            return false;
        };
        const std::int64_t target = c.ensure_min_running_jobs;
        const std::int64_t deficit =
            target > out.summary.running ? target - out.summary.running : 0;
        if (deficit <= 0 && !any_short()) return;
        out.skipped = std::move(skipped);
        if (c.guards.stable_queue_order) {
            std::map<std::string, std::size_t> rank;
            for (std::size_t i = 0; i < c.source_order.size(); ++i)
                rank.emplace(c.source_order[i], i);
            auto rank_of = [&](const std::string& src) {
                const auto it = rank.find(src);
                return it == rank.end() ? c.source_order.size() : it->second;
            };
            std::map<const row*, std::int32_t> priority;
            if (!c.classes.empty())
                for (const row* r : candidates) {
                    const auto* k = class_of_job(c, *r->job);
                    priority[r] = k ? k->priority : 0;
                }
            std::sort(candidates.begin(), candidates.end(), [&](const row* a, const row* b) {
                if (!priority.empty() && priority[a] != priority[b])
                    return priority[a] > priority[b]; // a higher class priority first
                const auto& x = *a->job;
                const auto& y = *b->job;
                if (x.queued_at != y.queued_at) return x.queued_at < y.queued_at;
                if (x.created_at != y.created_at) // a row without created_at first
                    return !x.created_at || (y.created_at && *x.created_at < *y.created_at);
                const auto rx = rank_of(x.source), ry = rank_of(y.source);
                if (rx != ry) return rx < ry;
                return to_int(x.id) < to_int(y.id);
            });
        }
        std::int64_t filled = 0;
        std::int32_t started = 0;
        for (const row* r : candidates) {
            if (filled >= deficit && !any_short()) break;
            const auto& j = *r->job;
            const warden::class_spec* klass = floored_class(j);
            if (filled >= deficit && !short_of(klass)) continue; // only floors ask now
            const job_status st = status_value(r->status);
            proposal p;
            std::int64_t version = j.version;
            if (j.kind != warden::campaign_kind::annual)
                if (const auto camp = campaign_of(c, j)) {
                    p.push_back(
                        warden::backfill_campaign{j.id, st, version, warden::campaign_kind::annual,
                                                  *camp->year, warden::rule_id::queue_fill});
                    ++version;
                }
            p.push_back(
                warden::start_job{j.id, st, version, recovered(c, j), warden::rule_id::queue_fill});
            std::optional<std::string> held = unreadable_list_hold(ctx, *r, p);
            std::string_view held_by = "process_list_unreadable";
            if (!held && c.max_starts_per_tick > 0 && started >= c.max_starts_per_tick) {
                held = fmt::format("waiting: at most {} start{} per tick, so each start's disk "
                                   "and load show before the next",
                                   c.max_starts_per_tick, c.max_starts_per_tick == 1 ? "" : "s");
                held_by = "starts_per_tick";
            }
            const std::size_t blocked_before = out.blocked.size();
            auto took_slot = [&] {
                ++filled;
                if (klass) ++floor_running[klass];
            };
            switch (submit(ctx, *r, p, out, held, held_by)) {
            case 0:
            case 3:
                took_slot();
                ++started;
                ++out.summary.running;
                break;
            case 2: took_slot(); break;
            default:
                if (held && out.blocked.size() > blocked_before &&
                    out.blocked.back().rail == "starts_per_tick")
                    took_slot();
                break;
            }
        }
    }

    std::vector<std::unique_ptr<rail>> rails_;
    std::vector<rule> rules_;
};

} // namespace handwritten
