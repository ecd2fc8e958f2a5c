// Client-observed metrics over time, per bucket of simulated time: completed
// ops per second, error rate (fail + info), latency percentiles of completions.
#pragma once

#include "trace_model/trace.hpp"

#include <vector>

namespace faultlab::viz {

struct Metrics {
  double bucket_s = 1.0;
  std::vector<float> throughput_per_s;
  std::vector<float> error_rate; // 0..1, (fail + info) / completed
  std::vector<float> latency_p50_ms, latency_p99_ms, latency_max_ms;
  float max_throughput = 0.f, max_latency_ms = 0.f;
};

// Buckets cover [0, end]; final reads are left out (they are not workload).
Metrics compute_metrics(const Trace& trace, int bucket_count);

} // namespace faultlab::viz
