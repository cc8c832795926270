// io/json.hpp as a library: the examples of docs/formats.md and every fixture go through
// parse -> C++ -> JSON and come back the same; limits and error paths hold without the CLI.
#define CATCH_CONFIG_MAIN
#include <warden/engine.hpp>
#include <warden/io/json.hpp>
#include <warden/io/rfc3339.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "../support/field_list_row.hpp"

namespace {

using json = nlohmann::ordered_json;

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct example {
    std::string kind, name, body;
};

std::vector<example> doc_examples() {
    const std::string text = slurp(WARDEN_DOCS_DIR "/formats.md");
    const std::regex block(R"(<!-- example: ([\w-]+) (\w+) -->\n```json\n([\s\S]*?)```)");
    std::vector<example> out;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), block);
         it != std::sregex_iterator(); ++it)
        out.push_back({(*it)[1], (*it)[2], (*it)[3]});
    return out;
}

std::optional<warden::timestamp> as_time(const json& v) {
    if (v.is_string()) return warden::parse_rfc3339(v.get<std::string>());
    if (v.is_number_integer()) return warden::from_epoch_seconds(v.get<std::int64_t>());
    return std::nullopt;
}

// Every value the example states is the value the canonical form holds; times may be written
// differently (epoch seconds, offsets) and `pending` is read as `queued`.
void require_states(const json& stated, const json& canonical, const std::string& path) {
    INFO(path);
    if (stated.is_object()) {
        REQUIRE(canonical.is_object());
        for (const auto& [key, value] : stated.items()) {
            REQUIRE(canonical.contains(key));
            require_states(value, canonical.at(key), path + "." + key);
        }
    } else if (stated.is_array()) {
        REQUIRE(canonical.is_array());
        REQUIRE(stated.size() == canonical.size());
        for (std::size_t i = 0; i < stated.size(); ++i)
            require_states(stated[i], canonical[i], path + "[" + std::to_string(i) + "]");
    } else if (stated == canonical) {
        SUCCEED();
    } else if (stated == "pending") {
        REQUIRE(canonical == "queued");
    } else if (stated.is_string() && path.ends_with(".max_container_restarts")) {
        // Issue #8: a job's restarts as a string: decimal digits are that integer, else 0.
        const auto& text = stated.get_ref<const std::string&>();
        const bool digits =
            !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
        REQUIRE(canonical == (digits ? std::stoll(text) : 0));
    } else {
        const auto a = as_time(stated), b = as_time(canonical);
        REQUIRE(a.has_value());
        REQUIRE(a == b);
    }
}

warden::snapshot_document read_ok(const std::string& text) {
    warden::snapshot_document doc = warden::read_snapshot_document(text);
    for (const auto& e : doc.errors)
        UNSCOPED_INFO(e.field << ": " << e.message);
    REQUIRE(doc.ok());
    return doc;
}

} // namespace

TEST_CASE("formats.md: snapshot examples round-trip and plan examples are decide's output") {
    const std::vector<example> examples = doc_examples();
    REQUIRE(examples.size() >= 7);
    std::map<std::string, warden::snapshot_document> snapshots;
    int plans = 0;
    for (const example& e : examples) {
        INFO(e.kind << " " << e.name);
        if (e.kind == "snapshot") {
            warden::snapshot_document doc = read_ok(e.body);
            REQUIRE(doc.warnings.empty());
            const json canonical = warden::to_json(doc.snapshot, doc.config);
            require_states(json::parse(e.body), canonical, "$");
            const warden::snapshot_document again = read_ok(canonical.dump());
            REQUIRE(warden::to_json(again.snapshot, again.config) == canonical);
            REQUIRE(warden::decide(again.snapshot, again.config) ==
                    warden::decide(doc.snapshot, doc.config));
            snapshots.emplace(e.name, std::move(doc));
        } else if (e.kind == "plan") {
            const auto it = snapshots.find(e.name);
            REQUIRE(it != snapshots.end());
            const warden::plan p = warden::decide(it->second.snapshot, it->second.config);
            REQUIRE(warden::to_json(p, it->second.snapshot) == json::parse(e.body));
            ++plans;
        }
    }
    REQUIRE(snapshots.size() >= 3);
    REQUIRE(plans == static_cast<int>(snapshots.size()));
}

