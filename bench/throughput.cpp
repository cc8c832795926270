// decide throughput against the linear scan and the hand-written engine, and the latency of one
// small tick. Sizes come from --sizes=100,1000,... (bench/run passes them); results go through
// Google Benchmark's own reporters (bench/run asks for JSON).
#include <warden/warden.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "generator.hpp"
#include "handwritten.hpp"
#include "scan.hpp"

namespace {

constexpr std::uint64_t seed = 20260203;

const warden_bench::generated& cached(std::size_t n, warden_bench::profile p) {
    static std::map<std::pair<std::size_t, int>, warden_bench::generated> cache;
    const auto key = std::pair{n, static_cast<int>(p)};
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(key, warden_bench::make_snapshot(n, seed, p)).first;
    return it->second;
}

void per_job(benchmark::State& state, std::size_t n) {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(n));
    state.counters["jobs"] = static_cast<double>(n);
}

void bm_decide(benchmark::State& state, std::size_t n, warden_bench::profile p) {
    const auto& g = cached(n, p);
    for (auto _ : state) {
        warden::plan out = warden::decide(g.snapshot, g.config);
        benchmark::DoNotOptimize(out);
    }
    per_job(state, n);
}

void bm_scan(benchmark::State& state, std::size_t n) {
    const auto& g = cached(n, warden_bench::profile::realistic);
    for (auto _ : state) {
        std::uint64_t sum = warden_bench::scan(g.snapshot);
        benchmark::DoNotOptimize(sum);
    }
    per_job(state, n);
}

void bm_handwritten(benchmark::State& state, std::size_t n, warden_bench::profile p) {
    const auto& g = cached(n, p);
    const handwritten::engine engine;
    for (auto _ : state) {
        warden::plan out = engine.decide(g.snapshot, g.config);
        benchmark::DoNotOptimize(out);
    }
    per_job(state, n);
}

// One tick of a 50-job campaign, each call timed alone so the tail is visible.
void bm_tick(benchmark::State& state) {
    const auto& g = cached(50, warden_bench::profile::campaign);
    std::vector<double> samples;
    samples.reserve(1 << 16);
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        warden::plan out = warden::decide(g.snapshot, g.config);
        benchmark::DoNotOptimize(out);
        const auto t1 = std::chrono::steady_clock::now();
        if (samples.size() < samples.capacity())
            samples.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
    }
    std::sort(samples.begin(), samples.end());
    auto at = [&](double q) {
        return samples[std::min(samples.size() - 1,
                                static_cast<std::size_t>(q * static_cast<double>(samples.size())))];
    };
    state.counters["p50_ns"] = at(0.50);
    state.counters["p99_ns"] = at(0.99);
    state.counters["samples"] = static_cast<double>(samples.size());
}

std::vector<std::size_t> parse_sizes(int& argc, char** argv) {
    std::vector<std::size_t> sizes{100, 1000, 10000, 100000, 1000000};
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--sizes=", 8) == 0) {
            sizes.clear();
            for (const char* p = argv[i] + 8; *p;) {
                char* end = nullptr;
                sizes.push_back(std::strtoull(p, &end, 10));
                p = *end == ',' ? end + 1 : end;
            }
        } else {
            argv[kept++] = argv[i];
        }
    }
    argc = kept;
    return sizes;
}

} // namespace

int main(int argc, char** argv) {
    for (const std::size_t n : parse_sizes(argc, argv)) {
        // Appended, not `"/" + std::to_string(n)`: g++ 12 at -O3 reports a false -Wrestrict on
        // that operator+ once main registers this many benchmarks.
        std::string tag = "/";
        tag += std::to_string(n);
        benchmark::RegisterBenchmark(("decide" + tag).c_str(), bm_decide, n,
                                     warden_bench::profile::realistic);
        benchmark::RegisterBenchmark(("decide_fill" + tag).c_str(), bm_decide, n,
                                     warden_bench::profile::filling);
        benchmark::RegisterBenchmark(("scan" + tag).c_str(), bm_scan, n);
        benchmark::RegisterBenchmark(("handwritten" + tag).c_str(), bm_handwritten, n,
                                     warden_bench::profile::realistic);
        // Issue #22: the host's configuration on (classes with floors, minimums, backoff and
        // deadlines; concurrency limits), both engines on the same snapshots.
        benchmark::RegisterBenchmark(("decide_config" + tag).c_str(), bm_decide, n,
                                     warden_bench::profile::configured);
        benchmark::RegisterBenchmark(("handwritten_config" + tag).c_str(), bm_handwritten, n,
                                     warden_bench::profile::configured);
    }
    benchmark::RegisterBenchmark("tick/50", bm_tick);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
