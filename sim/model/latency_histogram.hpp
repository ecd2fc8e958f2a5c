// Request durations counted the way a Prometheus histogram counts them: one
// counter per bucket (an upper bound in seconds, the last one open-ended),
// only ever growing. Whoever scrapes it takes the difference between two
// scrapes (the requests in between) and estimates a quantile from those
// counts as histogram_quantile() does: find the bucket that holds the rank,
// then interpolate linearly inside it. The estimate is only as fine as the
// buckets, which is also true of the dashboards and autoscalers that read
// real services this way.
#pragma once

#include <cstdint>
#include <vector>

namespace faultlab::model {

struct LatencyHistogram {
  // Upper bounds of the finite buckets, in seconds; one more bucket holds
  // everything slower than the last bound.
  static const std::vector<double>& bounds() {
    static const std::vector<double> b{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                       0.5,   1,      2.5,   5,    10,    30,    60};
    return b;
  }

  std::vector<std::uint64_t> counts = std::vector<std::uint64_t>(bounds().size() + 1, 0); // per bucket

  void observe(double seconds) {
    std::size_t i = 0;
    while (i < bounds().size() && seconds > bounds()[i]) ++i;
    ++counts[i];
  }
};

// The requests counted in `now` but not in `before` (two scrapes of one
// histogram), bucket by bucket. A counter that went down was restarted (a
// new process starts at zero): then all of `now` is new.
inline std::vector<std::uint64_t> since(const std::vector<std::uint64_t>& before,
                                        const std::vector<std::uint64_t>& now) {
  std::vector<std::uint64_t> out(now.size(), 0);
  bool restarted = before.size() != now.size();
  for (std::size_t i = 0; !restarted && i < now.size(); ++i) restarted = now[i] < before[i];
  for (std::size_t i = 0; i < now.size(); ++i) out[i] = restarted ? now[i] : now[i] - before[i];
  return out;
}

// The q-quantile (0 < q <= 1) of the requests in `counts` (per bucket), or
// -1 when there are none. A rank that falls in the open-ended bucket gives
// the last finite bound: all a histogram can say is "slower than that".
inline double bucket_quantile(double q, const std::vector<std::uint64_t>& counts) {
  const auto& bounds = LatencyHistogram::bounds();
  std::uint64_t total = 0;
  for (auto c : counts) total += c;
  if (total == 0) return -1;
  const double rank = q * static_cast<double>(total);
  std::uint64_t below = 0; // requests in the buckets before this one
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (static_cast<double>(below + counts[i]) >= rank && counts[i] > 0) {
      if (i >= bounds.size()) return bounds.back();
      const double lower = i == 0 ? 0.0 : bounds[i - 1];
      return lower + (bounds[i] - lower) * (rank - static_cast<double>(below)) / static_cast<double>(counts[i]);
    }
    below += counts[i];
  }
  return bounds.back();
}

} // namespace faultlab::model
