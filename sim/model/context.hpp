// What every model component shares during one run: the network it talks
// through, the recorder of client observations, the trace, and the seed from
// which each component derives its own random stream.
#pragma once

#include "engine/faults.hpp"
#include "engine/network.hpp"
#include "history/recorder.hpp"
#include "scenario/config.hpp"

#include <simgrid/s4u.hpp>

namespace faultlab::model {

struct Context {
  const scenario::Scenario& scenario;
  engine::Network& network;
  engine::NodeHooks& hooks;
  history::Recorder& recorder;
  history::TraceWriter* trace;
  std::uint64_t seed;
  std::int64_t next_value = 1; // every write writes a value never written before
  // Request actors alive (client workers, service requests), against
  // limits.max_in_flight, and how many requests were refused at the limit.
  std::int64_t request_actors = 0;
  std::int64_t refused_in_flight = 0;
  // Requests shed because a model's queue was full (limits.max_queue).
  std::int64_t shed_queue_full = 0;
  // Whether a queue holding `size` entries may take one more; counts a shed.
  bool queue_has_room(std::size_t size) {
    if (static_cast<std::int64_t>(size) < scenario.limits.max_queue) return true;
    ++shed_queue_full;
    return false;
  }
  bool may_start_request_actor() {
    if (request_actors < scenario.limits.max_in_flight) return true;
    ++refused_in_flight;
    return false;
  }

  util::Rng rng(const std::string& stream) const { return util::Rng::stream(seed, stream); }
};

// One draw from a delay distribution.
inline double draw(const scenario::Distribution& d, util::Rng& rng) {
  switch (d.kind) {
  case scenario::Distribution::Kind::fixed: return d.a_s;
  case scenario::Distribution::Kind::uniform: return rng.uniform(d.a_s, d.b_s);
  case scenario::Distribution::Kind::exponential: return rng.exponential(d.a_s);
  }
  return d.a_s;
}

// The CPU work of `seconds` on the calling actor's host at its nominal
// speed: a busy host shares its CPU, so requests queue up (SimGrid's CPU
// model, no queue of our own).
inline void compute(double seconds) {
  if (seconds <= 0) return;
  simgrid::s4u::this_actor::execute(seconds * simgrid::s4u::this_actor::get_host()->get_pstate_speed(0));
}

} // namespace faultlab::model
