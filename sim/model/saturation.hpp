// What the saturation report measures during a run (analysis/saturation.hpp
// judges and prints it): the CPU work SimGrid's executions did, the bytes
// the network layer put on each link, and Level, the time-weighted count a
// model keeps of a resource it holds itself (a service's connections in
// use, the calls waiting for one).
#pragma once

#include "analysis/saturation.hpp"
#include "engine/network.hpp"
#include "scenario/config.hpp"

#include <simgrid/s4u.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace faultlab::model {

// A count that changes over simulated time: its mean over [0, end] (the
// area under it divided by the time) and its peak.
class Level {
public:
  void add(double now_s, std::int64_t delta) {
    area_ += static_cast<double>(level_) * (now_s - since_s_);
    since_s_ = now_s;
    level_ += delta;
    peak_ = std::max(peak_, level_);
  }
  double mean(double end_s) const {
    if (!(end_s > 0)) return 0;
    return (area_ + static_cast<double>(level_) * (end_s - since_s_)) / end_s;
  }
  std::int64_t now() const { return level_; }
  std::int64_t peak() const { return peak_; }

private:
  double area_ = 0, since_s_ = 0;
  std::int64_t level_ = 0, peak_ = 0;
};

// Starts counting the CPU work every host computes: each execution's flops
// when it finishes. Call before the engine runs. It only observes: a run is
// the same with it. Work that was cancelled (a statement timeout) or cut
// short by a crash is not counted, so a share is never too high.
void start_cpu_accounting();
// Each node's CPU (flops computed / flops its cores could compute in the
// run) and each link with traffic (bytes sent over it / its bandwidth x
// time), over [0, end_s].
void measure_platform(const scenario::Topology& topology, const std::vector<simgrid::s4u::Host*>& hosts,
                      const engine::Network& network, double end_s, std::vector<analysis::ResourceUse>& out);

} // namespace faultlab::model
