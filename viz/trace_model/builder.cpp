#include "trace_model/builder.hpp"

#include "trace_model/components.hpp"

#include <algorithm>
#include <cassert>

namespace faultlab::viz {

namespace {
constexpr std::size_t kMaxLanes = 4096; // a limit on everything: lanes are drawn one per row
constexpr std::uint8_t kMaxOpRows = 4;  // overlapping ops share at most this many sub-rows

template <typename T, typename Key> void sort_by(std::vector<T>& v, Key key) {
  std::stable_sort(v.begin(), v.end(), [&](const T& a, const T& b) { return key(a) < key(b); });
}
} // namespace

TraceBuilder::TraceBuilder(std::string name) {
  t_.path = std::move(name);
}

void TraceBuilder::set_header(TraceHeader h) {
  t_.header = std::move(h);
  for (const auto& n : t_.header.nodes)
    node_lane(n.name);
  for (const auto& c : t_.header.clients)
    client_lane(c.name);
}

LaneId TraceBuilder::node_lane(const std::string& name) {
  if (auto it = node_lanes_.find(name); it != node_lanes_.end()) return it->second;
  if (t_.lanes.size() >= kMaxLanes) return node_lanes_.begin()->second;
  Lane lane;
  lane.kind = LaneKind::node;
  lane.name = name;
  // What it runs, and its subtitle, are set from the header in finish().
  const auto id = static_cast<LaneId>(t_.lanes.size());
  t_.lanes.push_back(std::move(lane));
  node_lanes_.emplace(name, id);
  return id;
}

LaneId TraceBuilder::client_lane(const std::string& name) {
  if (auto it = client_lanes_.find(name); it != client_lanes_.end()) return it->second;
  if (t_.lanes.size() >= kMaxLanes) return t_.lanes.empty() ? 0 : client_lanes_.begin()->second;
  Lane lane;
  lane.kind = LaneKind::client;
  lane.name = name;
  for (const auto& c : t_.header.clients)
    if (c.name == name)
      lane.subtitle = std::to_string(c.sessions) + " sessions on " + c.node + " -> " + c.target;
  const auto id = static_cast<LaneId>(t_.lanes.size());
  t_.lanes.push_back(std::move(lane));
  client_lanes_.emplace(name, id);
  return id;
}

static std::uint16_t intern(std::vector<std::string>& table, const std::string& s) {
  for (std::size_t i = 0; i < table.size(); ++i)
    if (table[i] == s) return static_cast<std::uint16_t>(i);
  if (table.size() >= 0xfffe) return 0;
  table.push_back(s);
  return static_cast<std::uint16_t>(table.size() - 1);
}

std::uint16_t TraceBuilder::message_kind(const std::string& kind) {
  return intern(t_.message_kinds, kind);
}
std::uint16_t TraceBuilder::drop_reason(const std::string& reason) {
  return intern(t_.drop_reasons, reason);
}

void TraceBuilder::invoke(Op op) {
  ++t_.event_count;
  const auto index = static_cast<std::uint32_t>(t_.ops.size());
  t_.op_index[op.id] = index;
  t_.ops.push_back(std::move(op));
}

Op* TraceBuilder::open_op(std::int64_t id) {
  ++t_.event_count;
  auto it = t_.op_index.find(id);
  return it == t_.op_index.end() ? nullptr : &t_.ops[it->second];
}

Message* TraceBuilder::send(Message m) {
  ++t_.event_count;
  const auto index = static_cast<std::uint32_t>(t_.messages.size());
  open_messages_[m.id] = index;
  t_.messages.push_back(std::move(m));
  return &t_.messages.back();
}

Message* TraceBuilder::open_message(std::int64_t id) {
  ++t_.event_count;
  auto it = open_messages_.find(id);
  return it == open_messages_.end() ? nullptr : &t_.messages[it->second];
}

void TraceBuilder::close_message(std::int64_t id) {
  open_messages_.erase(id);
}

void TraceBuilder::job_start(JobRun r) {
  ++t_.event_count;
  open_job_runs_[r.component + "\n" + r.job + "\n" + std::to_string(r.run)] =
      static_cast<std::uint32_t>(t_.job_runs.size());
  t_.job_runs.push_back(std::move(r));
}

void TraceBuilder::job_end(const std::string& component, const std::string& job, std::int64_t run, double t_s,
                           const JobRun& counts) {
  ++t_.event_count;
  const std::string key = component + "\n" + job + "\n" + std::to_string(run);
  auto it = open_job_runs_.find(key);
  if (it == open_job_runs_.end()) { // an end without its start (a cut trace): a run of no length
    JobRun r = counts;
    r.t_start_s = t_s;
    open_job_runs_[key] = static_cast<std::uint32_t>(t_.job_runs.size());
    t_.job_runs.push_back(std::move(r));
    it = open_job_runs_.find(key);
  }
  JobRun& r = t_.job_runs[it->second];
  r.t_end_s = t_s;
  r.ended = true;
  r.expected = counts.expected;
  r.done = counts.done;
  r.errors = counts.errors;
  r.exit = counts.exit;
  r.why = counts.why;
  open_job_runs_.erase(it);
}

void TraceBuilder::node_status(LaneId lane, const std::string& status, double t_s) {
  ++t_.event_count;
  if (auto it = open_status_.find(lane); it != open_status_.end()) {
    t_.status_spans[it->second].t_end_s = t_s;
    open_status_.erase(it);
  }
  if (status == "down" || status == "paused") {
    open_status_[lane] = static_cast<std::uint32_t>(t_.status_spans.size());
    t_.status_spans.push_back({lane, status, t_s, -1.0});
  }
}

void TraceBuilder::start_fault(Fault f, bool lasting) {
  ++t_.event_count;
  if (f.type == "heal") {
    // A heal closes the partitions still open.
    for (auto it = open_faults_.begin(); it != open_faults_.end();) {
      if (t_.faults[it->second].type == "partition") {
        t_.faults[it->second].t_end_s = f.t_start_s;
        it = open_faults_.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (lasting)
    open_faults_.emplace(f.name, static_cast<std::uint32_t>(t_.faults.size()));
  else
    f.t_end_s = f.t_start_s;
  t_.faults.push_back(std::move(f));
}

void TraceBuilder::end_fault(const Fault& f, double t_s) {
  ++t_.event_count;
  auto it = open_faults_.find(f.name);
  if (it == open_faults_.end()) {
    Fault point = f;
    point.t_start_s = point.t_end_s = t_s;
    t_.faults.push_back(std::move(point));
    return;
  }
  t_.faults[it->second].t_end_s = t_s;
  open_faults_.erase(it);
}

Trace TraceBuilder::finish() {
  const double t_end = t_.end.t_s;
  for (auto& op : t_.ops)
    if (op.outcome == Outcome::pending) op.t_complete_s = std::max(op.t_invoke_s, t_end);
  for (auto& f : t_.faults)
    if (f.t_end_s < 0) f.t_end_s = t_end;
  for (auto& s : t_.status_spans)
    if (s.t_end_s < 0) s.t_end_s = t_end;

  // Events arrive in time order, but sort anyway: a hand-edited trace may not be.
  sort_by(t_.ops, [](const Op& o) { return o.t_invoke_s; });
  sort_by(t_.messages, [](const Message& m) { return m.t_send_s; });
  sort_by(t_.faults, [](const Fault& f) { return f.t_start_s; });
  sort_by(t_.status_spans, [](const StatusSpan& s) { return s.t_start_s; });
  sort_by(t_.states, [](const StateEvent& s) { return s.t_s; });
  sort_by(t_.violations, [](const Violation& v) { return v.t_s; });
  t_.op_index.clear();
  t_.op_index.reserve(t_.ops.size());
  for (std::size_t i = 0; i < t_.ops.size(); ++i)
    t_.op_index[t_.ops[i].id] = static_cast<std::uint32_t>(i);
  t_.violation_times.clear();
  for (const auto& v : t_.violations)
    t_.violation_times.push_back(v.t_s);

  index_lanes();
  finish_database();
  for (auto& r : t_.job_runs)
    if (!r.ended) r.t_end_s = std::max(r.t_start_s, t_end);
  sort_by(t_.job_runs, [](const JobRun& r) { return r.t_start_s; });
  sort_by(t_.alerts, [](const AlertEvent& a) { return a.t_s; });
  // Version 2 says what each node runs; version 1 leaves it to be inferred.
  if (t_.header.version >= 2)
    assign_components(t_);
  else
    infer_components_v1(t_);
  finish_scaling(); // after the components: an instance's role says whether it starts spare
  finish_runtime();
  for (Lane& lane : t_.lanes) // a lane shows four rows of them: say how many there are
    if (lane.lock_waits.size() > 0)
      lane.subtitle += (lane.subtitle.empty() ? "" : "  ") + std::to_string(lane.lock_waits.size()) + " lock waits";
  assign_op_rows();
  fill_violation_windows();
  return std::move(t_);
}

void TraceBuilder::index_lanes() {
  for (std::size_t i = 0; i < t_.ops.size(); ++i) {
    const Op& op = t_.ops[i];
    const bool fail = op.outcome == Outcome::fail;
    const bool unknown = op.outcome == Outcome::info || op.outcome == Outcome::pending;
    t_.lanes[op.lane].ops.add(static_cast<std::uint32_t>(i), op.t_invoke_s, op.t_complete_s, fail, unknown);
  }
  for (std::size_t i = 0; i < t_.messages.size(); ++i) {
    const Message& m = t_.messages[i];
    auto& channels = t_.lanes[m.from].channels;
    auto it = std::find_if(channels.begin(), channels.end(), [&](const Channel& c) { return c.to == m.to; });
    if (it == channels.end()) {
      channels.push_back(Channel{m.to, {}});
      it = channels.end() - 1;
    }
    it->messages.add(static_cast<std::uint32_t>(i), m.t_send_s, m.t_end_s, m.dropped, false);
    ++t_.lanes[m.to].messages_in;
  }
  for (Lane& lane : t_.lanes) {
    lane.ops.finish();
    for (Channel& c : lane.channels)
      c.messages.finish();
  }
  for (std::size_t i = 0; i < t_.states.size(); ++i) {
    const StateEvent& s = t_.states[i];
    Lane& lane = t_.lanes[s.lane];
    lane.states.push_back(static_cast<std::uint32_t>(i));
    if (!s.role.empty()) lane.role_states.push_back(static_cast<std::uint32_t>(i));
  }
  for (std::size_t i = 0; i < t_.status_spans.size(); ++i)
    t_.lanes[t_.status_spans[i].lane].status_spans.push_back(static_cast<std::uint32_t>(i));
}

// Greedy interval packing: each op takes the first sub-row that is free at its
// invoke time, so concurrent ops do not hide each other (up to kMaxOpRows).
void TraceBuilder::assign_op_rows() {
  for (Lane& lane : t_.lanes) {
    if (lane.kind != LaneKind::client) continue;
    std::vector<double> row_end;
    const LaneId id = static_cast<LaneId>(&lane - t_.lanes.data());
    for (Op& op : t_.ops) {
      if (op.lane != id) continue;
      std::size_t row = row_end.size();
      for (std::size_t r = 0; r < row_end.size(); ++r)
        if (row_end[r] <= op.t_invoke_s) {
          row = r;
          break;
        }
      if (row == row_end.size()) {
        if (row_end.size() < kMaxOpRows)
          row_end.push_back(0.0);
        else
          row = static_cast<std::size_t>(std::min_element(row_end.begin(), row_end.end()) - row_end.begin());
      }
      row_end[row] = std::max(row_end[row], op.t_complete_s);
      op.row = static_cast<std::uint8_t>(row);
    }
    lane.rows = static_cast<std::uint8_t>(std::max<std::size_t>(1, row_end.size()));
  }
}

void TraceBuilder::fill_violation_windows() {
  for (Violation& v : t_.violations) {
    v.t_first_s = v.t_last_s = v.t_s;
    for (std::int64_t id : v.ops) {
      if (const Op* op = t_.find_op(id)) {
        v.t_first_s = std::min(v.t_first_s, op->t_invoke_s);
        v.t_last_s = std::max(v.t_last_s, op->t_complete_s);
      }
    }
    assert(v.t_first_s <= v.t_last_s);
  }
}

// --- Trace accessors --------------------------------------------------------

const char* outcome_name(Outcome o) {
  switch (o) {
  case Outcome::ok:
    return "ok";
  case Outcome::fail:
    return "fail";
  case Outcome::info:
    return "info (outcome unknown)";
  case Outcome::pending:
    return "pending (no completion)";
  }
  return "?";
}

const char* component_kind_name(ComponentKind k) {
  switch (k) {
  case ComponentKind::none:
    return "";
  case ComponentKind::clients:
    return "clients";
  case ComponentKind::replica:
    return "replica";
  case ComponentKind::cache:
    return "cache";
  case ComponentKind::service:
    return "service";
  case ComponentKind::shard:
    return "shard";
  case ComponentKind::inventory:
    return "stock table";
  case ComponentKind::locks:
    return "lock service";
  case ComponentKind::other:
    return "component";
  }
  return "";
}

std::string run_title(const TraceHeader& h) {
  std::string s = h.scenario + " / " + h.variant + " (seed " + std::to_string(h.seed) + ")";
  for (const auto& o : h.overrides) {
    // Quoted when a shell would split or expand it, so the title can be pasted.
    if (o.find_first_of(" \t'\"$`\\!*?[]{}()<>|&;#~") == std::string::npos) {
      s += " --set " + o;
      continue;
    }
    s += " --set '";
    for (char c : o)
      s += c == '\'' ? std::string("'\\''") : std::string(1, c);
    s += "'";
  }
  return s;
}

LaneId Trace::lane_of(const std::string& name) const {
  for (std::size_t i = 0; i < lanes.size(); ++i)
    if (lanes[i].name == name) return static_cast<LaneId>(i);
  return kNoLane;
}

const Op* Trace::find_op(std::int64_t id) const {
  auto it = op_index.find(id);
  return it == op_index.end() ? nullptr : &ops[it->second];
}

std::int64_t Trace::violation_count(const std::string& check) const {
  std::int64_t n = 0;
  for (const auto& v : violations)
    n += v.check == check ? 1 : 0;
  return n;
}

} // namespace faultlab::viz