TEST_CASE("fixtures: the canonical JSON reads back to the same snapshot and the same plan") {
    int checked = 0;
    for (const auto& entry : std::filesystem::directory_iterator(WARDEN_FIXTURES_DIR)) {
        if (entry.path().extension() != ".json") continue;
        const warden::snapshot_document doc = warden::read_snapshot_document(slurp(entry.path()));
        if (!doc.ok()) continue;
        INFO(entry.path().filename().string());
        const json canonical = warden::to_json(doc.snapshot, doc.config);
        const warden::snapshot_document again = read_ok(canonical.dump(2));
        REQUIRE(again.warnings.empty());
        REQUIRE(warden::to_json(again.snapshot, again.config) == canonical);
        REQUIRE(warden::decide(again.snapshot, again.config) ==
                warden::decide(doc.snapshot, doc.config));
        ++checked;
    }
    REQUIRE(checked >= 20);
}

TEST_CASE("read_snapshot_document: paths, limits and defaults") {
    SECTION("a wrong type names its path and the types") {
        const auto doc = warden::read_snapshot_document(
            R"({"now": 0, "jobs": [{"id": 1, "name": "a", "status": "queued"},
                                   {"id": 2, "name": "b", "status": "queued", "version": "3"}]})");
        REQUIRE(doc.errors.size() == 1);
        CHECK(doc.errors[0].field == "jobs[1].version");
        CHECK(doc.errors[0].message == "expected an integer, got a string");
        CHECK(doc.errors[0].job == warden::job_id{2});
    }
    SECTION("depth is bounded by the limit, not by the stack") {
        warden::json_read_options opts;
        opts.limits.max_depth = 3;
        const auto deep = warden::read_snapshot_document(R"({"now": 0, "a": [[[1]]]})", opts);
        REQUIRE(deep.errors.size() == 1);
        CHECK(deep.errors[0].field == "a[0][0]");
        CHECK(deep.errors[0].message == "nested deeper than 3 levels");
        CHECK(warden::read_snapshot_document(R"({"now": 0, "a": [[1]]})", opts).ok());
    }
    SECTION("size is bounded") {
        warden::json_read_options opts;
        opts.limits.max_bytes = 10;
        const auto doc = warden::read_snapshot_document(R"({"now": 1000})", opts);
        REQUIRE(doc.errors.size() == 1);
        CHECK(doc.errors[0].field == "$");
    }
    SECTION("warnings are capped and counted") {
        warden::json_read_options opts;
        opts.limits.max_warnings = 2;
        const auto doc =
            warden::read_snapshot_document(R"({"now": 0, "a": 1, "b": 2, "c": 3})", opts);
        CHECK(doc.ok());
        CHECK(doc.warnings ==
              std::vector<std::string>{"a: unknown key, ignored", "b: unknown key, ignored"});
        CHECK(doc.warnings_dropped == 1);
    }
    SECTION("an empty document takes the engine's defaults") {
        const auto doc = warden::read_snapshot_document(R"({"now": "2026-02-03T12:00:00+01:00"})");
        REQUIRE(doc.ok());
        CHECK(doc.snapshot.now == warden::utc(2026, 2, 3, 11, 0));
        CHECK(doc.config.daily_start_cap == warden::config{}.daily_start_cap);
        CHECK(doc.config.stall_after == warden::config{}.stall_after);
        CHECK_FALSE(doc.snapshot.host.sentinel_present);
    }
    SECTION("--now overrides the document and stands in for a missing now") {
        warden::json_read_options opts;
        opts.now = warden::utc(2026, 1, 1);
        const auto doc = warden::read_snapshot_document(R"({"jobs": []})", opts);
        REQUIRE(doc.ok());
        CHECK(doc.snapshot.now == warden::utc(2026, 1, 1));
        const auto missing = warden::read_snapshot_document(R"({"jobs": []})");
        REQUIRE(missing.errors.size() == 1);
        CHECK(missing.errors[0].field == "now");
    }
    SECTION("host-defined failure classes travel as host_<n>") {
        const auto doc = warden::read_snapshot_document(
            R"({"now": 0, "jobs": [{"id": 1, "name": "a", "status": "failed",
                                    "failure_class": "host_70"}]})");
        REQUIRE(doc.ok());
        CHECK(static_cast<int>(doc.snapshot.jobs[0].failure) == 70);
        const json out = warden::to_json(doc.snapshot, doc.config);
        CHECK(out["jobs"][0]["failure_class"] == "host_70");
        CHECK_FALSE(warden::read_snapshot_document(
                        R"({"now": 0, "jobs": [{"id": 1, "name": "a", "status": "failed",
                                                "failure_class": "host_63"}]})")
                        .ok());
    }
    SECTION("engine field names become document paths") {
        CHECK(warden::document_path("config.stall_after") == "config.stall_after_minutes");
        CHECK(warden::document_path("jobs[3].started_at") == "jobs[3].started_at");
    }
}

