#include "topo/data_graph.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/topological_sort.hpp>

namespace faultlab::topo {

namespace {

// Tables (or stores) are vertices in the order given; an edge per foreign
// key (or copy flow), from the parent (or source) to the child (or copy),
// in the order given. vecS keeps every walk, and so every report, stable.
using DataGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property,
                                        boost::property<boost::edge_index_t, std::size_t>>;

std::string count(double n) {
  std::string digits = std::to_string(static_cast<long long>(std::llround(n)));
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-') out += ',';
    out += digits[i];
  }
  return out;
}

std::string rows_word(double n) { return count(n) + (std::llround(n) == 1 ? " row" : " rows"); }

std::string days(double seconds) {
  char text[64];
  if (seconds >= 86400) std::snprintf(text, sizeof text, "%g days", std::round(seconds / 86400 * 10) / 10);
  else if (seconds >= 3600) std::snprintf(text, sizeof text, "%g hours", std::round(seconds / 3600 * 10) / 10);
  else std::snprintf(text, sizeof text, "%g s", seconds);
  return text;
}

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '\n') {
      out += "\\n"; // Graphviz's line break in a label
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::size_t table_index(const DataModel& model, const std::string& name) {
  for (std::size_t i = 0; i < model.tables.size(); ++i)
    if (model.tables[i].name == name) return i;
  throw std::invalid_argument("no table \"" + name + "\"");
}

DataGraph build(const DataModel& model) {
  DataGraph g(model.tables.size());
  for (std::size_t k = 0; k < model.keys.size(); ++k)
    boost::add_edge(table_index(model, model.keys[k].parent), table_index(model, model.keys[k].child), k, g);
  return g;
}

// Parents before children; throws on a cycle, naming one.
std::vector<std::size_t> parents_first(const DataModel& model, const DataGraph& g) {
  std::vector<std::size_t> order;
  try {
    boost::topological_sort(g, std::back_inserter(order));
  } catch (const boost::not_a_dag&) {
    std::string tables;
    for (const auto& k : model.keys)
      if (k.child == k.parent) tables = k.child + " → " + k.child;
    throw std::invalid_argument("the foreign keys form a cycle" + (tables.empty() ? "" : " (" + tables + ")") +
                                ": a cascade would not end; break it with SET NULL on one of them");
  }
  std::reverse(order.begin(), order.end());
  return order;
}

} // namespace

const char* to_string(OnDelete rule) {
  switch (rule) {
  case OnDelete::cascade: return "CASCADE";
  case OnDelete::restrict: return "RESTRICT";
  case OnDelete::set_null: return "SET NULL";
  }
  return "?";
}

double CascadeResult::rows_deleted() const {
  double n = 0;
  for (const auto& r : reach) n += r.rows_deleted;
  return n;
}
double CascadeResult::rows_set_null() const {
  double n = 0;
  for (const auto& r : reach) n += r.rows_set_null;
  return n;
}
double CascadeResult::rows_examined() const {
  double n = 0;
  for (const auto& r : reach) n += r.rows_examined;
  return n;
}

void validate(const DataModel& model) {
  std::set<std::string> names;
  for (const auto& t : model.tables)
    if (!names.insert(t.name).second) throw std::invalid_argument("two tables named \"" + t.name + "\"");
  DataGraph g = build(model);
  parents_first(model, g);
}

CascadeResult cascade(const DataModel& model, const std::string& table, double rows, const std::set<std::string>& empty) {
  const DataGraph g = build(model);
  const std::vector<std::size_t> order = parents_first(model, g);
  const std::size_t start = table_index(model, table);
  const std::size_t n = model.tables.size();
  std::vector<double> deleted(n, 0), set_null(n, 0), examined(n, 0);
  std::vector<int> depth(n, -1);
  std::vector<std::string> via(n);
  std::vector<std::size_t> previous(n, n);
  deleted[start] = std::min(rows, model.tables[start].rows);
  depth[start] = 0;
  CascadeResult result;
  result.table = table;
  // In topological order every parent is final before its children are
  // looked at, so rows reached along two paths are added up once.
  for (const std::size_t v : order) {
    if (deleted[v] <= 0) continue;
    const double parent_rows = model.tables[v].rows;
    for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) {
      const ForeignKey& key = model.keys[boost::get(boost::edge_index, g, *e)];
      const std::size_t c = boost::target(*e, g);
      const double child_rows = model.tables[c].rows;
      const bool emptied = v == start && empty.count(key.child + "." + key.column) > 0;
      const double per_parent = emptied || parent_rows <= 0 ? 0 : child_rows / parent_rows;
      const double children = std::min(child_rows, deleted[v] * per_parent);
      // PostgreSQL checks each deleted parent row with a query on the child:
      // an index lookup, or without an index on the column a scan of the
      // whole child table, once per parent row.
      examined[c] += key.indexed ? deleted[v] * std::log2(std::max(2.0, child_rows)) + children : deleted[v] * child_rows;
      if (key.on_delete == OnDelete::restrict) {
        if (children >= 0.5 && !result.refused_by) {
          result.refused_by = key;
          result.refused_rows = children;
        }
        continue;
      }
      if (key.on_delete == OnDelete::set_null) {
        set_null[c] = std::min(child_rows, set_null[c] + children);
        if (via[c].empty()) via[c] = key.child + "." + key.column;
        if (depth[c] < 0) depth[c] = depth[v] + 1;
        continue;
      }
      deleted[c] = std::min(child_rows, deleted[c] + children);
      if (depth[v] + 1 > depth[c]) {
        depth[c] = depth[v] + 1;
        previous[c] = v;
        via[c] = key.child + "." + key.column;
      }
    }
  }
  for (const std::size_t v : order) {
    if (depth[v] < 0) continue;
    TableReach r;
    r.table = model.tables[v].name;
    r.rows_deleted = deleted[v];
    r.rows_set_null = set_null[v];
    r.rows_examined = examined[v];
    r.depth = depth[v];
    r.via = via[v];
    r.keep = model.tables[v].keep;
    result.reach.push_back(r);
  }
  // The longest chain of deletes: the deepest table (first in order on a tie), back to the start.
  std::size_t deepest = start;
  for (const std::size_t v : order)
    if (depth[v] > depth[deepest] && deleted[v] > 0) deepest = v;
  for (std::size_t v = deepest; v != n; v = previous[v]) result.longest.insert(result.longest.begin(), model.tables[v].name);
  return result;
}

