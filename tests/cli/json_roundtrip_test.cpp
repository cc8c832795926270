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
