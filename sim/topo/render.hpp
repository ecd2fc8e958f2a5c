// Reports on a DependencyGraph: the text a design review reads, and a
// Graphviz picture of the same graph. Both are deterministic (design order,
// then name order), so they can be compared as golden text.
#pragma once

#include <string>

#include "topo/analysis.hpp"

namespace faultlab::topo {

// "Single points of failure:" with, for each, the endpoints it takes down
// and the chain of hard needs from each endpoint to it ("none" when there
// are none), then the structural articulation points.
std::string render_text(const DependencyGraph& graph);

// What each side of a partition can still serve, and what is up on more
// than one side.
std::string render_partition_text(const PartitionResult& result);

// A `digraph`: nodes as boxes, components as ellipses filled by type,
// endpoints as diamonds; hard needs solid, fallbacks dashed and labelled
// "fallback"; single points of failure filled red. Vertex ids are
// "<kind>:<name>", so a node and a component may share a name.
std::string render_dot(const DependencyGraph& graph);

} // namespace faultlab::topo
