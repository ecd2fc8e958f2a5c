// Building a DependencyGraph: every name checked before any edge is added,
// then a cycle search that can name the cycle (topological_sort only says
// "not a DAG"), then the evaluation order.
#include "topo/analysis.hpp"

#include <algorithm>
#include <iterator>
#include <set>
#include <stdexcept>

#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/topological_sort.hpp>

namespace faultlab::topo {

const char* kind_name(Kind kind) {
  switch (kind) {
  case Kind::node:
    return "node";
  case Kind::component:
    return "component";
  case Kind::endpoint:
    return "endpoint";
  }
  return "?";
}

namespace {

using Edge = Graph::edge_descriptor;

std::string quoted(const std::string& name) {
  return "\"" + name + "\"";
}

[[noreturn]] void fail(const std::string& message) {
  throw std::invalid_argument(message);
}

// Names must be non-empty and unique within their kind.
void check_names(const std::vector<std::string>& names, const char* kind, const char* duplicate) {
  std::set<std::string> seen;
  for (const auto& name : names) {
    if (name.empty()) fail(std::string("a ") + kind + " has an empty name");
    if (!seen.insert(name).second) fail(std::string(kind) + " " + quoted(name) + " " + duplicate);
  }
}

// Each dependency must name a known component, once per caller.
void check_deps(const std::vector<Dependency>& deps, const std::string& caller,
                const std::map<std::string, Vertex>& components) {
  std::set<std::string> seen;
  for (const auto& dep : deps) {
    if (!components.count(dep.component)) fail(caller + " needs unknown component " + quoted(dep.component));
    if (!seen.insert(dep.component).second)
      fail(caller + " lists dependency " + quoted(dep.component) + " twice");
  }
}

// Raised from inside the depth-first search to stop it at the first cycle.
struct CycleFound {
  std::vector<Vertex> path; // first vertex repeated at the end
};

// Records the search tree so that a back edge u → v (v an ancestor of u on
// the current path) can be turned into the cycle v → … → u → v.
class CycleFinder : public boost::default_dfs_visitor {
public:
  explicit CycleFinder(std::vector<Vertex>* parent) : parent_(parent) {}
  void tree_edge(Edge e, const Graph& g) const { (*parent_)[boost::target(e, g)] = boost::source(e, g); }
  void back_edge(Edge e, const Graph& g) const {
    const Vertex from = boost::source(e, g);
    const Vertex to = boost::target(e, g);
    std::vector<Vertex> path{from};
    while (path.back() != to)
      path.push_back((*parent_)[path.back()]);
    std::reverse(path.begin(), path.end());
    path.push_back(to);
    throw CycleFound{path};
  }

private:
  std::vector<Vertex>* parent_; // visitors are copied by value; the record must be shared
};

} // namespace

DependencyGraph::DependencyGraph(Design design) : design_(std::move(design)) {
  const std::size_t total = design_.nodes.size() + design_.components.size() + design_.endpoints.size();
  if (total > max_vertices)
    fail("the design has " + std::to_string(total) + " nodes, components and endpoints; the limit is " +
         std::to_string(max_vertices));

  std::vector<std::string> component_names, endpoint_names;
  for (const auto& c : design_.components)
    component_names.push_back(c.name);
  for (const auto& e : design_.endpoints)
    endpoint_names.push_back(e.name);
  check_names(design_.nodes, "node", "is listed twice");
  check_names(component_names, "component", "is defined twice");
  check_names(endpoint_names, "endpoint", "is defined twice");

  // Vertices first, in design order, so that vertex numbers follow the design.
  for (std::size_t i = 0; i < design_.nodes.size(); ++i)
    node_by_name_[design_.nodes[i]] = boost::add_vertex(VertexInfo{Kind::node, design_.nodes[i], i}, graph_);
  for (std::size_t i = 0; i < design_.components.size(); ++i)
    component_by_name_[design_.components[i].name] =
        boost::add_vertex(VertexInfo{Kind::component, design_.components[i].name, i}, graph_);
  std::vector<Vertex> endpoint_vertices;
  for (std::size_t i = 0; i < design_.endpoints.size(); ++i)
    endpoint_vertices.push_back(
        boost::add_vertex(VertexInfo{Kind::endpoint, design_.endpoints[i].name, i}, graph_));

  for (const auto& c : design_.components) {
    const std::string caller = "component " + quoted(c.name);
    if (c.nodes.empty()) fail(caller + " has no nodes");
    std::set<std::string> seen;
    for (const auto& node : c.nodes) {
      if (!node_by_name_.count(node)) fail(caller + " runs on unknown node " + quoted(node));
      if (!seen.insert(node).second) fail(caller + " lists node " + quoted(node) + " twice");
    }
    check_deps(c.deps, caller, component_by_name_);
  }
  for (const auto& e : design_.endpoints) {
    const std::string caller = "endpoint " + quoted(e.name);
    if (!component_by_name_.count(e.component))
      fail(caller + " is served by unknown component " + quoted(e.component));
    check_deps(e.deps, caller, component_by_name_);
  }

  for (const auto& c : design_.components) {
    const Vertex from = component_by_name_.at(c.name);
    for (const auto& dep : c.deps)
      boost::add_edge(from, component_by_name_.at(dep.component),
                      EdgeInfo{EdgeKind::depends, dep.hard, dep.why}, graph_);
    members_.emplace_back();
    for (const auto& node : c.nodes) {
      members_.back().push_back(node_by_name_.at(node));
      boost::add_edge(from, node_by_name_.at(node), EdgeInfo{EdgeKind::member, true, ""}, graph_);
    }
  }
  for (std::size_t i = 0; i < design_.endpoints.size(); ++i) {
    const auto& e = design_.endpoints[i];
    boost::add_edge(endpoint_vertices[i], component_by_name_.at(e.component),
                    EdgeInfo{EdgeKind::serves, true, ""}, graph_);
    for (const auto& dep : e.deps)
      boost::add_edge(endpoint_vertices[i], component_by_name_.at(dep.component),
                      EdgeInfo{EdgeKind::depends, dep.hard, dep.why}, graph_);
  }

  std::vector<Vertex> parent(boost::num_vertices(graph_));
  try {
    boost::depth_first_search(graph_, boost::visitor(CycleFinder(&parent)));
  } catch (const CycleFound& cycle) {
    std::string names;
    for (const Vertex v : cycle.path)
      names += (names.empty() ? "" : " → ") + graph_[v].name;
    fail("dependency cycle: " + names);
  }
  // topological_sort emits each vertex after everything it points at: for
  // "needs" edges that is exactly the order to evaluate in.
  boost::topological_sort(graph_, std::back_inserter(order_));
}

Vertex DependencyGraph::node_vertex(const std::string& name) const {
  const auto it = node_by_name_.find(name);
  if (it == node_by_name_.end()) fail("unknown node " + quoted(name));
  return it->second;
}

Vertex DependencyGraph::component_vertex(const std::string& name) const {
  const auto it = component_by_name_.find(name);
  if (it == component_by_name_.end()) fail("unknown component " + quoted(name));
  return it->second;
}

} // namespace faultlab::topo
