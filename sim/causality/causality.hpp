// Causality: for each violation, the faults it follows from and the chain of
// concrete events that links them ("stale read of profile:3 at 14.2 s ←
// served by db-2, 1.4 s behind db-1 ← partition p1 cut db-2 off from 12.0 s
// to 14.5 s").
//
// A fault is named when it was active while the violation's ops ran, or ended
// at most `lookback_s` before the first of them. Faults that acted on a node
// that handled one of the ops (the node that answered, or any node a message
// of the op went to or came from) rank first, then active ones before ended
// ones, then those active at the violation's own time (a lost write's
// acknowledgement, the start of an availability window), then the most
// recent. The chain starts at the violation and walks
// back to its first-ranked fault through what the trace shows, with a step
// per checker where the mechanism is known (which replica served a stale
// read and how far behind it was, when each of two primaries was elected, the
// crash and failover that lost a write, the node the failed ops went to, the
// lock a slow statement waited for, a database's incident). With no fault to
// name, the chain says so: the design itself allows the violation.
#pragma once

#include "causality/evidence.hpp"
#include "check/violation.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace faultlab::causality {

struct Options {
  // Five seconds: longer than the catalog's election timeouts and lag
  // bounds, so the fault whose effects are still settling is named, and
  // shorter than the quiet time between the catalog's separate faults.
  double lookback_s = 5.0;
};

struct LinkedFault {
  std::string name, type;
  std::vector<std::string> nodes; // the nodes it acted on (empty: every node)
  double start_s = 0.0;
  double end_s = history::kNever; // kNever: never undone
  bool active = false;            // still active while the violation's ops ran
  double ended_before_s = 0.0;    // otherwise: how long before the first op it ended
  bool on_involved_node = false;  // it acted on a node that handled one of the ops
  bool at_violation_time = false; // active at the violation's own time
  std::string relation() const;   // "active" or "ended 1.200 s before"
};

struct Step {
  double t_s = 0.0;
  std::string node;  // where it happened ("" when nowhere in particular)
  std::string text;  // one short clause
  std::string fault; // the fault's name when this step is a fault
};

struct Cause {
  std::vector<LinkedFault> faults; // ranked, most relevant first
  std::vector<Step> chain;         // the violation first, its root cause last
};

Cause explain(const check::Violation& violation, const Evidence& evidence, const Options& options = {});

// {"faults": [{name, type, nodes, start_s, end_s (null: never undone), relation}],
//  "chain": [{t_s, node, text, fault?}]}
nlohmann::ordered_json to_json(const Cause& cause);
// The chain on one line, each step followed by " ← " and what caused it.
std::string one_line(const Cause& cause);

} // namespace faultlab::causality
