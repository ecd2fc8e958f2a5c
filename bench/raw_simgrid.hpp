// Part 1 of faultlab-bench: SimGrid doing the bare minimum of what faultlab
// does for replica-lag, on the platform faultlab builds (two hosts, one 1 ms
// / 1 Gbps link, CM02): a server with a permanent receiver, and clients
// shaped like faultlab's (open-loop arrivals, an actor per request, pooled
// reply mailboxes, a timeout per reply), or one closed-loop client.
#pragma once

#include "bench_util.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace faultlab::bench {

struct RawOptions {
  std::int64_t requests = 100000;
  double rate_per_s = 2000;
  double timeout_s = 1.0;
  std::uint64_t message_bytes = 1024;
  double service_s = 0.0; // > 0: the server executes this much work per request
  double latency_s = 1e-3;
  double bandwidth_Bps = 125e6; // 1 Gbps
  std::uint64_t seed = 1;
  bool prime_malloc = true;
  bool closed_loop = false; // one client actor, one request at a time, no actor per request
  std::vector<std::string> extra_flags;
};

// Runs one raw part in this process (SimGrid allows one engine per process:
// call it in a child) and returns its numbers.
Json run_raw_simgrid(const RawOptions& options);

} // namespace faultlab::bench
