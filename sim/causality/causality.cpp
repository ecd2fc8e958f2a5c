#include "causality/causality.hpp"

#include "causality/chains.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <tuple>

namespace faultlab::causality {

namespace {
// The span the violation is about: its offending op (the last one, by the
// checkers' convention) for the checks about one read; all its ops otherwise.
std::pair<double, double> window_of(const check::Violation& v, const Evidence& e) {
  const bool one_read = v.check == "stale_read" || v.check == "read_your_writes" || v.check == "stale_cache" ||
                        v.check == "linearizable";
  double first = v.time_s, last = v.time_s;
  bool any = false;
  for (std::size_t i = one_read && !v.ops.empty() ? v.ops.size() - 1 : 0; i < v.ops.size(); ++i) {
    const history::Op* op = e.op(v.ops[i]);
    if (!op) continue;
    first = any ? std::min(first, op->invoke_s) : op->invoke_s;
    const double end = std::isfinite(op->complete_s) ? op->complete_s : op->invoke_s;
    last = any ? std::max(last, end) : std::max(v.time_s, end);
    any = true;
  }
  return {std::min(first, v.time_s), last};
}

// The nodes that handled the violation's ops: the node that answered, the
// client group's node, and every node a message of the op reached or left.
std::vector<std::string> involved_nodes(const check::Violation& v, const Evidence& e) {
  std::vector<std::string> out;
  auto add = [&](const std::string& n) {
    // Each name once: an op's messages name the same few nodes many times.
    if (!n.empty() && std::find(out.begin(), out.end(), n) == out.end() && e.is_node(n)) out.push_back(n);
  };
  for (std::int64_t id : v.ops) {
    const history::Op* op = e.op(id);
    if (!op) continue;
    add(op->node);
    // A database's incident op names its node as its key.
    if (op->f == "oom" || op->f == "disk_full") add(op->key);
    add(e.client_node(op->client));
    for (const MessageEvent& m : e.messages_of(id)) add(m.from), add(m.to);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}
} // namespace

std::string LinkedFault::relation() const {
  if (active) return "active";
  return "ended " + detail::duration(ended_before_s) + " before";
}

Cause explain(const check::Violation& v, const Evidence& e, const Options& options) {
  const auto [from_s, to_s] = window_of(v, e);
  const std::vector<std::string> involved = involved_nodes(v, e);
  Cause cause;
  for (const FaultSpan& f : e.faults()) {
    if (f.start_s > to_s) continue; // began after the violation
    const bool active = f.end_s >= from_s;
    if (!active && from_s - f.end_s > options.lookback_s) continue;
    LinkedFault l;
    l.name = f.name;
    l.type = f.type;
    l.nodes = f.touched();
    l.start_s = f.start_s;
    l.end_s = f.end_s;
    l.active = active;
    l.ended_before_s = active ? 0.0 : from_s - f.end_s;
    l.at_violation_time = f.start_s <= v.time_s && f.end_s >= v.time_s;
    l.on_involved_node = std::any_of(involved.begin(), involved.end(), [&](const std::string& n) { return f.touches(n); });
    cause.faults.push_back(std::move(l));
  }
  std::stable_sort(cause.faults.begin(), cause.faults.end(), [](const LinkedFault& a, const LinkedFault& b) {
    // On an involved node first, active before ended, active at the
    // violation's time first, then the most recent.
    return std::make_tuple(!a.on_involved_node, !a.active, !a.at_violation_time, a.ended_before_s, -a.start_s,
                           a.name) < std::make_tuple(!b.on_involved_node, !b.active, !b.at_violation_time,
                                                     b.ended_before_s, -b.start_s, b.name);
  });
  const detail::Story story = detail::tell(detail::Context{v, e, cause.faults, options.lookback_s});
  if (!story.fault.empty()) {
    // The mechanism points at a fault: it is the most relevant one.
    const auto it = std::find_if(cause.faults.begin(), cause.faults.end(),
                                 [&](const LinkedFault& f) { return f.name == story.fault; });
    if (it != cause.faults.end()) std::rotate(cause.faults.begin(), it, it + 1);
  }
  cause.chain = story.steps;
  if (cause.faults.empty()) {
    char text[160];
    std::snprintf(text, sizeof text, "no fault was active or had ended within %s: the design itself allows this",
                  detail::duration(options.lookback_s).c_str());
    cause.chain.push_back(Step{v.time_s, "", text, ""});
  } else {
    const LinkedFault& root = cause.faults.front();
    const std::string focus = cause.chain.size() > 1 ? cause.chain[1].node : (cause.chain.empty() ? "" : cause.chain[0].node);
    std::string node = root.nodes.size() == 1 ? root.nodes[0] : focus;
    cause.chain.push_back(Step{root.start_s, node, detail::describe_fault(root, e, focus), root.name});
  }
  return cause;
}

nlohmann::ordered_json to_json(const Cause& cause) {
  nlohmann::ordered_json faults = nlohmann::ordered_json::array();
  for (const LinkedFault& f : cause.faults) {
    nlohmann::ordered_json j;
    j["name"] = f.name;
    j["type"] = f.type;
    j["nodes"] = f.nodes;
    j["start_s"] = f.start_s;
    j["end_s"] = std::isfinite(f.end_s) ? nlohmann::ordered_json(f.end_s) : nlohmann::ordered_json(nullptr);
    j["relation"] = f.relation();
    faults.push_back(std::move(j));
  }
  nlohmann::ordered_json chain = nlohmann::ordered_json::array();
  for (const Step& s : cause.chain) {
    nlohmann::ordered_json j;
    j["t_s"] = s.t_s;
    j["node"] = s.node;
    j["text"] = s.text;
    if (!s.fault.empty()) j["fault"] = s.fault;
    chain.push_back(std::move(j));
  }
  nlohmann::ordered_json out;
  out["faults"] = faults;
  out["chain"] = chain;
  return out;
}

std::string one_line(const Cause& cause) {
  std::string out;
  for (std::size_t i = 0; i < cause.chain.size(); ++i) out += (i ? " ← " : "") + cause.chain[i].text;
  return out;
}

} // namespace faultlab::causality