std::string render_cascade_text(const CascadeResult& result, const std::string& title) {
  std::string out = title + "\n";
  if (result.refused_by) {
    const ForeignKey& k = *result.refused_by;
    out += "  refused: " + rows_word(result.refused_rows) + " of " + k.child + " still reference " + k.parent +
           " (" + k.child + "." + k.column + " ON DELETE RESTRICT); the statement fails and nothing is deleted\n";
    out += "  without the RESTRICT it would reach:\n";
  } else {
    const auto tables = std::count_if(result.reach.begin(), result.reach.end(),
                                      [](const TableReach& r) { return r.rows_deleted > 0; });
    out += "  deletes " + rows_word(result.rows_deleted()) + " in " + std::to_string(tables) +
           (tables == 1 ? " table" : " tables") + ", sets " + rows_word(result.rows_set_null()) + " to NULL, examines " +
           rows_word(result.rows_examined()) + ":\n";
  }
  char line[512];
  for (const auto& r : result.reach) {
    std::string what;
    if (r.rows_deleted > 0) what = "deletes " + rows_word(r.rows_deleted);
    if (r.rows_set_null > 0) what += (what.empty() ? "" : ", ") + std::string("sets ") + rows_word(r.rows_set_null) + " to NULL";
    if (what.empty()) what = "nothing";
    std::snprintf(line, sizeof line, "    %-22s %-34s %s%s\n", r.table.c_str(), what.c_str(),
                  r.via.empty() ? "(the DELETE)" : ("via " + r.via).c_str(),
                  r.rows_examined > 0 ? (", " + count(r.rows_examined) + " rows examined").c_str() : "");
    out += line;
  }
  if (result.longest.size() > 1) {
    out += "  longest cascade chain (" + std::to_string(result.longest.size() - 1) + " steps): ";
    for (std::size_t i = 0; i < result.longest.size(); ++i) out += (i ? " → " : "") + result.longest[i];
    out += "\n";
  }
  if (!result.refused_by)
    for (const auto& r : result.reach)
      if (!r.keep.empty() && r.rows_deleted > 0)
        out += "  must be kept: " + r.table + " (" + r.keep + "), and this DELETE removes " + rows_word(r.rows_deleted) + " of it\n";
  return out;
}

std::string render_cascade_dot(const DataModel& model, const CascadeResult& result, const std::string& title) {
  std::map<std::string, const TableReach*> reached;
  for (const auto& r : result.reach) reached[r.table] = &r;
  std::string out = "digraph " + quoted(title) + " {\n  rankdir=LR;\n  label=" + quoted(title) +
                    ";\n  node [shape=box, style=filled, fillcolor=\"#ffffff\"];\n";
  for (const auto& t : model.tables) {
    auto it = reached.find(t.name);
    std::string label = t.name + "\n" + count(t.rows) + " rows";
    std::string colour = "#ffffff";
    if (it != reached.end()) {
      const TableReach& r = *it->second;
      if (r.rows_deleted > 0) {
        label += "\n-" + count(r.rows_deleted) + " deleted";
        colour = !t.keep.empty() && !result.refused_by ? "#ea9999" : "#f9cb9c";
      }
      if (r.rows_set_null > 0) {
        label += "\n" + count(r.rows_set_null) + " set null";
        if (colour == "#ffffff") colour = "#ffe599";
      }
    }
    if (!t.keep.empty()) label += "\nkeep: " + t.keep;
    out += "  " + quoted(t.name) + " [label=" + quoted(label) + ", fillcolor=\"" + colour + "\"" +
           (t.name == result.table ? ", penwidth=3" : "") + "];\n";
  }
  std::set<std::pair<std::string, std::string>> chain;
  for (std::size_t i = 1; i < result.longest.size(); ++i) chain.insert({result.longest[i - 1], result.longest[i]});
  for (const auto& k : model.keys) {
    const bool stops = result.refused_by && result.refused_by->child == k.child && result.refused_by->column == k.column;
    out += "  " + quoted(k.parent) + " -> " + quoted(k.child) + " [label=" +
           quoted(k.column + "\n" + to_string(k.on_delete) + (k.indexed ? "" : "\n(no index)")) +
           (k.on_delete == OnDelete::cascade ? "" : ", style=dashed") +
           (stops ? ", color=\"#cc0000\"" : chain.count({k.parent, k.child}) ? ", penwidth=3" : "") + "];\n";
  }
  return out + "}\n";
}

