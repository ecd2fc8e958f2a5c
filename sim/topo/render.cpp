#include "topo/render.hpp"

#include <cstdint>
#include <set>
#include <sstream>
#include <utility>

namespace faultlab::topo {

namespace {

std::string plural(std::size_t count, const std::string& word) {
  return std::to_string(count) + " " + word + (count == 1 ? "" : "s");
}

std::string join(const std::vector<std::string>& names, const std::string& empty) {
  if (names.empty()) return empty;
  std::string text;
  for (const auto& name : names)
    text += (text.empty() ? "" : ", ") + name;
  return text;
}

// "api:feed → sessions (read session:{user}) → redis → redis-1": the why of
// a dependency is shown next to the component it calls.
std::string format_chain(const std::vector<Hop>& chain) {
  std::string text;
  for (const auto& hop : chain) {
    if (!text.empty()) text += " → ";
    text += hop.name;
    if (!hop.why.empty()) text += " (" + hop.why + ")";
  }
  return text;
}

// Graphviz quoted string: only the quote and the backslash need escaping.
std::string dot_quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string dot_id(Kind kind, const std::string& name) {
  return dot_quoted(std::string(kind_name(kind)) + ":" + name);
}

// A fixed colour for the types faultlab models, so that a cache looks the
// same in every picture; any other type gets one picked by a stable hash of
// its name (FNV-1a, identical on every platform).
std::string type_colour(const std::string& type) {
  static const std::pair<const char*, const char*> known[] = {
      {"service", "#9fc5e8"}, {"replica_group", "#b6d7a8"}, {"database", "#b6d7a8"}, {"cache", "#ffe599"},
      {"queue", "#d5a6bd"},   {"shard_router", "#b4a7d6"},  {"client", "#d9d9d9"},
  };
  for (const auto& [name, colour] : known)
    if (type == name) return colour;
  static const char* const others[] = {"#a2c4c9", "#f9cb9c", "#c9daf8", "#d9ead3", "#fff2cc", "#ead1dc"};
  std::uint32_t hash = 2166136261u;
  for (const char c : type)
    hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
  return others[hash % (sizeof others / sizeof others[0])];
}

// What a component needs of its nodes, in the words of its label; nothing
// for the common case of a single node.
std::string needs_label(const Component& c) {
  const std::string n = std::to_string(c.nodes.size());
  switch (c.needs) {
  case Needs::all:
    return c.nodes.size() == 1 ? "" : "all " + n + " nodes";
  case Needs::any:
    return "any of " + n;
  case Needs::first:
    return "first of " + n;
  case Needs::majority:
    return "majority of " + n;
  }
  return "";
}

constexpr const char* spof_colour = "#e06666";

} // namespace

std::string render_text(const DependencyGraph& graph) {
  const Design& design = graph.design();
  const auto spofs = graph.single_points_of_failure();
  const auto cuts = graph.articulation_points();
  const std::size_t endpoints = design.endpoints.size();
  std::ostringstream out;
  out << "Design: " << plural(design.nodes.size(), "node") << ", "
      << plural(design.components.size(), "component") << ", " << plural(endpoints, "endpoint") << "\n\n";

  out << "Single points of failure:" << (spofs.empty() ? " none\n" : "\n");
  for (const auto& spof : spofs) {
    out << "  " << kind_name(spof.kind) << " " << spof.name << " takes down " << spof.endpoints.size()
        << " of " << plural(endpoints, "endpoint") << ":\n";
    for (const auto& impact : spof.endpoints)
      out << "    " << format_chain(impact.chain) << "\n";
  }

  // The hint comes after the verdict and says it is one.
  out << "\nArticulation points (cut vertices of the graph, a structural hint):"
      << (cuts.empty() ? " none\n" : "\n");
  for (const auto& cut : cuts) {
    out << "  " << kind_name(cut.kind) << " " << cut.name;
    bool single = false;
    for (const auto& spof : spofs) single = single || (spof.kind == cut.kind && spof.name == cut.name);
    if (single) {
      out << " (also a single point of failure, above)\n";
      continue;
    }
    // Why a cut vertex is not a single point of failure: the graph is cut
    // when it is removed, but one crash does not remove it.
    const Component* component = nullptr;
    for (const auto& c : design.components)
      if (cut.kind == Kind::component && c.name == cut.name) component = &c;
    if (component && component->nodes.size() > 1 && component->needs != Needs::all)
      out << " (not a single point of failure: it runs on " << component->nodes.size()
          << " nodes and stays up when one crashes)\n";
    else
      out << " (not a single point of failure: no endpoint needs it without a fallback or another way)\n";
  }
  return out.str();
}

std::string render_partition_text(const PartitionResult& result) {
  std::ostringstream out;
  for (std::size_t i = 0; i < result.sides.size(); ++i) {
    const Side& side = result.sides[i];
    out << "Side " << i + 1 << " (" << join(side.nodes, "no nodes") << "):\n"
        << "  endpoints up: " << join(side.endpoints_up, "none") << "\n"
        << "  components up: " << join(side.components_up, "none") << "\n";
  }
  out << "Up on more than one side: " << join(result.split_components, "none") << "\n";
  return out.str();
}

std::string render_dot(const DependencyGraph& graph) {
  const Graph& g = graph.graph();
  const Design& design = graph.design();
  std::set<std::pair<Kind, std::string>> spofs;
  for (const auto& spof : graph.single_points_of_failure())
    spofs.insert({spof.kind, spof.name});

  std::ostringstream out;
  out << "digraph design {\n"
      << "  rankdir=LR;\n"
      << "  node [fontname=\"Helvetica\"];\n"
      << "  edge [fontname=\"Helvetica\"];\n";
  for (const Vertex v : boost::make_iterator_range(boost::vertices(g))) {
    const VertexInfo& info = g[v];
    const bool spof = spofs.count({info.kind, info.name}) > 0;
    std::string label = info.name;
    std::string attributes;
    switch (info.kind) {
    case Kind::node:
      attributes = "shape=box";
      if (spof) attributes += std::string(", style=filled, fillcolor=\"") + spof_colour + "\"";
      break;
    case Kind::component: {
      const Component& c = design.components[info.index];
      const std::string needs = needs_label(c);
      if (!c.type.empty() || !needs.empty())
        label += "\n" + c.type + (c.type.empty() || needs.empty() ? "" : ", ") + needs;
      attributes =
          "shape=ellipse, style=filled, fillcolor=\"" + (spof ? spof_colour : type_colour(c.type)) + "\"";
      break;
    }
    case Kind::endpoint:
      attributes = "shape=diamond";
      if (spof) attributes += std::string(", style=filled, fillcolor=\"") + spof_colour + "\"";
      break;
    }
    // dot reads "\n" inside a quoted label as a line break; escape the name, then restore it.
    std::string quoted_label = dot_quoted(label);
    for (std::size_t at = quoted_label.find('\n'); at != std::string::npos; at = quoted_label.find('\n', at))
      quoted_label.replace(at, 1, "\\n");
    out << "  " << dot_id(info.kind, info.name) << " [label=" << quoted_label << ", " << attributes << "];\n";
  }
  for (const auto e : boost::make_iterator_range(boost::edges(g))) {
    const VertexInfo& from = g[boost::source(e, g)];
    const VertexInfo& to = g[boost::target(e, g)];
    const EdgeInfo& edge = g[e];
    std::string attributes;
    if (!edge.hard) attributes = "style=dashed, label=\"fallback\"";
    if (!edge.why.empty())
      attributes += (attributes.empty() ? "" : ", ") + std::string("tooltip=") + dot_quoted(edge.why);
    out << "  " << dot_id(from.kind, from.name) << " -> " << dot_id(to.kind, to.name)
        << (attributes.empty() ? "" : " [" + attributes + "]") << ";\n";
  }
  out << "}\n";
  return out.str();
}

} // namespace faultlab::topo
