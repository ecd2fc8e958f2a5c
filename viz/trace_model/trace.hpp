// The in-memory form of one faultlab trace (faultlab-trace v1 or v2, JSON Lines).
//
// This library knows nothing of ImGui: the viewer, the bench and any exporter
// share it. Everything is indexed once at load time into time-sorted arrays so
// that a frame only has to binary-search the visible window (see query.hpp).
#pragma once

#include "trace_model/span_index.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace faultlab::viz {

using LaneId = std::uint16_t;
constexpr LaneId kNoLane = 0xffff;

// One component a node runs: from the header's "components" (version 2), or
// inferred from its "roles" for a version 1 trace (v1_components in components.cpp).
struct NodeComponent {
  std::string component; // "profiles"
  std::string type;      // "replica_group", "cache", ...; one this viewer does not know is shown generically
  std::string role;      // the node's role in it: "primary", "instance", a shard's name, ...
};

struct NodeInfo {
  std::string name;
  std::string zone;
  std::vector<std::string> roles; // "<component>:<role>", as version 1 wrote them
  std::vector<NodeComponent> components;
};

struct ClientInfo {
  std::string name;
  std::string node;
  std::string target;
  int sessions = 0;
};

struct TraceHeader {
  int version = 0;
  std::string scenario, file, variant, title, lesson, design;
  std::int64_t seed = 0;
  double duration_s = 0.0;
  std::vector<NodeInfo> nodes;
  std::vector<ClientInfo> clients;
  std::vector<std::string> checks;
  std::vector<std::string> overrides; // the run's --set arguments ("PATH=VALUE"); optional
};

// "replica-lag / broken (seed 1)", then " --set PATH=VALUE" per override: how
// the viewer names a run (window title, timeline heading, compare mode).
std::string run_title(const TraceHeader& h);

enum class Outcome : std::uint8_t { ok, fail, info, pending };
const char* outcome_name(Outcome o);

// A client operation, from invoke to completion. Pending ops (no completion in
// the trace) end at the trace's end time.
struct Op {
  std::int64_t id = -1;
  double t_invoke_s = 0.0;
  double t_complete_s = 0.0;
  Outcome outcome = Outcome::pending;
  bool is_final = false; // a final read, issued after the workload stopped
  std::uint8_t row = 0;  // sub-row inside the client lane (greedy interval packing)
  int process = 0;
  LaneId lane = kNoLane; // the client group's lane
  std::string f, key, value, node, error;
};

// One message, from send to delivery or drop. A message dropped at send time
// has t_end_s == t_send_s.
struct Message {
  std::int64_t id = -1;
  std::int64_t op = -1;
  double t_send_s = 0.0;
  double t_end_s = 0.0;
  LaneId from = kNoLane;
  LaneId to = kNoLane;
  bool delivered = false;
  bool dropped = false;
  std::uint16_t kind = 0;   // index into Trace::message_kinds
  std::uint16_t reason = 0; // index into Trace::drop_reasons (when dropped)
  std::int64_t size_bytes = 0;
};

struct Fault {
  std::string name, type;
  double t_start_s = 0.0;
  double t_end_s = 0.0;                 // the trace's end when no "end" phase came
  std::string node;                     // optional
  std::vector<std::string> left, right; // partition groups
  std::string one_way_from, one_way_to;
  std::vector<std::string> nodes; // drop / delay targets
  std::string details;            // the raw details, for tooltips
};

// When the system was healthy again after a fault, by one signal
// (availability, leader, replicas, database): a "recovered" event.
struct Recovered {
  std::string fault, signal;
  double from_s = 0.0;              // measured from (the fault's end, or the last overlapping fault's)
  double t_s = 0.0;                 // when it recovered; the trace's end when it never did
  std::optional<double> after_s;    // t_s - from_s; nullopt: never recovered
  std::optional<double> outage_s;   // how long the fault's first harm to this signal lasted (nullopt: none known)
};

// A node's down / paused interval (greyed in its lane).
struct StatusSpan {
  LaneId lane = kNoLane;
  std::string status; // "down" or "paused"
  double t_start_s = 0.0;
  double t_end_s = 0.0;
};

struct StateEvent {
  double t_s = 0.0;
  LaneId lane = kNoLane;
  std::string component, role, key, value;
  std::string why; // "fill", "stock written", "lease granted to shop-2 with token 7", ...
  std::int64_t applied = -1;
  std::int64_t term = -1;    // on role events (role changes and term changes)
  std::int64_t entries = -1; // a cache's entry count after the change
};