std::vector<ErasureReach> erasure_reach(const std::vector<DataStore>& stores, double deadline_s, const std::string& key_store) {
  auto index_of = [&](const std::string& name) {
    for (std::size_t i = 0; i < stores.size(); ++i)
      if (stores[i].name == name) return i;
    throw std::invalid_argument("no store \"" + name + "\"");
  };
  DataGraph g(stores.size());
  std::vector<std::size_t> sources;
  for (std::size_t i = 0; i < stores.size(); ++i) {
    if (stores[i].copied_from.empty()) sources.push_back(i);
    for (const auto& from : stores[i].copied_from) boost::add_edge(index_of(from), i, 0, g);
  }
  // Breadth first from every source: the stores a copy of the data flows to.
  std::vector<boost::default_color_type> colour(stores.size(), boost::white_color);
  auto colours = boost::make_iterator_property_map(colour.begin(), boost::get(boost::vertex_index, g));
  boost::queue<std::size_t> queue;
  for (const std::size_t s : sources)
    if (colour[s] == boost::white_color)
      boost::breadth_first_visit(g, s, queue, boost::default_bfs_visitor(), colours);
  const bool shredding = !key_store.empty() && stores[index_of(key_store)].covered;
  std::vector<ErasureReach> out;
  for (std::size_t i = 0; i < stores.size(); ++i) {
    if (colour[i] == boost::white_color) continue; // no copy flows there
    const DataStore& s = stores[i];
    ErasureReach r;
    r.store = s.name;
    r.ages_out_after_s = s.retention_s;
    if (s.covered) {
      r.how = "erased by the job";
      r.cleared_by_deadline = true;
    } else if (shredding && s.encrypted) {
      r.how = "unreadable: its key in " + key_store + " is deleted";
      r.cleared_by_deadline = true;
    } else if (s.retention_s) {
      r.how = "missed; ages out " + days(*s.retention_s) + " after its last copy";
      r.cleared_by_deadline = *s.retention_s <= deadline_s;
    } else {
      r.how = "missed; kept until someone deletes it";
    }
    out.push_back(r);
  }
  return out;
}

std::string render_erasure_text(const std::vector<DataStore>& stores, const std::vector<ErasureReach>& reach,
                                double deadline_s, const std::string& title) {
  std::string out = title + "\n  copies of one person's data, and whether they are gone " + days(deadline_s) +
                    " after the request:\n";
  char line[512];
  std::size_t missed = 0;
  for (const auto& r : reach) {
    const DataStore* s = nullptr;
    for (const auto& x : stores)
      if (x.name == r.store) s = &x;
    std::string from;
    for (const auto& f : s->copied_from) from += (from.empty() ? "from " : ", ") + f;
    std::snprintf(line, sizeof line, "    %-4s %-18s %-12s %-46s %s\n", r.cleared_by_deadline ? "ok" : "LATE",
                  r.store.c_str(), s->kind.c_str(), r.how.c_str(), from.c_str());
    out += line;
    if (!r.cleared_by_deadline) ++missed;
  }
  out += missed == 0 ? "  every copy is gone by the deadline\n"
                     : "  " + std::to_string(missed) + " cop" + (missed == 1 ? "y outlives" : "ies outlive") +
                           " the deadline\n";
  return out;
}

std::string render_erasure_dot(const std::vector<DataStore>& stores, const std::vector<ErasureReach>& reach,
                               const std::string& title) {
  std::map<std::string, const ErasureReach*> by_store;
  for (const auto& r : reach) by_store[r.store] = &r;
  std::string out = "digraph " + quoted(title) + " {\n  rankdir=LR;\n  label=" + quoted(title) +
                    ";\n  node [shape=box, style=filled];\n";
  for (const auto& s : stores) {
    auto it = by_store.find(s.name);
    const std::string colour = it == by_store.end() ? "#ffffff"
                               : it->second->cleared_by_deadline ? "#b6d7a8" : "#ea9999";
    std::string label = s.name + "\n" + s.kind + (it == by_store.end() ? std::string("") : "\n" + it->second->how);
    out += "  " + quoted(s.name) + " [label=" + quoted(label) + ", fillcolor=\"" + colour + "\"" +
           (s.covered ? ", penwidth=3" : "") + "];\n";
  }
  for (const auto& s : stores)
    for (const auto& from : s.copied_from) out += "  " + quoted(from) + " -> " + quoted(s.name) + ";\n";
  return out + "}\n";
}

} // namespace faultlab::topo
