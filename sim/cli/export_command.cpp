#include "cli/export_command.hpp"

#include "cli/commands.hpp"
#include "history/history_io.hpp"
#include "history/trace_writer.hpp"
#include "util/input_error.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <ostream>
#include <sstream>

namespace faultlab::cli {
namespace {

using Json = nlohmann::ordered_json;

// Microseconds, as trace-event timestamps are.
double us(double seconds) { return std::round(seconds * 1e9) / 1e3; }

std::int64_t ns(double seconds) { return static_cast<std::int64_t>(std::llround(seconds * 1e9)); }

// One track (pid, tid) per node, and one per client session under its
// client group's node, named by metadata events.
class Tracks {
public:
  explicit Tracks(Json& events) : events_(events) {}
  int node(const std::string& name) {
    auto [it, fresh] = nodes_.emplace(name, static_cast<int>(nodes_.size()) + 1);
    if (fresh) {
      events_.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", it->second}, {"tid", 0},
                         {"args", {{"name", name}}}});
      events_.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", it->second}, {"tid", 0},
                         {"args", {{"name", name}}}});
    }
    return it->second;
  }
  // A client session's own track: pid of a "clients: <group>" process.
  std::pair<int, int> session(const std::string& group, std::int64_t process) {
    const int pid = node("clients: " + (group.empty() ? std::string("?") : group));
    const int tid = static_cast<int>(process < 0 ? 1'000'000 : process + 1); // final reads on their own track
    if (named_.emplace(pid, tid).second)
      events_.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", pid}, {"tid", tid},
                         {"args", {{"name", process < 0 ? "final reads" : "session " + std::to_string(process)}}}});
    return {pid, tid};
  }

private:
  Json& events_;
  std::map<std::string, int> nodes_; // by name: ids in order of first use
  std::set<std::pair<int, int>> named_;
};

Json perfetto(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw util::InputError("no-file", path, "cannot open the file (does it exist?)");
  Json events = Json::array();
  Tracks tracks(events);
  std::string line;
  std::getline(in, line); // header: checked by the history reader before
  std::map<std::int64_t, Json> invokes;                 // op id -> its invoke event
  std::map<std::string, std::int64_t> in_flight;        // client group -> ops in flight
  std::map<std::pair<std::string, std::string>, Json> fault_starts; // (name, node) -> start
  const int faults_pid = tracks.node("faults");
  std::size_t number = 1;
  while (std::getline(in, line)) {
    ++number;
    Json e = Json::parse(line, nullptr, false);
    if (!e.is_object() || !e.contains("ev") || !e.contains("t")) continue; // the end line, or noise
    const std::string ev = e["ev"].get<std::string>();
    const double t = e["t"].get<double>();
    if (ev == "op") {
      const std::int64_t id = e.value("op", std::int64_t{-1});
      const std::string type = e.value("type", "");
      const std::string client = e.value("client", "");
      if (type == "invoke") {
        invokes[id] = e;
        events.push_back({{"ph", "C"}, {"name", "ops in flight: " + client}, {"pid", tracks.node("clients: " + client)},
                          {"tid", 0}, {"ts", us(t)}, {"args", {{"ops", ++in_flight[client]}}}});
        continue;
      }
      auto it = invokes.find(id);
      if (it == invokes.end()) continue;
      const Json& inv = it->second;
      auto [pid, tid] = tracks.session(client, inv.value("process", std::int64_t{0}));
      Json args = {{"op", id}, {"outcome", type}, {"key", inv.value("key", "")}};
      if (inv.contains("value")) args["written"] = inv["value"];
      if (e.contains("value")) args["value"] = e["value"];
      if (e.contains("node")) args["node"] = e["node"];
      if (e.contains("error")) args["error"] = e["error"];
      const double start = inv["t"].get<double>();
      events.push_back({{"ph", "X"}, {"name", inv.value("f", "op") + " (" + type + ")"}, {"cat", "op"}, {"pid", pid},
                        {"tid", tid}, {"ts", us(start)}, {"dur", us(t) - us(start)}, {"args", args}});
      events.push_back({{"ph", "C"}, {"name", "ops in flight: " + client}, {"pid", tracks.node("clients: " + client)},
                        {"tid", 0}, {"ts", us(t)}, {"args", {{"ops", --in_flight[client]}}}});
      invokes.erase(it);
    } else if (ev == "send" || ev == "deliver") {
      // A flow binds to a slice: a one-microsecond slice marks each end.
      const int pid = tracks.node(e.value(ev == "send" ? "from" : "to", "?"));
      const std::string kind = e.value("kind", "message");
      events.push_back({{"ph", "X"}, {"name", (ev == "send" ? "send " : "receive ") + kind}, {"cat", "message"},
                        {"pid", pid}, {"tid", 0}, {"ts", us(t)}, {"dur", 1}, {"args", {{"msg", e["msg"]}}}});
      Json flow = {{"ph", ev == "send" ? "s" : "f"}, {"name", kind}, {"cat", "message"}, {"id", e["msg"]},
                   {"pid", pid}, {"tid", 0}, {"ts", us(t)}};
      if (ev == "deliver") flow["bp"] = "e";
      events.push_back(flow);
    } else if (ev == "drop") {
      events.push_back({{"ph", "i"}, {"name", "drop " + e.value("kind", "message") + ": " + e.value("reason", "")},
                        {"cat", "message"}, {"pid", tracks.node(e.value("to", "?"))}, {"tid", 0}, {"ts", us(t)},
                        {"s", "t"}});
    } else if (ev == "fault") {
      const auto key = std::make_pair(e.value("name", ""), e.value("node", ""));
      if (e.value("phase", "") == "start") {
        fault_starts[key] = e;
      } else if (auto it = fault_starts.find(key); it != fault_starts.end()) {
        const double start = it->second["t"].get<double>();
        events.push_back({{"ph", "X"}, {"name", e.value("type", "fault") + " " + key.first}, {"cat", "fault"},
                          {"pid", faults_pid}, {"tid", 0}, {"ts", us(start)}, {"dur", us(t) - us(start)},
                          {"args", it->second.value("details", Json::object())}});
        fault_starts.erase(it);
      }
    } else if (ev == "violation") {
      events.push_back({{"ph", "i"}, {"name", e.value("check", "violation")}, {"cat", "violation"},
                        {"pid", faults_pid}, {"tid", 0}, {"ts", us(t)}, {"s", "g"},
                        {"args", {{"message", e.value("message", "")}, {"ops", e.value("ops", Json::array())}}}});
    } else if (ev == "node") {
      events.push_back({{"ph", "i"}, {"name", e.value("status", "")}, {"cat", "node"},
                        {"pid", tracks.node(e.value("node", "?"))}, {"tid", 0}, {"ts", us(t)}, {"s", "p"}});
    }
  }
  // Faults that never ended (a crash without a restart) run to the last event.
  for (const auto& [key, start] : fault_starts)
    events.push_back({{"ph", "i"}, {"name", start.value("type", "fault") + " " + key.first + " (never undone)"},
                      {"cat", "fault"}, {"pid", faults_pid}, {"tid", 0}, {"ts", us(start["t"].get<double>())},
                      {"s", "g"}});
  return Json{{"displayTimeUnit", "ms"}, {"traceEvents", events}};
}