namespace {

// One job row with `options` as its tool_options (and `extra` keys), read back.
warden::snapshot_document read_row(const std::string& options, const std::string& extra = {}) {
    return warden::read_snapshot_document(
        R"({"now": "2026-02-03T12:00:00Z", "jobs": [{"id": 4, "name": "a", "status": "queued",
            "tool_options": )" +
        options + extra + "}]}");
}

} // namespace

TEST_CASE("read_snapshot_document: max_container_restarts may be a string (issue #8)") {
    auto restarts = [](const std::string& value) {
        const auto doc = read_row(R"({"max_container_restarts": )" + value + "}");
        for (const auto& e : doc.errors)
            UNSCOPED_INFO(e.field << ": " << e.message);
        REQUIRE(doc.ok());
        return doc.snapshot.jobs[0].options.max_container_restarts;
    };
    CHECK(restarts(R"("12")") == 12);
    CHECK(restarts(R"("+7")") == 7);
    CHECK(restarts(R"("-3")") == -3);
    CHECK(restarts(R"("2147483647")") == 2147483647);
    CHECK(restarts(R"("-2147483648")") == -2147483647 - 1);
    CHECK(restarts(R"("0012")") == 12);
    // Any other string counts as 0.
    for (const char* other : {R"("abc")", R"("")", R"(" 12")", R"("12 ")", R"("12.0")", R"("0x10")",
                              R"("-")", R"("+")", R"("1e3")", R"("\u0000")"}) {
        INFO(other);
        CHECK(restarts(other) == 0);
    }
    SECTION("a decimal string out of range is an error, as a number is") {
        for (const char* big :
             {R"("2147483648")", R"("-2147483649")", R"("99999999999999999999999999")"}) {
            const auto doc = read_row(std::string{R"({"max_container_restarts": )"} + big + "}");
            REQUIRE(doc.errors.size() == 1);
            CHECK(doc.errors[0].field == "jobs[0].tool_options.max_container_restarts");
            CHECK(doc.errors[0].message == "out of range [-2147483648, 2147483647]");
        }
    }
    SECTION("every other malformed value stays an error naming the field") {
        for (const auto& [value, message] : std::vector<std::pair<std::string, std::string>>{
                 {"true", "expected an integer, got a boolean"},
                 {"null", "expected an integer, got null"},
                 {"[1]", "expected an integer, got an array"},
                 {"1.5", "expected an integer, got a number"}}) {
            const auto doc = read_row(R"({"max_container_restarts": )" + value + "}");
            REQUIRE(doc.errors.size() == 1);
            CHECK(doc.errors[0].field == "jobs[0].tool_options.max_container_restarts");
            CHECK(doc.errors[0].message == message);
            CHECK(doc.errors[0].job == warden::job_id{4});
        }
        const auto other = read_row(R"({"error_threshold_http": "12"})");
        REQUIRE(other.errors.size() == 1);
        CHECK(other.errors[0].field == "jobs[0].tool_options.error_threshold_http");
    }
    SECTION("only in a job row: config.annual_minimums takes integers") {
        const auto doc = warden::read_snapshot_document(
            R"({"now": 0, "config": {"annual_minimums": {"max_container_restarts": "12"}}})");
        REQUIRE(doc.errors.size() == 1);
        CHECK(doc.errors[0].field == "config.annual_minimums.max_container_restarts");
    }
}

