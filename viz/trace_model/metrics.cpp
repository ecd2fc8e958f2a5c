#include "trace_model/metrics.hpp"

#include <algorithm>
#include <cmath>

namespace faultlab::viz {

namespace {
float percentile(std::vector<float>& v, double p) {
  if (v.empty()) return 0.f;
  const auto k = static_cast<std::size_t>(std::floor(p * static_cast<double>(v.size() - 1)));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}
} // namespace

Metrics compute_metrics(const Trace& trace, int bucket_count) {
  Metrics m;
  const int n = std::max(1, bucket_count);
  const double end_s = std::max(trace.t_end_s(), 1e-9);
  m.bucket_s = end_s / n;
  std::vector<std::vector<float>> latencies(static_cast<std::size_t>(n));
  std::vector<int> errors(static_cast<std::size_t>(n), 0);
  for (const Op& op : trace.ops) {
    if (op.is_final || op.outcome == Outcome::pending) continue;
    auto b = static_cast<std::size_t>(std::clamp(static_cast<int>(op.t_complete_s / m.bucket_s), 0, n - 1));
    latencies[b].push_back(static_cast<float>((op.t_complete_s - op.t_invoke_s) * 1000.0));
    if (op.outcome != Outcome::ok) ++errors[b];
  }
  for (std::size_t b = 0; b < latencies.size(); ++b) {
    auto& v = latencies[b];
    const auto count = static_cast<float>(v.size());
    m.throughput_per_s.push_back(count / static_cast<float>(m.bucket_s));
    m.error_rate.push_back(v.empty() ? 0.f : static_cast<float>(errors[b]) / count);
    m.latency_p50_ms.push_back(percentile(v, 0.50));
    m.latency_p99_ms.push_back(percentile(v, 0.99));
    m.latency_max_ms.push_back(v.empty() ? 0.f : *std::max_element(v.begin(), v.end()));
    m.max_throughput = std::max(m.max_throughput, m.throughput_per_s.back());
    m.max_latency_ms = std::max(m.max_latency_ms, m.latency_max_ms.back());
  }
  return m;
}

} // namespace faultlab::viz
