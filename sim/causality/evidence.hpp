// What the causality analysis reads of a run, indexed once: the trace
// header's nodes and client groups, the fault spans, node status changes,
// replica states, log discards, lock waits, and the messages of the ops that
// violations name. Built from trace event lines (as the trace writer holds
// them, or as a trace file has them), so a run, a test and a trace on disk
// all go through the same reader. Knows nothing of SimGrid.
#pragma once

#include "history/op.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace faultlab::causality {

// One fault from its start to its end. A partition healed by a `heal` fault,
// or a crash undone by a `restart`, ends there; one never undone ends at
// history::kNever.
struct FaultSpan {
  std::string name, type;
  double start_s = 0.0;
  double end_s = history::kNever;
  std::string node;                              // crash, restart, pause
  std::vector<std::vector<std::string>> groups;  // partition: its sides, nodes only
  std::vector<std::string> group_names;          // partition: the sides' names
  std::vector<std::string> nodes;                // drop, delay: targets ("": every node)
  double probability = 0.0, extra_s = 0.0;       // drop, delay
  // The nodes it acts on: a crashed or paused node, a partition's listed
  // nodes, drop/delay targets; empty for a drop or delay on every node.
  std::vector<std::string> touched() const;
  bool touches(const std::string& node) const;
  // Whether it kept `a` and `b` apart (a partition with them on two sides).
  bool separates(const std::string& a, const std::string& b) const;
};

// A `state` event of a node (replica roles and applies, caches, databases).
struct State {
  double t_s = 0.0;
  std::string node, component, role, key, value, why;
  std::int64_t applied = -1, term = -1;
};

struct NodeStatus {
  double t_s = 0.0;
  std::string node, status; // down, up, paused, running
};

struct Discard {
  double t_s = 0.0;
  std::string node, key, value;
  std::int64_t position = -1;
};

struct LockWait {
  double t_s = 0.0;
  std::int64_t op = -1; // from "(op N)" in `who`; -1 for a job's statement
  std::string node, lock, who, behind;
};

struct MessageEvent {
  double t_s = 0.0;
  std::string ev; // send, deliver, drop
  std::string from, to, kind, reason;
};

class Evidence {
public:
  // `header`: a trace header (its "nodes" and "clients"); `history`: the
  // run's ops, which must outlive this. Messages are kept only for `ops`.
  Evidence(const nlohmann::json& header, const history::History& history, std::set<std::int64_t> ops);

  // Events in time order, one trace line each (kinds it does not read are skipped).
  void add_line(double t_s, std::string_view line);

  const history::Op* op(std::int64_t id) const;
  // A database's incidents: its ops of f "oom" or "disk_full" (its node is their key), by time.
  const std::vector<const history::Op*>& incidents() const { return incidents_; }
  const std::vector<FaultSpan>& faults() const { return faults_; }
  const std::vector<State>& states(const std::string& node) const;
  // Role changes of every node (states with a role), in time order.
  const std::vector<State>& role_states() const { return role_states_; }
  // Indexed look-ups (a run may have many violations and many states):
  // the first state of `node` at or after `from_s` that applied key=value;
  // the last one at or before `until_s` that reached replication `position`;
  // the last one at or before `t_s` with a replication position; the first
  // discard of key=value at or after `from_s`. nullptr when there is none.
  const State* first_apply(const std::string& node, const std::string& key, const std::string& value,
                           double from_s) const;
  const State* at_position(const std::string& node, std::int64_t position, double until_s) const;
  const State* position_at(const std::string& node, double t_s) const;
  const Discard* first_discard(const std::string& key, const std::string& value, double from_s) const;
  // A cache's last fill of `key` at or before `until_s` (a refused fill is
  // not one): the fill a read answered then was served from (nullptr: not a
  // cache); and its last delete of `key` in [from_s, before_s).
  const State* last_fill(const std::string& node, const std::string& key, double until_s) const;
  const State* last_delete(const std::string& node, const std::string& key, double from_s, double before_s) const;
  const std::vector<NodeStatus>& statuses() const { return statuses_; }
  const std::vector<Discard>& discards() const { return discards_; }
  const std::vector<LockWait>& lock_waits() const { return lock_waits_; }
  const std::vector<MessageEvent>& messages_of(std::int64_t op) const;
  // The node a client group runs on ("" if unknown).
  std::string client_node(const std::string& client) const;
  // The nodes a component runs on (from the header's components or roles).
  std::vector<std::string> component_nodes(const std::string& component) const;
  // The component a client group targets ("" if unknown).
  std::string client_target(const std::string& client) const;
  bool is_node(const std::string& name) const;

private:
  void add_fault(double t_s, std::string_view line);
  const history::History& history_;
  std::unordered_map<std::int64_t, std::size_t> op_index_;
  std::vector<const history::Op*> incidents_;
  std::unordered_set<std::int64_t> wanted_ops_;
  std::vector<std::string> nodes_;
  std::map<std::string, std::vector<std::string>> component_nodes_;
  std::map<std::string, std::pair<std::string, std::string>> clients_; // name -> (node, target)
  std::vector<FaultSpan> faults_;
  std::map<std::string, std::vector<State>> states_;
  std::vector<State> role_states_;
  std::vector<NodeStatus> statuses_;
  std::vector<Discard> discards_;
  std::vector<LockWait> lock_waits_;
  std::unordered_map<std::int64_t, std::vector<MessageEvent>> messages_;
  // Indices into states_[node] / discards_, by "node\nkey\nvalue", "node\nposition", "key\nvalue".
  std::unordered_map<std::string, std::vector<std::size_t>> applies_, positions_, discards_by_value_;
  // Into states_[node], by "node\nkey": fills and deletes, in time order.
  std::unordered_map<std::string, std::vector<std::size_t>> fills_, deletes_;
};

// Field access on one flat trace line as the trace writer builds it:
// `{"t":1.5,"ev":"state","node":"db-2",...}`. A key counts only at the top
// level of the object (after `{` or `,`), so text inside string values never
// matches. Internal to this library and its tests.
bool line_field(std::string_view line, std::string_view key, std::string& text);
bool line_integer(std::string_view line, std::string_view key, std::int64_t& value);

} // namespace faultlab::causality