// A database statement waiting for a lock (a "lock_wait" event), until its
// statement ended: its "query" event (the lock was granted and it ran), its
// "lock_timeout", the next wait of the same statement (the earlier lock was
// granted), or an incident of the database (a "state" event: OOM, disk full,
// promotion), which ends every statement in progress. The trace has no
// "granted" event, so a wait that ended with a query spans the statement's
// run too; `run_s` of that query says how much of it was running.
struct LockWait {
  enum class End : std::uint8_t { query, timeout, next_wait, incident, none };
  double t_start_s = 0.0;
  double t_end_s = 0.0; // the trace's end when nothing ended it
  LaneId lane = kNoLane; // the database's node
  std::uint8_t row = 0;  // sub-row inside the node lane (greedy interval packing)
  End end = End::none;
  std::int64_t op = -1;     // the history op, from "(op N)" in `who`; -1: a job's statement
  std::int64_t query = -1;  // index into Trace::queries when a query event ended it
  std::int64_t queue = 0;   // waiters in the queue, this one included
  std::string component, lock, mode, who;
  std::string behind; // "migration add_column waits for ACCESS EXCLUSIVE; ..." as the trace says
  std::string ended;  // how it ended, in words: "timed out after 0.100 s", "OOM: ..."
};

// One statement, at its end (a "query" event).
struct QueryEvent {
  double t_s = 0.0;
  LaneId lane = kNoLane;
  std::int64_t op = -1; // history op, when the trace gives it
  double rows_examined = 0.0, cpu_s = 0.0, io_bytes = 0.0, run_s = 0.0;
  std::string component, query, who, plan, outcome;
  std::string statement() const; // the `who` its lock waits use: "api (op 12) get_order"
};

// A service instance waiting for a connection from its pool (a "pool_wait" event, at the wait's end).
struct PoolWait {
  double t_s = 0.0;
  LaneId lane = kNoLane;
  bool timeout = false; // outcome "timeout"; else it got a "connection"
  double waited_s = 0.0;
  std::int64_t in_use = 0, waiting = 0, size = 0;
  std::string service, pool;
};

// A database's sampled levels (a "level" event). Sizes are -1 when not given.
struct LevelSample {
  double t_s = 0.0;
  double rows = 0.0, disk_used = 0.0, disk_size = -1.0, memory_used = 0.0, memory_size = -1.0;
  double cache_hit = -1.0;
  std::int64_t connections = 0, running = 0, lock_waiting = 0;
};
struct DatabaseLevels {
  std::string component;
  std::vector<LevelSample> samples; // by t_s
};

// One run of a scheduled job (a scheduler's "job" events: its start and its
// end), on the scheduler's node. `done` is what the job counted as done;
// a run that exited 0 with less than its work is the quiet failure the
// viewer marks apart from a run that failed loudly.
struct JobRun {
  double t_start_s = 0.0;
  double t_end_s = 0.0; // the trace's end when the run never ended (its node crashed)
  LaneId lane = kNoLane;
  bool ended = false;
  std::int64_t run = 0, expected = 0, done = 0, errors = 0, exit = 0;
  std::string component, job, why; // why: the end event's sentence
  bool short_of_work() const { return ended && done < expected; }
};

// An alert raised by an alerting component (an "alert" event), on its node.
struct AlertEvent {
  double t_s = 0.0;
  LaneId lane = kNoLane;
  std::string component, monitor, kind, job, why;
};

// What an autoscaler did ("autoscale" events, on its node). At any time
// each instance of the service it scales is in one of three phases: serving
// (in the load balancer), provisioning (from the decision to add it until it
// joined, or failed to), or spare (out of service). A span is one stretch of
// provisioning or of spare on one instance; serving is the plain lane.
struct ScalingSpan {
  enum class Phase : std::uint8_t { spare, provisioning };
  Phase phase = Phase::spare;
  LaneId lane = kNoLane;              // the instance's node
  double t_start_s = 0.0;
  double t_end_s = 0.0;               // the trace's end when nothing ended it
  std::string component, service;     // the autoscaler, the service it scales
  std::string why;                    // why it began, as the trace says ("" : spare from the start)
  std::string ended; // the action that ended it: "provisioning", "joined", "provision_failed", "left"; "" : none
};

