// Line-by-line reader of faultlab-trace v1 and v2 (which only adds each header
// node's components). Pairs invokes with completions and sends with
// deliveries/drops as it goes; builder.cpp then sorts and indexes.
#include "trace_model/load.hpp"

#include "trace_model/builder.hpp"
#include "trace_model/flat_json.hpp"
#include "trace_model/line_access.hpp"
#include "trace_model/read_database.hpp"
#include "trace_model/read_runtime.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <string_view>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace faultlab::viz {
namespace {

using detail::FlatLine;
using detail::Line;
using nlohmann::json;

// A version 2 node's "components": [{"component", "type", "role"}, ...].
std::vector<NodeComponent> read_components(const json& node, const std::string& where) {
  std::vector<NodeComponent> out;
  auto it = node.find("components");
  if (it == node.end()) return out;
  Line l(node, where);
  if (!it->is_array()) l.fail("a node's \"components\" should be an array, got " + detail::type_name(*it));
  for (const auto& c : *it) {
    if (!c.is_object()) l.fail("a node's \"components\" should hold objects");
    Line cl(c, where);
    out.push_back({cl.string_or("component"), cl.string("type"), cl.string_or("role")});
  }
  return out;
}

TraceHeader read_header(const json& j, const std::string& where) {
  Line l(j, where);
  if (!j.is_object()) l.fail("the first line should be a JSON object (the trace header)");
  if (l.string_or("format") != "faultlab-trace")
    l.fail("not a faultlab trace: the header has no \"format\":\"faultlab-trace\"");
  TraceHeader h;
  h.version = static_cast<int>(l.integer("version"));
  if (h.version > kTraceFormatVersion)
    l.fail("trace format version " + std::to_string(h.version) + " is newer than this viewer understands (" +
           std::to_string(kTraceFormatVersion) + "); update faultlab-viz");
  if (h.version < 1) l.fail("unknown trace format version " + std::to_string(h.version));
  h.scenario = l.string_or("scenario");
  h.file = l.string_or("file");
  h.variant = l.string_or("variant");
  h.title = l.string_or("title");
  h.lesson = l.string_or("lesson");
  h.design = l.string_or("design");
  h.seed = l.integer_or("seed", 0);
  h.duration_s = l.find("duration_s") ? l.number("duration_s") : 0.0;
  if (const json* nodes = l.find("nodes"); nodes && nodes->is_array()) {
    for (const auto& n : *nodes) {
      Line nl(n, where);
      if (!n.is_object()) l.fail("\"nodes\" should hold objects");
      h.nodes.push_back({nl.string("name"), nl.string_or("zone"), nl.strings_or(n, "roles"), {}});
      if (h.version >= 2) h.nodes.back().components = read_components(n, where);
    }
  }
  if (const json* clients = l.find("clients"); clients && clients->is_array()) {
    for (const auto& c : *clients) {
      Line cl(c, where);
      if (!c.is_object()) l.fail("\"clients\" should hold objects");
      h.clients.push_back({cl.string("name"), cl.string_or("node"), cl.string_or("target"),
                           static_cast<int>(cl.integer_or("sessions", 0))});
    }
  }
  if (const json* checks = l.find("checks"); checks && checks->is_array())
    for (const auto& c : *checks)
      if (c.is_string()) h.checks.push_back(c.get<std::string>());
  // Optional (older traces lack it): the run's --set overrides.
  h.overrides = l.strings_or(j, "overrides");
  return h;
}

template <typename L> void read_op(TraceBuilder& b, const L& l, double t) {
  const std::string type = l.string("type");
  const std::int64_t id = l.integer("op");
  if (type == "invoke") {
    Op op;
    op.id = id;
    op.t_invoke_s = t;
    op.t_complete_s = t;
    op.process = static_cast<int>(l.integer_or("process", 0));
    op.lane = b.client_lane(l.string_or("client", "clients"));
    op.f = l.string_or("f");
    op.key = l.text_or("key");
    op.value = l.text_or("value");
    op.is_final = op.process < 0;
    b.invoke(std::move(op));
    return;
  }
  Outcome outcome = Outcome::info;
  if (type == "ok")
    outcome = Outcome::ok;
  else if (type == "fail")
    outcome = Outcome::fail;
  else if (type != "info")
    l.fail("op \"type\" should be invoke, ok, fail or info, got \"" + type + "\"");
  Op* op = b.open_op(id);
  if (!op) l.fail("completion of op " + std::to_string(id) + " that was never invoked");
  op->t_complete_s = t;
  op->outcome = outcome;
  if (l.find("value")) op->value = l.text_or("value");
  op->node = l.string_or("node");
  op->error = l.text_or("error");
  if (l.flag("final")) op->is_final = true;
}

template <typename L> void read_message(TraceBuilder& b, const L& l, double t, const std::string& ev) {
  const std::int64_t id = l.integer("msg");
  if (ev == "send") {
    Message m;
    m.id = id;
    m.op = l.integer_or("op", -1);
    m.t_send_s = t;
    m.t_end_s = t;
    m.from = b.node_lane(l.string("from"));
    m.to = b.node_lane(l.string("to"));
    m.kind = b.message_kind(l.string_or("kind", "?"));
    m.size_bytes = l.integer_or("size", 0);
    b.send(std::move(m));
    return;
  }
  Message* m = b.open_message(id);
  if (!m) {
    // A drop (or deliver) whose send is not in the trace: keep it as a point.
    Message fresh;
    fresh.id = id;
    fresh.op = l.integer_or("op", -1);
    fresh.t_send_s = t;
    fresh.from = b.node_lane(l.string("from"));
    fresh.to = b.node_lane(l.string("to"));
    fresh.kind = b.message_kind(l.string_or("kind", "?"));
    m = b.send(std::move(fresh));
  }
  m->t_end_s = t;
  if (ev == "deliver") {
    m->delivered = true;
  } else {
    m->dropped = true;
    m->reason = b.drop_reason(l.string_or("reason", "unknown"));
  }
  b.close_message(id);
}

void read_fault(TraceBuilder& b, const Line& l, const json& j, double t) {
  Fault f;
  f.name = l.string_or("name", "fault");
  f.type = l.string_or("type", "?");
  f.node = l.string_or("node");
  f.t_start_s = t;
  f.t_end_s = -1.0;
  if (auto d = j.find("details"); d != j.end() && d->is_object()) {
    f.details = d->dump();
    if (auto g = d->find("groups"); g != d->end() && g->is_object()) {
      f.left = l.strings_or(*g, "left");
      f.right = l.strings_or(*g, "right");
    }
    if (auto ow = d->find("one_way"); ow != d->end() && ow->is_object()) {
      Line owl(*ow, "");
      f.one_way_from = owl.text_or("from");
      f.one_way_to = owl.text_or("to");
    }
    f.nodes = l.strings_or(*d, "nodes");
  }
  const std::string phase = l.string_or("phase");
  if (phase == "end")
    b.end_fault(f, t);
  else
    b.start_fault(std::move(f), phase == "start");
}

// A violation's `cause` (written by faultlab since its causality analysis).
// Entries of the wrong shape are skipped: the cause is an explanation, and a
// trace without one is still a good trace.
void read_cause(Violation& v, const json& j) {
  const auto c = j.find("cause");
  if (c == j.end() || !c->is_object()) return;
  auto text = [](const json& o, const char* key) {
    const auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (auto faults = c->find("faults"); faults != c->end() && faults->is_array())
    for (const auto& f : *faults)
      if (f.is_object()) v.cause_faults.push_back({text(f, "name"), text(f, "type"), text(f, "relation")});
  if (auto chain = c->find("chain"); chain != c->end() && chain->is_array())
    for (const auto& s : *chain) {
      if (!s.is_object()) continue;
      const auto t = s.find("t_s");
      v.chain.push_back({t != s.end() && t->is_number() ? t->get<double>() : v.t_s, text(s, "node"), text(s, "text"),
                         text(s, "fault")});
    }
}

void read_end(TraceBuilder& b, const Line& l, const json& j, double t) {
  EndSummary& e = b.end_summary();
  e.t_s = t;
  if (auto ops = j.find("ops"); ops != j.end() && ops->is_object()) {
    Line ol(*ops, "");
    e.ops_ok = ol.integer_or("ok", 0);
    e.ops_fail = ol.integer_or("fail", 0);
    e.ops_info = ol.integer_or("info", 0);
    e.ops_total = ol.integer_or("total", 0);
  }
  if (auto msgs = j.find("messages"); msgs != j.end() && msgs->is_object()) {
    Line ml(*msgs, "");
    e.sent = ml.integer_or("sent", 0);
    e.delivered = ml.integer_or("delivered", 0);
    e.dropped = ml.integer_or("dropped", 0);
  }
  if (auto counts = j.find("counts"); counts != j.end() && counts->is_object())
    for (const auto& [name, n] : counts->items())
      e.counts.emplace_back(name, n.is_number_integer() ? n.get<std::int64_t>() : 0);
  (void)l;
}

template <typename L> void read_state_or_node(TraceBuilder& b, const L& l, double t, const std::string& ev) {
  if (ev == "node") {
    b.node_status(b.node_lane(l.string("node")), l.string("status"), t);
    return;
  }
  StateEvent s;
  s.t_s = t;
  s.lane = b.node_lane(l.string("node"));
  s.component = l.string_or("component");
  s.role = l.string_or("role");
  if (!s.role.empty() && l.find("term")) s.term = l.integer("term");
  s.applied = l.find("applied") ? l.integer("applied") : -1;
  s.key = l.text_or("key");
  s.value = l.text_or("value");
  s.why = l.string_or("why");
  s.entries = l.integer_or("entries", -1);
  b.state(std::move(s));
}

// The fast path: a flat line of one of the frequent kinds. False: use the full parser.
bool read_flat_event(TraceBuilder& b, const FlatObject& o, const std::string& where) {
  const FlatValue* ev_field = o.find("ev");
  const FlatValue* t_field = o.find("t");
  if (!ev_field || !t_field || ev_field->type != FlatValue::Type::string ||
      t_field->type != FlatValue::Type::number)
    return false;
  const std::string& ev = ev_field->text;
  FlatLine l(o, where);
  const double t = t_field->number;
  if (ev == "op")
    read_op(b, l, t);
  else if (ev == "send" || ev == "deliver" || ev == "drop")
    read_message(b, l, t, ev);
  else if (ev == "state" || ev == "node")
    read_state_or_node(b, l, t, ev);
  else
    return detail::read_database_event(b, l, t, ev) || detail::read_runtime_event(b, l, t, ev);
  return true;
}

void read_event(TraceBuilder& b, const json& j, const std::string& where) {
  Line l(j, where);
  if (!j.is_object()) l.fail("each line should be a JSON object");
  const double t = l.number("t");
  const std::string ev = l.string("ev");
  if (ev == "op") {
    read_op(b, l, t);
  } else if (ev == "send" || ev == "deliver" || ev == "drop") {
    read_message(b, l, t, ev);
  } else if (ev == "state" || ev == "node") {
    read_state_or_node(b, l, t, ev);
  } else if (ev == "fault") {
    read_fault(b, l, j, t);
  } else if (ev == "violation") {
    Violation v;
    v.t_s = t;
    v.check = l.string_or("check", "?");
    v.message = l.string_or("message");
    if (auto ops = j.find("ops"); ops != j.end() && ops->is_array())
      for (const auto& id : *ops)
        if (id.is_number_integer()) v.ops.push_back(id.get<std::int64_t>());
    read_cause(v, j);
    b.violation(std::move(v));
  } else if (ev == "recovered") {
    Recovered r;
    r.t_s = t;
    r.fault = l.string_or("fault");
    r.signal = l.string_or("signal", "?");
    if (auto f = j.find("from_s"); f != j.end() && f->is_number()) r.from_s = f->get<double>();
    if (auto a = j.find("after_s"); a != j.end() && a->is_number()) r.after_s = a->get<double>();
    if (auto o = j.find("outage_s"); o != j.end() && o->is_number()) r.outage_s = o->get<double>();
    b.recovered(std::move(r));
  } else if (ev == "end") {
    read_end(b, l, j, t);
  } else if (ev == "job") {
    // A scheduler's run: "start" then "end" (with its counts and exit code).
    JobRun r;
    r.t_start_s = r.t_end_s = t;
    r.lane = b.node_lane(l.string("node"));
    r.component = l.string("component");
    r.job = l.string("job");
    r.run = l.integer("run");
    r.expected = l.integer_or("expected", 0);
    r.done = l.integer_or("done", 0);
    r.errors = l.integer_or("errors", 0);
    r.exit = l.integer_or("exit", 0);
    r.why = l.string_or("why");
    const std::string phase = l.string("phase");
    if (phase == "start") b.job_start(std::move(r));
    else if (phase == "end") b.job_end(r.component, r.job, r.run, t, r);
    else l.fail("job \"phase\" should be start or end, got \"" + phase + "\"");
  } else if (ev == "alert") {
    AlertEvent a;
    a.t_s = t;
    a.lane = b.node_lane(l.string("node"));
    a.component = l.string("component");
    a.job = l.string("job");
    a.monitor = l.string_or("monitor");
    a.kind = l.string_or("kind");
    a.why = l.string_or("why");
    b.alert(std::move(a));
  } else if (ev == "autoscale") {
    // An autoscaler's sample, decision, or an instance's change of phase.
    ScalingEvent e;
    e.t_s = t;
    e.lane = b.node_lane(l.string("node"));
    e.component = l.string("component");
    e.service = l.string_or("service");
    e.action = l.string("action");
    e.instance = l.string_or("instance");
    e.why = l.string_or("why");
    e.instances = l.integer_or("instances", 0);
    e.provisioning = l.integer_or("provisioning", 0);
    ScalingSample s;
    s.t_s = t;
    s.instances = e.instances;
    s.provisioning = e.provisioning;
    s.desired = l.integer_or("desired", e.instances);
    s.value = l.number_or("value", -1.0);
    s.average = l.number_or("average", -1.0);
    b.autoscale(std::move(e), s);
  } else if (detail::read_database_event(b, l, t, ev) || detail::read_runtime_event(b, l, t, ev)) {
    // lock_wait, lock_timeout, query, pool_wait, level (read_database.hpp); loop_lag, log_*, queue_*
    // (read_runtime.hpp)
  } else {
    b.ignored_event(); // a newer writer's event kind: skip it
  }
}

} // namespace

Trace parse_trace(std::string_view text, const std::string& name) {
  TraceBuilder b(name);
  std::string_view rest(text);
  std::size_t line_no = 0;
  bool have_header = false;
  bool have_end = false;
  std::string where;
  FlatObject flat;
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (have_end)
      throw TraceError(name + ":" + std::to_string(line_no) + ": unexpected line after the \"end\" line");
    if (have_header && flat.parse(line)) {
      // `where` is only built when needed: a million to_string calls cost more than the parse.
      try {
        if (read_flat_event(b, flat, name)) continue;
      } catch (const TraceError& e) {
        throw TraceError(name + ":" + std::to_string(line_no) + std::string(e.what()).substr(name.size()));
      }
    }
    where = name + ":" + std::to_string(line_no);
    json j = json::parse(line.begin(), line.end(), nullptr, false);
    if (j.is_discarded()) {
      if (rest.empty() && have_header)
        throw TraceError(where +
                         ": truncated: the last line is not complete JSON and no \"end\" line follows " +
                         "(the run was cut short, or the file was copied while being written)");
      throw TraceError(where + ": malformed JSON (each line should be one JSON object)");
    }
    if (!have_header) {
      b.set_header(read_header(j, where));
      have_header = true;
      continue;
    }
    read_event(b, j, where);
    if (j.value("ev", "") == "end") have_end = true;
  }
  if (!have_header) throw TraceError(name + ": empty file: expected a faultlab-trace header line");
  if (!have_end)
    throw TraceError(name + ": truncated: no \"end\" line after line " + std::to_string(line_no) +
                     " (the run was cut short, or the file was copied while being written)");
  return b.finish();
}

namespace {
// The file mapped read-only: no copy of a 100 MB trace into a string first.
class MappedFile {
public:
  explicit MappedFile(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw TraceError(path + ": cannot open the trace file (missing, or not readable)");
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode))
      throw TraceError(path + ": cannot read the trace file (not a regular file)");
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ == 0) return;
    data_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
    if (data_ == MAP_FAILED) {
      data_ = nullptr;
      throw TraceError(path + ": read error (cannot map the file)");
    }
    ::madvise(data_, size_, MADV_SEQUENTIAL);
  }
  ~MappedFile() {
    if (data_) ::munmap(data_, size_);
    if (fd_ >= 0) ::close(fd_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view text() const {
    return data_ ? std::string_view(static_cast<const char*>(data_), size_) : "";
  }

private:
  int fd_ = -1;
  void* data_ = nullptr;
  std::size_t size_ = 0;
};
} // namespace

Trace load_trace(const std::string& path) {
  MappedFile file(path);
  Trace t = parse_trace(file.text(), path);
  t.path = path;
  return t;
}

} // namespace faultlab::viz
