// Evaluating a DependencyGraph: which components and endpoints are up after
// some failures, and the questions a review asks that reduce to that.
#include "topo/analysis.hpp"

#include <algorithm>
#include <cassert>
#include <iterator>
#include <set>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <boost/graph/biconnected_components.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/reverse_graph.hpp>

namespace faultlab::topo {

namespace {

bool needs_hold(Needs needs, const std::vector<Vertex>& members, const std::vector<bool>& up) {
  const auto up_count = static_cast<std::size_t>(
      std::count_if(members.begin(), members.end(), [&](Vertex v) { return up[v]; }));
  switch (needs) {
  case Needs::all:
    return up_count == members.size();
  case Needs::any:
    return up_count > 0;
  case Needs::first:
    return !members.empty() && up[members.front()];
  case Needs::majority:
    return 2 * up_count > members.size();
  }
  return false;
}

// Whether losing any one instance of a component breaks its Needs rule: a
// component without redundancy.
bool fails_with_one_loss(Needs needs, const std::vector<Vertex>& members, std::size_t vertices) {
  std::vector<bool> up(vertices, false);
  for (const Vertex v : members)
    up[v] = true;
  for (const Vertex lost : members) {
    up[lost] = false;
    const bool holds = needs_hold(needs, members, up);
    up[lost] = true;
    if (!holds) return true;
  }
  return false;
}

// Filters for the part of the graph a cascade travels: vertices that are
// down, joined by hard edges. Plain structs with pointers, because
// filtered_graph copies and default-constructs its predicates.
struct IsDown {
  const std::vector<bool>* up = nullptr;
  bool operator()(Vertex v) const { return !(*up)[v]; }
};
struct IsHard {
  const Graph* graph = nullptr;
  bool operator()(Graph::edge_descriptor e) const { return (*graph)[e].hard; }
};

// Breadth-first from the failed vertex against the edges: each down vertex
// reached learns its next hop toward the failure, so one search gives every
// endpoint its shortest chain.
template <class G> class NextHopRecorder : public boost::default_bfs_visitor {
public:
  NextHopRecorder(std::vector<Vertex>* next, std::vector<std::string>* why) : next_(next), why_(why) {}
  template <class E> void tree_edge(E e, const G& g) const {
    const Vertex needer = boost::target(e, g); // reversed: the target is the one who needs
    (*next_)[needer] = boost::source(e, g);
    (*why_)[needer] = g[e].why;
  }

private:
  std::vector<Vertex>* next_;
  std::vector<std::string>* why_;
};

} // namespace

std::vector<bool> DependencyGraph::evaluate(const std::vector<bool>& forced_down) const {
  std::vector<bool> up(boost::num_vertices(graph_), false);
  for (const Vertex v : order_) {
    if (forced_down[v]) continue;
    const VertexInfo& info = graph_[v];
    bool ok = true;
    if (info.kind == Kind::component)
      ok = needs_hold(design_.components[info.index].needs, members_[info.index], up);
    // Members are judged by the Needs rule above; every other hard edge must lead to something up.
    for (const auto e : boost::make_iterator_range(boost::out_edges(v, graph_))) {
      const EdgeInfo& edge = graph_[e];
      if (edge.kind != EdgeKind::member && edge.hard && !up[boost::target(e, graph_)]) ok = false;
    }
    up[v] = ok;
  }
  return up;
}

Status DependencyGraph::up(const std::vector<std::string>& failed_nodes,
                           const std::vector<std::string>& failed_components) const {
  std::vector<bool> forced(boost::num_vertices(graph_), false);
  for (const auto& name : failed_nodes)
    forced[node_vertex(name)] = true;
  for (const auto& name : failed_components)
    forced[component_vertex(name)] = true;
  const auto alive = evaluate(forced);
  Status status;
  for (const Vertex v : boost::make_iterator_range(boost::vertices(graph_))) {
    if (graph_[v].kind == Kind::component) status.components[graph_[v].name] = alive[v];
    if (graph_[v].kind == Kind::endpoint) status.endpoints[graph_[v].name] = alive[v];
  }
  return status;
}

Outage DependencyGraph::reach(const std::vector<std::string>& failed_nodes) const {
  std::vector<bool> forced(boost::num_vertices(graph_), false);
  for (const auto& name : failed_nodes)
    forced[node_vertex(name)] = true;
  const auto alive = evaluate(forced);
  Outage outage;
  for (const Vertex v : order_) {
    if (alive[v]) continue;
    if (graph_[v].kind == Kind::component) outage.components.push_back(graph_[v].name);
    if (graph_[v].kind == Kind::endpoint) outage.endpoints.push_back(graph_[v].name);
  }
  return outage;
}

std::vector<Impact> DependencyGraph::impacts_of(Vertex failed, const std::vector<bool>& up) const {
  const std::size_t n = boost::num_vertices(graph_);
  const boost::filtered_graph<Graph, IsHard, IsDown> cascade(graph_, IsHard{&graph_}, IsDown{&up});
  const auto against = boost::make_reverse_graph(cascade);
  std::vector<Vertex> next(n, Graph::null_vertex());
  std::vector<std::string> why(n);
  using Reversed = std::remove_const_t<decltype(against)>;
  boost::breadth_first_search(against, failed, boost::visitor(NextHopRecorder<Reversed>(&next, &why)));

  std::vector<Impact> impacts;
  for (const Vertex v : boost::make_iterator_range(boost::vertices(graph_))) {
    if (graph_[v].kind != Kind::endpoint || up[v]) continue;
    Impact impact{graph_[v].name, {{graph_[v].name, ""}}};
    // Everything down after a single failure is down because of it, so a chain always exists.
    for (Vertex at = v; at != failed; at = next[at]) {
      assert(next[at] != Graph::null_vertex());
      impact.chain.push_back({graph_[next[at]].name, why[at]});
    }
    impacts.push_back(std::move(impact));
  }
  return impacts;
}

std::vector<SinglePointOfFailure> DependencyGraph::single_points_of_failure() const {
  std::vector<SinglePointOfFailure> found;
  std::vector<bool> forced(boost::num_vertices(graph_), false);
  for (const Vertex v : boost::make_iterator_range(boost::vertices(graph_))) {
    const VertexInfo& info = graph_[v];
    if (info.kind == Kind::endpoint) continue;
    if (info.kind == Kind::component &&
        !fails_with_one_loss(design_.components[info.index].needs, members_[info.index], forced.size()))
      continue;
    forced[v] = true;
    const auto alive = evaluate(forced);
    forced[v] = false;
    auto impacts = impacts_of(v, alive);
    if (!impacts.empty()) found.push_back({info.kind, info.name, std::move(impacts)});
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    if (a.endpoints.size() != b.endpoints.size()) return a.endpoints.size() > b.endpoints.size();
    if (a.name != b.name) return a.name < b.name;
    return a.kind < b.kind;
  });
  return found;
}