TEST_CASE("read_snapshot_document: recovery options and created_at (issue #8)") {
    SECTION("absent and null are missing; values are read") {
        const auto absent = read_row("{}");
        REQUIRE(absent.ok());
        const warden::job& a = absent.snapshot.jobs[0];
        CHECK_FALSE(a.options.monitoring.has_value());
        CHECK_FALSE(a.options.adaptive_restart.has_value());
        CHECK_FALSE(a.options.stall_timeout_minutes.has_value());
        CHECK_FALSE(a.created_at.has_value());
        const auto nulls = read_row(
            R"({"monitoring": null, "adaptive_restart": null, "stall_timeout_minutes": null})",
            R"(, "created_at": null)");
        REQUIRE(nulls.ok());
        CHECK(nulls.snapshot.jobs[0] == a);
        const auto set = read_row(
            R"({"monitoring": false, "adaptive_restart": true, "stall_timeout_minutes": 30})",
            R"(, "created_at": "2026-01-01T06:00:00+01:00")");
        REQUIRE(set.ok());
        const warden::job& j = set.snapshot.jobs[0];
        CHECK(j.options.monitoring == false);
        CHECK(j.options.adaptive_restart == true);
        CHECK(j.options.stall_timeout_minutes == 30);
        CHECK(j.created_at == warden::utc(2026, 1, 1, 5, 0));
    }
    SECTION("wrong types are errors naming the field") {
        const auto doc = read_row(
            R"({"monitoring": "yes", "adaptive_restart": 1, "stall_timeout_minutes": "60"})",
            R"(, "created_at": "yesterday")");
        REQUIRE(doc.errors.size() == 4);
        CHECK(doc.errors[0].field == "jobs[0].tool_options.monitoring");
        CHECK(doc.errors[0].message == "expected a boolean, got a string");
        CHECK(doc.errors[1].field == "jobs[0].tool_options.adaptive_restart");
        CHECK(doc.errors[2].field == "jobs[0].tool_options.stall_timeout_minutes");
        CHECK(doc.errors[2].message == "expected an integer, got a string");
        CHECK(doc.errors[3].field == "jobs[0].created_at");
        CHECK(doc.errors[3].message == "not an RFC 3339 time");
    }
    SECTION("created_at after now is a validation error naming the field") {
        const auto doc = read_row("{}", R"(, "created_at": "2026-02-03T12:00:01Z")");
        REQUIRE(doc.ok());
        const warden::plan p = warden::decide(doc.snapshot, doc.config);
        REQUIRE(p.errors.size() == 1);
        CHECK(warden::to_json(p.errors[0])["path"] == "jobs[0].created_at");
    }
    SECTION("the new config keys are read and written") {
        const auto doc = warden::read_snapshot_document(
            R"({"now": 0, "config": {"recovery_min_restarts_non_annual": 8,
                                     "annual_stall_timeout_minutes": 45}})");
        REQUIRE(doc.ok());
        CHECK(doc.config.recovery_min_restarts_non_annual == 8);
        CHECK(doc.config.annual_stall_timeout_minutes == 45);
        const json out = warden::to_json(doc.snapshot, doc.config);
        CHECK(out["config"]["recovery_min_restarts_non_annual"] == 8);
        CHECK(out["config"]["annual_stall_timeout_minutes"] == 45);
        CHECK_FALSE(out["config"]["annual_minimums"].contains("monitoring"));
    }
    SECTION("round trip: null for missing, values kept") {
        const auto doc = read_row(R"({"max_container_restarts": "abc", "monitoring": true})",
                                  R"(, "created_at": "2026-01-01T00:00:00Z")");
        REQUIRE(doc.ok());
        const json out = warden::to_json(doc.snapshot, doc.config);
        const json& row = out["jobs"][0];
        CHECK(row["created_at"] == "2026-01-01T00:00:00Z");
        CHECK(row["tool_options"]["max_container_restarts"] == 0);
        CHECK(row["tool_options"]["monitoring"] == true);
        CHECK(row["tool_options"]["adaptive_restart"].is_null());
        CHECK(row["tool_options"]["stall_timeout_minutes"].is_null());
        const auto again = read_ok(out.dump());
        CHECK(again.snapshot.jobs == doc.snapshot.jobs);
    }
}

