#include "trace_model/metrics.hpp"

#include <algorithm>
#include <cmath>

namespace faultlab::viz {

namespace {
// The bucket (0..n-1) that time t_s falls in. Clamped as a double before the
// conversion: a time far outside the trace (a hand-edited -1e300, or a
// 1e400 that reads as infinity) would not fit in an integer, and converting
// it would be undefined behaviour.
std::size_t bucket_of(double t_s, double bucket_s, std::size_t n) {
  const double b = std::floor(t_s / bucket_s);
  if (!(b > 0)) return 0; // before the start, or NaN (infinity / infinity)
  if (b >= static_cast<double>(n - 1)) return n - 1;
  return static_cast<std::size_t>(b);
}

float percentile(std::vector<float>& v, double p) {
  if (v.empty()) return 0.f;
  const auto k = static_cast<std::size_t>(std::floor(p * static_cast<double>(v.size() - 1)));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

void compute_database_series(const Trace& trace, Metrics& m) {
  const auto n = m.throughput_per_s.size();
  for (const DatabaseLevels& d : trace.levels) {
    DatabaseSeries s;
    s.component = d.component;
    std::vector<LevelSample> per(n);
    std::vector<bool> has(n, false);
    for (const LevelSample& x : d.samples) {
      const std::size_t b = bucket_of(x.t_s, m.bucket_s, n);
      LevelSample& p = per[b];
      if (!has[b]) {
        p = x;
        has[b] = true;
      }
      p.disk_used = std::max(p.disk_used, x.disk_used);
      p.memory_used = std::max(p.memory_used, x.memory_used);
      p.connections = std::max(p.connections, x.connections);
      p.running = std::max(p.running, x.running);
      p.lock_waiting = std::max(p.lock_waiting, x.lock_waiting);
      s.disk_size = std::max(s.disk_size, x.disk_size);
      s.memory_size = std::max(s.memory_size, x.memory_size);
    }
    LevelSample last;
    for (std::size_t b = 0; b < n; ++b) {
      if (has[b]) last = per[b];
      s.disk_used.push_back(static_cast<float>(last.disk_used));
      s.memory_used.push_back(static_cast<float>(last.memory_used));
      s.connections.push_back(static_cast<float>(last.connections));
      s.running.push_back(static_cast<float>(last.running));
      s.lock_waiting.push_back(static_cast<float>(last.lock_waiting));
      s.max_disk_used = std::max(s.max_disk_used, s.disk_used.back());
      s.max_memory_used = std::max(s.max_memory_used, s.memory_used.back());
      s.max_connections = std::max(s.max_connections, s.connections.back());
      s.max_lock_waiting = std::max(s.max_lock_waiting, s.lock_waiting.back());
    }
    m.databases.push_back(std::move(s));
  }
  for (const PoolWait& w : trace.pool_waits) {
    auto it = std::find_if(m.pools.begin(), m.pools.end(),
                           [&](const PoolSeries& p) { return p.service == w.service && p.pool == w.pool; });
    if (it == m.pools.end()) {
      PoolSeries p;
      p.service = w.service;
      p.pool = w.pool;
      p.waits_per_s.assign(n, 0.f);
      p.timeouts_per_s.assign(n, 0.f);
      m.pools.push_back(std::move(p));
      it = m.pools.end() - 1;
    }
    const std::size_t b = bucket_of(w.t_s, m.bucket_s, n);
    const auto per_s = static_cast<float>(1.0 / m.bucket_s);
    (w.timeout ? it->timeouts_per_s : it->waits_per_s)[b] += per_s;
    ++(w.timeout ? it->timeouts : it->waits);
    it->size = std::max(it->size, w.size);
  }
  for (PoolSeries& p : m.pools)
    for (std::size_t b = 0; b < n; ++b)
      p.max_per_s = std::max({p.max_per_s, p.waits_per_s[b], p.timeouts_per_s[b]});
  std::sort(m.pools.begin(), m.pools.end(), [](const PoolSeries& a, const PoolSeries& b) {
    return a.service != b.service ? a.service < b.service : a.pool < b.pool;
  });
}

void compute_scaling_plots(const Trace& trace, Metrics& m) {
  const auto n = m.throughput_per_s.size();
  for (const ScalingSeries& series : trace.scaling) {
    ScalingPlot p;
    p.component = series.component;
    p.service = series.service;
    auto next = series.samples.begin();
    ScalingSample last;
    bool any = false;
    for (std::size_t b = 0; b < n; ++b) {
      const double bucket_end = m.bucket_s * static_cast<double>(b + 1);
      for (; next != series.samples.end() && (next->t_s < bucket_end || b + 1 == n); ++next) {
        last = *next;
        any = true;
      }
      p.serving.push_back(any ? static_cast<float>(last.instances) : 0.f);
      p.provisioning.push_back(any ? static_cast<float>(last.instances + last.provisioning) : 0.f);
      p.desired.push_back(any ? static_cast<float>(last.desired) : 0.f);
      p.max_instances = std::max({p.max_instances, p.provisioning.back(), p.desired.back()});
    }
    m.scaling.push_back(std::move(p));
  }
}

// One series' value per bucket: its largest sample in the bucket, or its
// last one before (0 before its first).
std::vector<float> held_per_bucket(const LagSeries& series, double bucket_s, std::size_t n, double scale) {
  std::vector<float> out;
  auto next = series.samples.begin();
  float last = 0.f;
  for (std::size_t b = 0; b < n; ++b) {
    const double bucket_end = bucket_s * static_cast<double>(b + 1);
    bool any = false;
    float most = 0.f;
    for (; next != series.samples.end() && (next->t_s < bucket_end || b + 1 == n); ++next) {
      const auto value = static_cast<float>(next->value * scale);
      most = any ? std::max(most, value) : value;
      last = value;
      any = true;
    }
    out.push_back(any ? most : last);
  }
  return out;
}

// Per component and group (a loop's instances together): per bucket, the
// largest of its series' values.
void compute_lag_plots(const std::vector<LagSeries>& all, bool loop, Metrics& m) {
  const auto n = m.throughput_per_s.size();
  const std::size_t first = m.lags.size();
  const double scale = loop ? 1000.0 : 1.0; // a loop's lag in ms
  for (const LagSeries& series : all) {
    auto it = std::find_if(m.lags.begin() + static_cast<std::ptrdiff_t>(first), m.lags.end(), [&](const LagPlot& p) {
      return p.component == series.component && p.group == series.group;
    });
    if (it == m.lags.end()) {
      LagPlot p;
      p.component = series.component;
      p.group = series.group;
      p.loop = loop;
      p.values.assign(n, 0.f);
      m.lags.push_back(std::move(p));
      it = m.lags.end() - 1;
    }
    const std::vector<float> values = held_per_bucket(series, m.bucket_s, n, scale);
    for (std::size_t b = 0; b < n; ++b) {
      it->values[b] = std::max(it->values[b], values[b]);
      it->max = std::max(it->max, it->values[b]);
    }
  }
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
    const std::size_t b = bucket_of(op.t_complete_s, m.bucket_s, static_cast<std::size_t>(n));
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
  compute_database_series(trace, m);
  compute_scaling_plots(trace, m);
  compute_lag_plots(trace.loop_lags, true, m);
  compute_lag_plots(trace.queue_lags, false, m);
  return m;
}

} // namespace faultlab::viz
