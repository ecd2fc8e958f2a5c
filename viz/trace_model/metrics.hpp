// Client-observed metrics over time, per bucket of simulated time: completed
// ops per second, error rate (fail + info), latency percentiles of completions.
// And, when the trace has databases, their sampled levels (disk, memory,
// connections, lock waiters) and the services' connection pool waits; and
// the instances each autoscaler had in service and on the way; event-loop
// and consumer-group lags.
#pragma once

#include "trace_model/trace.hpp"

#include <string>
#include <vector>

namespace faultlab::viz {

// A database's "level" samples per bucket: the highest sample in the bucket,
// or the last value before it when no sample fell in it (a level holds
// between samples). Sizes: the largest the trace gives, -1 when none.
struct DatabaseSeries {
  std::string component;
  std::vector<float> disk_used, memory_used; // bytes
  std::vector<float> connections, running, lock_waiting;
  double disk_size = -1.0, memory_size = -1.0;
  float max_disk_used = 0.f, max_memory_used = 0.f, max_connections = 0.f, max_lock_waiting = 0.f;
};

// One service's waits for a connection to one pool (database), per second.
struct PoolSeries {
  std::string service, pool;
  std::vector<float> waits_per_s, timeouts_per_s; // waits that got a connection / that timed out
  std::int64_t waits = 0, timeouts = 0;
  std::int64_t size = 0;     // the pool's size, as the events say
  float max_per_s = 0.f;
};

// An autoscaler's instances per bucket: in service and provisioning (the
// last count in the bucket, or the one before it), and what it wanted.
struct ScalingPlot {
  std::string component, service;
  std::vector<float> serving, provisioning, desired;
  float max_instances = 0.f;
};

// A lag per bucket: each series' largest sample in the bucket, or its last
// one before it; for a service, the largest of its instances. An event
// loop's lag in milliseconds, a consumer group's in messages.
struct LagPlot {
  std::string component, group; // group: "" for an event loop
  bool loop = true;
  std::vector<float> values;
  float max = 0.f;
};

struct Metrics {
  double bucket_s = 1.0;
  std::vector<float> throughput_per_s;
  std::vector<float> error_rate; // 0..1, (fail + info) / completed
  std::vector<float> latency_p50_ms, latency_p99_ms, latency_max_ms;
  float max_throughput = 0.f, max_latency_ms = 0.f;
  std::vector<DatabaseSeries> databases; // in the order the trace first samples them
  std::vector<PoolSeries> pools;         // by service, then pool
  std::vector<ScalingPlot> scaling;      // per autoscaler, in trace order
  std::vector<LagPlot> lags;             // event loops, then consumer groups, in trace order
};

// Buckets cover [0, end]; final reads are left out (they are not workload).
Metrics compute_metrics(const Trace& trace, int bucket_count);

} // namespace faultlab::viz