// Jepsen ops: an invoke and a completion per op, in time order.
struct JepsenOp {
  double t;
  std::int64_t index;
  std::string type, f, key;
  std::optional<std::int64_t> value; // a read's value only on its completion
  std::int64_t process;
};

// Jepsen processes are single-threaded: one op at a time, and a process
// whose op ended :info never invokes again (Jepsen gives it a new number).
// A faultlab session may have an op open when it starts the next (a timed-
// out op stays open), so each session's ops move to a fresh process number
// whenever the one they had is still busy.
std::vector<JepsenOp> jepsen_ops(const history::History& history) {
  struct Event {
    double t;
    int order; // completions before invokes at the same time
    std::size_t op;
  };
  std::vector<const history::Op*> ops;
  for (const auto& op : history.ops)
    if (op.f == "read" || op.f == "write" || op.f == "cas") ops.push_back(&op);
  std::vector<Event> events;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    events.push_back({ops[i]->invoke_s, 1, i});
    if (ops[i]->outcome != history::Outcome::info) events.push_back({ops[i]->complete_s, 0, i});
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.t != b.t ? a.t < b.t : a.order < b.order;
  });
  std::map<std::int64_t, std::int64_t> current; // session -> its Jepsen process now
  std::set<std::int64_t> busy;                  // Jepsen processes with an op open
  std::vector<std::int64_t> process_of(ops.size());
  std::int64_t next = 0;
  for (const auto* op : ops) next = std::max(next, op->process + 1);
  std::vector<JepsenOp> out;
  for (const Event& e : events) {
    const history::Op& op = *ops[e.op];
    if (e.order == 1) {
      const std::int64_t session = op.final_read || op.process < 0 ? -1 : op.process;
      auto [it, fresh] = current.emplace(session, session < 0 ? next++ : session);
      if (!fresh && busy.count(it->second)) it->second = next++;
      process_of[e.op] = it->second;
      busy.insert(it->second);
      out.push_back({e.t, 0, "invoke", op.f, op.key, op.is_read() ? std::nullopt : op.value, it->second});
    } else {
      busy.erase(process_of[e.op]);
      out.push_back({e.t, 0, history::to_string(op.outcome), op.f, op.key, op.value, process_of[e.op]});
    }
  }
  for (std::size_t i = 0; i < out.size(); ++i) out[i].index = static_cast<std::int64_t>(i);
  return out;
}

std::string edn_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string edn(const history::History& history) {
  std::ostringstream out;
  for (const auto& op : jepsen_ops(history)) {
    out << "{:type :" << op.type << ", :f :" << op.f << ", :value [" << edn_string(op.key) << " "
        << (op.value ? std::to_string(*op.value) : std::string("nil")) << "], :process " << op.process
        << ", :time " << ns(op.t) << ", :index " << op.index << "}\n";
  }
  return out.str();
}

std::string json_history(const history::History& history) {
  std::string out;
  for (const auto& op : jepsen_ops(history)) {
    Json j = {{"type", op.type}, {"f", op.f}, {"value", Json::array({op.key, op.value ? Json(*op.value) : Json()})},
              {"process", op.process}, {"time", ns(op.t)}, {"index", op.index}};
    out += j.dump() + "\n";
  }
  return out;
}

} // namespace

int command_export(const ExportArgs& args, std::ostream& out, std::ostream& err) {
  try {
    // Reading the history first checks the header and every op line.
    const history::History history = history::read_history_jsonl(args.trace);
    std::string text;
    if (args.format == "perfetto") text = perfetto(args.trace).dump() + "\n";
    else if (args.format == "edn") text = edn(history);
    else text = json_history(history);
    history::write_file_atomically(args.out, text);
    out << "wrote " << args.out << " (" << args.format << ")\n";
    return kExitOk;
  } catch (const util::InputError& e) {
    err << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    err << "error: " << args.trace << ": " << e.what() << "\n";
    return kExitBadInput;
  }
}

} // namespace faultlab::cli
