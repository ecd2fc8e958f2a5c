// The fault schedule: an ordinary SimGrid actor that sleeps until each fault
// of the scenario's timeline is due and applies it, as SimGrid's own
// examples do with a "link killer". Network faults (partitions, drops,
// delays) go to the network layer; node faults use SimGrid directly: a crash
// turns the host off (killing its actors), a pause suspends its actors.
// What a node keeps across a crash is the model's decision, so restarts call
// back into the model through NodeHooks.
#pragma once

#include "engine/network.hpp"
#include "history/trace_writer.hpp"
#include "scenario/config.hpp"

#include <functional>
#include <map>
#include <vector>

namespace faultlab::engine {

struct NodeHooks {
  // Per node: called after the host is turned back on, to start the node's
  // actors again from the state that survived the crash.
  std::vector<std::vector<std::function<void()>>> on_restart;
  // Per node: called when the node crashes, to throw away volatile state.
  std::vector<std::vector<std::function<void()>>> on_crash;
};

// Starts the fault schedule actor (a daemon: it never keeps a run alive).
void start_fault_schedule(const std::vector<scenario::Fault>& faults, Network& network, NodeHooks& hooks,
                          history::TraceWriter* trace);

} // namespace faultlab::engine
