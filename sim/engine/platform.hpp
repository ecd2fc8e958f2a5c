// Builds the SimGrid platform for a scenario's topology: one host per node,
// and one link per pair of nodes whose latency comes from the topology (a
// default, zone-to-zone and pair overrides). A node talking to itself uses
// a loopback link.
#pragma once

#include "scenario/config.hpp"

#include <simgrid/s4u.hpp>

#include <vector>

namespace faultlab::engine {

constexpr double kLoopbackLatency_s = 10e-6;
constexpr const char* kControlHost = "faultlab-control";

// Hosts in the order of topology.nodes.
std::vector<simgrid::s4u::Host*> build_platform(const scenario::Topology& topology,
                                                const std::vector<scenario::Fault>& faults = {});

} // namespace faultlab::engine
