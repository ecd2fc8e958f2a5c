// The dependency graph of a design and what it tells a design review: what a
// failure takes down, which single failures take down an endpoint, and what
// each side of a partition can still serve.
//
// Edges point from the one who needs to the one needed: endpoint → the
// component serving it and its deps, component → its deps and its nodes.
// Whether something is up is decided by evaluating the graph in topological
// order (everything needed before whoever needs it), never by recursion.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "topo/design.hpp"

namespace faultlab::topo {

enum class Kind { node, component, endpoint };
const char* kind_name(Kind kind); // "node", "component", "endpoint"

// Why an edge exists. Member and serves edges are always hard: a component
// is judged over its members by its Needs rule, an endpoint needs its server.
enum class EdgeKind { member, serves, depends };

struct VertexInfo {
  Kind kind = Kind::node;
  std::string name;
  std::size_t index = 0; // position in the design's vector of that kind
};

struct EdgeInfo {
  EdgeKind kind = EdgeKind::depends;
  bool hard = true;
  std::string why; // the dependency's why; empty for member and serves edges
};

// vecS everywhere: vertices are numbered in design order (nodes, then
// components, then endpoints) and out-edges keep insertion order, so every
// traversal, and therefore every report, is deterministic.
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, VertexInfo, EdgeInfo>;
using Vertex = Graph::vertex_descriptor;

// The largest design accepted: single points of failure cost one evaluation
// of the whole graph per node and component.
constexpr std::size_t max_vertices = 10000;

struct VertexRef {
  Kind kind = Kind::node;
  std::string name;
};

// What is up after some failures, by name.
struct Status {
  std::map<std::string, bool> components;
  std::map<std::string, bool> endpoints;
};

// What went down, in cascade order (whatever is needed comes before whoever
// needs it; ties in design order).
struct Outage {
  std::vector<std::string> components;
  std::vector<std::string> endpoints;
};

// One step of a chain: the vertex reached, and the why of the dependency
// that led to it (empty for the first step, and for member/serves edges).
struct Hop {
  std::string name;
  std::string why;
};

struct Impact {
  std::string endpoint;   // an endpoint that goes down
  std::vector<Hop> chain; // hard needs from the endpoint (first) to the failed element (last)
};

struct SinglePointOfFailure {
  Kind kind = Kind::node; // node or component
  std::string name;
  std::vector<Impact> endpoints; // what it takes down, in design order
};

// One side of a partition: the nodes it holds and what it can still serve
// when only those nodes are reachable.
struct Side {
  std::vector<std::string> nodes;         // the group, as given
  std::vector<std::string> components_up; // design order
  std::vector<std::string> endpoints_up;  // design order
};

struct PartitionResult {
  std::vector<Side> sides;
  // Components up on more than one side at once: harmless for a stateless
  // pool, two primaries for a replica group that fails over without a vote.
  std::vector<std::string> split_components;
};

class DependencyGraph {
public:
  // Validates the design and builds its graph. Throws std::invalid_argument
  // naming the problem: a duplicate or empty name, an unknown node or
  // component, a component without nodes, a dependency cycle (soft
  // dependencies count: a call cycle is a cycle even with a fallback), or a
  // design larger than max_vertices.
  explicit DependencyGraph(Design design);

  const Design& design() const { return design_; }
  const Graph& graph() const { return graph_; }
  // Every vertex with what it needs before it.
  const std::vector<Vertex>& topological_order() const { return order_; }

  // What is up when these nodes fail and these components fail by
  // themselves (down whatever their nodes do). Unknown names throw
  // std::invalid_argument.
  Status up(const std::vector<std::string>& failed_nodes,
            const std::vector<std::string>& failed_components = {}) const;

  // What the failure of these nodes takes down, in cascade order.
  Outage reach(const std::vector<std::string>& failed_nodes) const;

  // Every node and component whose loss alone takes down at least one
  // endpoint; most endpoints first, then by name (then nodes first).
  // A component is tried by itself (down whatever its nodes do: a process
  // can crash on a healthy machine) only when it has no redundancy, that is
  // when losing any one of its instances breaks its Needs rule. Losing one
  // instance of a redundant group is losing one node, which the nodes'
  // check covers; losing all of them at once is a correlated failure, not
  // a single point.
  std::vector<SinglePointOfFailure> single_points_of_failure() const;

  // Cut vertices of the undirected graph, in vertex order. A hint only.
  std::vector<VertexRef> articulation_points() const;

  // Each group of nodes evaluated as if only its nodes were reachable: all
  // nodes in a group talk to each other, nothing crosses groups, and nodes
  // in no group are unreachable from every side. A node may be in one group
  // only; unknown nodes throw std::invalid_argument.
  PartitionResult partition(const std::vector<std::vector<std::string>>& groups) const;

private:
  std::vector<bool> evaluate(const std::vector<bool>& forced_down) const;
  Vertex node_vertex(const std::string& name) const;
  Vertex component_vertex(const std::string& name) const;
  std::vector<Impact> impacts_of(Vertex failed, const std::vector<bool>& up) const;

  Design design_;
  Graph graph_;
  std::vector<Vertex> order_;
  std::map<std::string, Vertex> node_by_name_;
  std::map<std::string, Vertex> component_by_name_;
  std::vector<std::vector<Vertex>> members_; // per component, its nodes in design order
};

} // namespace faultlab::topo