// One of an autoscaler's decisions (scale_up, scale_down) or failures
// (blind: no instance answered its scrape; provision_failed; release_failed).
struct ScalingEvent {
  double t_s = 0.0;
  LaneId lane = kNoLane; // the autoscaler's node
  std::string component, service, action, instance, why;
  std::int64_t instances = 0, provisioning = 0; // after it, as the trace says
};

// An autoscaler's counts after each of its events: instances in service and
// provisioning, and what it wanted at its last scrape. A scrape (action
// "sample") also gives the metric (-1: no instance answered).
struct ScalingSample {
  double t_s = 0.0;
  std::int64_t instances = 0, provisioning = 0, desired = 0;
  double value = -1.0, average = -1.0;
  bool scrape = false;
};
struct ScalingSeries {
  std::string component, service;
  std::vector<ScalingSample> samples; // one per event, by t_s
};

// A component's event the viewer marks on its node, told in one sentence:
// a queue's group changes and incidents (queue_assign, queue_member_left,
// queue_duplicate, queue_lost, queue_deliver_failed, queue_commit_refused,
// queue_retention) and a logger's sink going away or coming back
// (log_sink) or the lines in its buffer lost in a crash (log_buffer "lost").
struct NoteEvent {
  enum class Tone : std::uint8_t { info, warn, bad }; // blue, amber, red
  double t_s = 0.0;
  LaneId lane = kNoLane;
  Tone tone = Tone::info;
  std::string ev, component;
  std::string text; // "notifier-1/1 left group notifier: no heartbeat for 6.000 s: ..."
};

// An asynchronous logger's buffer full (a "log_buffer" event "full" until
// "accepting", or until "lost": the process restarted after a crash): lines
// logged meanwhile were dropped.
struct LogBufferSpan {
  double t_start_s = 0.0;
  double t_end_s = 0.0; // the trace's end when it never accepted again
  LaneId lane = kNoLane;
  std::string ended;    // "accepting", "lost"; "" : open to the trace's end
  std::string component;
  std::int64_t buffer = 0;
  std::int64_t dropped = 0; // lines dropped while it was full (-1: the trace does not say)
  std::int64_t lost = 0;    // lines in memory lost with the crash ("lost")
};

// A sampled lag over time: an instance's event-loop lag ("loop_lag",
// seconds: how long a timer due then waited for the thread) or a consumer
// group's lag ("queue_lag", messages appended and not committed yet).
struct LagSample {
  double t_s = 0.0;
  double value = 0.0;
};
struct LagSeries {
  std::string component; // the service, or the queue
  std::string group;     // a queue's consumer group ("" for a loop)
  std::string node;      // a loop's instance ("" for a group)
  std::vector<LagSample> samples; // by t_s
};

// A violation's cause, as faultlab's causality analysis wrote it in the
// violation event (`cause`; absent in older traces): the faults it names,
// most relevant first, and the chain from the violation back to its root.
struct CauseFault {
  std::string name, type, relation; // relation: "active" or "ended 1.200 s before"
};
struct CauseStep {
  double t_s = 0.0;
  std::string node; // "" : nowhere in particular
  std::string text;
  std::string fault; // the fault's name when the step is a fault
};

struct Violation {
  double t_s = 0.0;
  std::string check, message;
  std::vector<std::int64_t> ops;
  std::vector<CauseFault> cause_faults;
  std::vector<CauseStep> chain; // the violation first, its root cause last
  double t_first_s = 0.0; // earliest invoke of its ops (or t_s)
  double t_last_s = 0.0;  // latest completion of its ops (or t_s)
};

struct EndSummary {
  double t_s = 0.0;
  std::int64_t ops_ok = 0, ops_fail = 0, ops_info = 0, ops_total = 0;
  std::int64_t sent = 0, delivered = 0, dropped = 0;
  std::vector<std::pair<std::string, std::int64_t>> counts; // per check, trace order
};

enum class LaneKind : std::uint8_t { node, client };

// How the viewer shows a node, from its component's type (components.hpp):
// the types it knows, `other` for one it does not (shown generically), `none`
// for a node that runs nothing.
enum class ComponentKind : std::uint8_t {
  none,
  clients,
  replica,
  cache,
  service,
  shard,
  inventory,
  locks,
  other, // a type this viewer does not know: a generic node
};
const char* component_kind_name(ComponentKind k);

// Messages from one lane to another: a link, indexed on its own so that
// folding can count per destination without touching every message.
struct Channel {
  LaneId to = kNoLane;
  SplitSpanIndex messages; // items index Trace::messages; flag a = dropped
};

