// Seeded randomness, identical on every platform and standard library.
//
// std::uniform_real_distribution and friends are allowed to differ between
// library versions, which would break "same seed, same trace" across
// machines, so the few distributions the models need are written here.
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

namespace faultlab::util {

// splitmix64: tiny, fast, good enough for simulation workloads.
class Rng {
public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  // A stream derived from a seed and a name, so that adding a component does
  // not shift the random numbers every other component draws.
  static Rng stream(std::uint64_t seed, std::string_view name) {
    std::uint64_t h = 1469598103934665603ULL; // FNV-1a
    for (unsigned char c : name) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    return Rng(seed * 0x9E3779B97F4A7C15ULL ^ h);
  }

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n).
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
  bool chance(double p) { return uniform() < p; }
  double exponential(double mean) { return -mean * std::log1p(-uniform()); }

private:
  std::uint64_t state_;
};

// Zipf over ranks 0..n-1 with exponent s: rank 0 is the most popular.
// Sampling is a binary search over the precomputed CDF.
class Zipf {
public:
  Zipf(std::size_t n, double s) : cdf_(n) {
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      total += 1.0 / std::pow(static_cast<double>(i + 1), s);
      cdf_[i] = total;
    }
    for (double& c : cdf_) c /= total;
  }
  std::size_t sample(Rng& rng) const {
    double u = rng.uniform();
    std::size_t lo = 0, hi = cdf_.size() - 1;
    while (lo < hi) {
      std::size_t mid = (lo + hi) / 2;
      if (cdf_[mid] > u) hi = mid; else lo = mid + 1;
    }
    return lo;
  }

private:
  std::vector<double> cdf_;
};

} // namespace faultlab::util