// A cut vertex disconnects the undirected graph when removed. That is only a
// hint: it ignores direction, redundancy (an `any` group with one member
// gone is still up) and fallbacks, and any vertex with a leaf hanging off it
// (a component with a node of its own) is one. The per-failure evaluation
// in single_points_of_failure() is the verdict.
std::vector<VertexRef> DependencyGraph::articulation_points() const {
  using Undirected = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;
  Undirected undirected(boost::num_vertices(graph_));
  std::set<std::pair<Vertex, Vertex>> joined; // one edge per pair, whatever the direction or number
  for (const auto e : boost::make_iterator_range(boost::edges(graph_))) {
    const Vertex a = boost::source(e, graph_), b = boost::target(e, graph_);
    if (joined.insert(std::minmax(a, b)).second) boost::add_edge(a, b, undirected);
  }
  std::vector<Vertex> cut;
  boost::articulation_points(undirected, std::back_inserter(cut));
  std::sort(cut.begin(), cut.end());
  std::vector<VertexRef> refs;
  for (const Vertex v : cut)
    refs.push_back({graph_[v].kind, graph_[v].name});
  return refs;
}

PartitionResult DependencyGraph::partition(const std::vector<std::vector<std::string>>& groups) const {
  const std::size_t n = boost::num_vertices(graph_);
  std::vector<std::size_t> group_of(n, 0); // 1-based; 0: in no group
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (const auto& name : groups[g]) {
      const Vertex v = node_vertex(name);
      if (group_of[v] != 0)
        throw std::invalid_argument("node \"" + name + "\" is in partition groups " +
                                    std::to_string(group_of[v]) + " and " + std::to_string(g + 1));
      group_of[v] = g + 1;
    }
  }
  PartitionResult result;
  std::vector<std::size_t> sides_up(n, 0);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    std::vector<bool> unreachable(n, false);
    for (const Vertex v : boost::make_iterator_range(boost::vertices(graph_)))
      unreachable[v] = graph_[v].kind == Kind::node && group_of[v] != g + 1;
    const auto alive = evaluate(unreachable);
    Side side{groups[g], {}, {}};
    for (const Vertex v : boost::make_iterator_range(boost::vertices(graph_))) {
      if (!alive[v]) continue;
      if (graph_[v].kind == Kind::component) {
        side.components_up.push_back(graph_[v].name);
        ++sides_up[v];
      }
      if (graph_[v].kind == Kind::endpoint) side.endpoints_up.push_back(graph_[v].name);
    }
    result.sides.push_back(std::move(side));
  }
  for (const Vertex v : boost::make_iterator_range(boost::vertices(graph_)))
    if (graph_[v].kind == Kind::component && sides_up[v] > 1)
      result.split_components.push_back(graph_[v].name);
  return result;
}

} // namespace faultlab::topo