TEST_CASE("plan JSON: set_tool_options shows the recovery options, null when missing") {
    const auto doc = warden::read_snapshot_document(
        R"({"now": "2026-02-03T12:00:00Z", "host": {"sentinel": true},
            "jobs": [{"id": 5, "name": "adhoc", "status": "running", "output_dir": "/srv/a",
                      "started_at": "2026-02-03T06:00:00Z",
                      "last_progress_at": "2026-02-03T10:00:00Z", "version": 2,
                      "tool_options": {"max_container_restarts": "abc", "monitoring": false}}],
            "locks": [{"job_id": 5}]})");
    REQUIRE(doc.ok());
    const json out = warden::to_json(warden::decide(doc.snapshot, doc.config));
    const json* options = nullptr;
    for (const json& a : out["actions"])
        if (a["kind"] == "set_tool_options") options = &a;
    REQUIRE(options != nullptr);
    CHECK((*options)["expected_version"] == 3);
    CHECK((*options)["before"] == json::parse(R"({"max_container_restarts": 0,
        "error_threshold_timeout": 0, "error_threshold_http": 0, "backoff_delay_minutes": 0,
        "page_cap": null, "monitoring": false, "adaptive_restart": null,
        "stall_timeout_minutes": null, "docker_shm_size": null, "skip_final_build": null, "initial_workers": null})"));
    CHECK((*options)["after"] == json::parse(R"({"max_container_restarts": 6,
        "error_threshold_timeout": 0, "error_threshold_http": 0, "backoff_delay_minutes": 0,
        "page_cap": null, "monitoring": true, "adaptive_restart": true,
        "stall_timeout_minutes": null, "docker_shm_size": null, "skip_final_build": null, "initial_workers": null})"));
}

// Issue #14: a row type known only by its struct and its field list reads and writes through the
// same generic machinery as a job: keys in list order, nested tool options, required keys and
// every member type, a host-defined failure class included.
TEST_CASE("field lists: a test-only row type round-trips through the generic JSON reader and "
          "writer") {
    const wt::field_list_row row = wt::full_field_list_row();
    const json written = warden::detail::fields_json(row, true);
    std::vector<std::string> keys;
    for (const auto& [key, value] : written.items())
        keys.push_back(key);
    CHECK(keys == std::vector<std::string>{"id", "label", "status", "seen_at", "count", "total",
                                           "flag", "maybe", "failure_class", "note",
                                           "tool_options"});
    CHECK(written["failure_class"] == "host_200");
    CHECK(written["tool_options"]["monitoring"] == true);
    CHECK(written["tool_options"]["adaptive_restart"].is_null());

    const warden::json_limits limits; // the reader keeps a reference
    warden::snapshot_document doc;
    warden::detail::document_reader reader(doc, limits);
    wt::field_list_row back;
    reader.object_fields(written, "row", back, true);
    CHECK(doc.errors.empty());
    CHECK(doc.warnings.empty());
    CHECK(back == row);

    // The list's flags hold on the way in: required keys, unknown keys, wrong types by path.
    warden::snapshot_document bad;
    warden::detail::document_reader strict(bad, limits);
    wt::field_list_row partial;
    strict.object_fields(json::parse(R"({"count": "x", "extra": 1, "label": null})"), "row",
                         partial, true);
    REQUIRE(bad.errors.size() == 3);
    CHECK(bad.errors[0].field == "row.count");
    CHECK(bad.errors[0].message == "expected an integer, got a string");
    CHECK(bad.errors[1].field == "row.label");
    CHECK(bad.errors[1].message == "expected a string, got null");
    CHECK(bad.errors[2].field == "row.id");
    CHECK(bad.errors[2].message == "required");
    REQUIRE(bad.warnings.size() == 1);
    CHECK(bad.warnings[0] == "row.extra: unknown key, ignored");
}

