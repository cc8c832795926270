#pragma once
#include <cstdint>

namespace warden::sim {

// splitmix64: expands one u64 seed into well-mixed state words. Our own generator rather than
// <random> distributions, whose output differs between standard libraries: a seed must replay
// bit for bit with libstdc++ and libc++ alike.
[[nodiscard]] constexpr std::uint64_t splitmix64(std::uint64_t& x) noexcept {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// xoshiro256** (Blackman, Vigna), seeded through splitmix64.
class rng {
  public:
    constexpr explicit rng(std::uint64_t seed = 0) noexcept {
        for (auto& w : s_)
            w = splitmix64(seed);
    }

    constexpr std::uint64_t next() noexcept {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    // Uniform in [0, n); n == 0 gives 0. The modulo bias is below 2^-40 for the small n we use.
    constexpr std::uint64_t below(std::uint64_t n) noexcept { return n == 0 ? 0 : next() % n; }

    // Uniform in [lo, hi], both inclusive.
    constexpr std::int64_t between(std::int64_t lo, std::int64_t hi) noexcept {
        if (hi <= lo) return lo;
        return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
    }

    // True with probability p. IEEE doubles make this identical on every platform.
    constexpr bool chance(double p) noexcept {
        if (p <= 0.0) return false;
        return static_cast<double>(next() >> 11) * 0x1.0p-53 < p;
    }

  private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
        return (x << k) | (x >> (64 - k));
    }
    std::uint64_t s_[4]{};
};

// An independent stream for one purpose, derived from the run's seed: removing one fault from a
// scenario then perturbs only the streams that fault touches, which helps shrinking.
[[nodiscard]] constexpr rng stream(std::uint64_t seed, std::uint64_t purpose) noexcept {
    std::uint64_t x = seed ^ (purpose * 0xD1B54A32D192ED03ull);
    return rng{splitmix64(x)};
}

} // namespace warden::sim
