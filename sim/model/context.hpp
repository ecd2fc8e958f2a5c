// What every model component shares during one run: the network it talks
// through, the recorder of client observations, the trace, and the seed from
// which each component derives its own random stream.
#pragma once

#include "engine/faults.hpp"
#include "engine/network.hpp"
#include "history/recorder.hpp"
#include "scenario/config.hpp"

namespace faultlab::model {

struct Context {
  const scenario::Scenario& scenario;
  engine::Network& network;
  engine::NodeHooks& hooks;
  history::Recorder& recorder;
  history::TraceWriter* trace;
  std::uint64_t seed;
  std::int64_t next_value = 1; // every write writes a value never written before

  util::Rng rng(const std::string& stream) const { return util::Rng::stream(seed, stream); }
};

} // namespace faultlab::model