// Issue 15, item 9: formats.md says `2.0` is a wrong type; it was reported "out of range".
TEST_CASE("read_snapshot_document: an integral float is a wrong type, a literal beyond 64 bits "
          "out of range") {
    auto message = [](const std::string& value) {
        const auto doc = read_row("{}", R"(, "retry_count": )" + value);
        REQUIRE(doc.errors.size() == 1);
        CHECK(doc.errors[0].field == "jobs[0].retry_count");
        return doc.errors[0].message;
    };
    for (const char* number : {"2.0", "1.0", "3e9", "-0.0", "1e18"}) {
        INFO(number);
        CHECK(message(number) == "expected an integer, got a number");
    }
    for (const char* big : {"3000000000", "99999999999999999999", "-9223372036854775809",
                            "18446744073709551616", "-99999999999999999999"}) {
        INFO(big);
        CHECK(message(big) == "out of range [-2147483648, 2147483647]");
    }
}

TEST_CASE("classes: recovery options and minimums round-trip (issue 21 item 1)") {
    const auto doc = warden::read_snapshot_document(R"({"now": 0, "config": {"classes": [
        {"name": "annual", "campaign_kind": "annual"},
        {"name": "monthly", "name_pattern": "*-monthly*",
         "minimums": {"max_container_restarts": 10, "error_threshold_timeout": 40,
                      "error_threshold_http": 40, "backoff_delay_minutes": 1},
         "recovery_min_restarts": 12, "stall_timeout_minutes": 30}]}})");
    REQUIRE(doc.ok());
    REQUIRE(doc.config.classes.size() == 2);
    const warden::class_spec& monthly = doc.config.classes[1];
    REQUIRE(monthly.minimums.has_value());
    CHECK(*monthly.minimums == warden::tool_options{10, 40, 40, 1, std::nullopt});
    CHECK(monthly.recovery_min_restarts == 12);
    CHECK(monthly.stall_timeout_minutes == 30);
    CHECK_FALSE(doc.config.classes[0].minimums.has_value());
    const json out = warden::to_json(doc.snapshot, doc.config);
    const json& k = out["config"]["classes"][1];
    CHECK(k["minimums"]["error_threshold_timeout"] == 40);
    CHECK(k["minimums"]["page_cap"].is_null());
    CHECK_FALSE(k["minimums"].contains("monitoring")); // the B4 fields only, as annual_minimums
    CHECK(k["recovery_min_restarts"] == 12);
    CHECK(k["stall_timeout_minutes"] == 30);
    CHECK(out["config"]["classes"][0]["minimums"].is_null());
    const auto again = warden::read_snapshot_document(out.dump());
    REQUIRE(again.ok());
    CHECK(again.config.classes == doc.config.classes);
    SECTION("a wrong type is a reader error naming the field") {
        const auto bad = warden::read_snapshot_document(R"({"now": 0, "config": {"classes": [
            {"name": "m", "minimums": {"error_threshold_timeout": "x"}}]}})");
        REQUIRE(bad.errors.size() == 1);
        CHECK(bad.errors[0].field == "config.classes[0].minimums.error_threshold_timeout");
    }
    SECTION("a bad value is refused by decide, naming the field") {
        const auto bad = warden::read_snapshot_document(R"({"now": 0, "config": {"classes": [
            {"name": "n", "minimums": {"page_cap": 5}, "stall_timeout_minutes": 0}]}})");
        REQUIRE(bad.ok());
        const auto p = warden::decide(bad.snapshot, bad.config);
        REQUIRE(p.errors.size() == 2);
        CHECK(p.errors[0].field == "config.classes[0].minimums.page_cap");
        CHECK(p.errors[1].field == "config.classes[0].stall_timeout_minutes");
    }
}