// A lane is one row of the space-time view: a node or a client group. Its
// indices are time-sorted and point into the trace's global arrays.
struct Lane {
  LaneKind kind = LaneKind::node;
  std::string name;
  std::string subtitle;                               // zone + roles, or "200 sessions on web -> profiles"
  std::uint8_t rows = 1;                              // op sub-rows for client lanes
  ComponentKind component_kind = ComponentKind::none; // node lanes: its main component's (components.hpp)
  std::string component, type, role;                  // the main component: "catalog-cache", "cache", "cache"
  std::vector<NodeComponent> components;              // everything the header says the node runs
  SplitSpanIndex ops;                      // items index Trace::ops; flag a = fail, flag b = info/pending
  std::vector<Channel> channels;           // messages sent from this lane, per destination
  std::vector<std::uint32_t> states;       // state events, by t_s
  std::vector<std::uint32_t> role_states;  // the ones that carry a role, by t_s
  std::vector<std::uint32_t> status_spans; // by t_start_s
  SplitSpanIndex lock_waits;               // items index Trace::lock_waits; flag a = timed out
  std::uint8_t lock_rows = 0;              // sub-rows of lock waits (0: none)
  std::size_t messages_in = 0;             // messages sent to this lane, whole trace
  std::vector<std::uint32_t> scaling_spans; // an instance's spare / provisioning stretches, by t_start_s
  std::vector<std::uint32_t> scaling_events; // an autoscaler's decisions and failures, by t_s
  std::vector<std::uint32_t> notes;          // components' events told in a sentence, by t_s
  std::vector<std::uint32_t> log_buffers;    // a logger's buffer full, by t_start_s

  // Nothing happened here in the whole run (a component this design never uses).
  bool idle() const {
    return channels.empty() && messages_in == 0 && states.empty() && status_spans.empty() && lock_waits.size() == 0 &&
           scaling_spans.empty() && scaling_events.empty() && notes.empty() && log_buffers.empty();
  }
};

struct Trace {
  std::string path;
  TraceHeader header;
  EndSummary end;
  std::vector<Lane> lanes;
  std::vector<Op> ops;                  // sorted by t_invoke_s
  std::vector<Message> messages;        // sorted by t_send_s
  std::vector<Fault> faults;            // sorted by t_start_s
  std::vector<StatusSpan> status_spans; // sorted by t_start_s
  std::vector<StateEvent> states;       // sorted by t_s
  std::vector<Violation> violations;    // sorted by t_s
  std::vector<Recovered> recoveries;    // in trace order (faultlab writes them at the time of recovery)
  std::vector<double> violation_times;  // same order, for lower_bound
  std::vector<LockWait> lock_waits;     // sorted by t_start_s
  std::vector<QueryEvent> queries;      // sorted by t_s
  std::vector<PoolWait> pool_waits;     // sorted by t_s
  std::vector<DatabaseLevels> levels;   // per database component, in order of first appearance
  std::vector<JobRun> job_runs;         // sorted by t_start_s
  std::vector<AlertEvent> alerts;       // sorted by t_s
  std::vector<ScalingSpan> scaling_spans;   // sorted by t_start_s
  std::vector<ScalingEvent> scaling_events; // sorted by t_s
  std::vector<ScalingSeries> scaling;       // per autoscaler, in order of first appearance
  std::vector<NoteEvent> notes;             // sorted by t_s
  std::vector<LogBufferSpan> log_buffers;   // sorted by t_start_s
  std::vector<LagSeries> loop_lags;         // per service instance, in order of first appearance
  std::vector<LagSeries> queue_lags;        // per queue and group, in order of first appearance
  std::vector<std::string> message_kinds;
  std::vector<std::string> drop_reasons;
  std::unordered_map<std::int64_t, std::uint32_t> op_index; // op id -> index into ops
  std::unordered_multimap<std::int64_t, std::uint32_t> lock_waits_by_op; // op id -> its lock waits
  std::unordered_multimap<std::int64_t, std::uint32_t> queries_by_op;    // op id -> its statements
  std::size_t event_count = 0;
  std::size_t ignored_events = 0; // unknown "ev" kinds (newer writers)

  double t_begin_s() const { return 0.0; }
  double t_end_s() const { return end.t_s; }
  LaneId lane_of(const std::string& name) const;
  const Op* find_op(std::int64_t id) const;
  std::int64_t violation_count(const std::string& check) const;
};

} // namespace faultlab::viz
