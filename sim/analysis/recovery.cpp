#include "analysis/recovery.hpp"

#include "history/json_line.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace faultlab::analysis {

namespace {

constexpr double kForever = std::numeric_limits<double>::infinity();

// The role a header node plays in a component: version 2 lists components,
// version 1 only "component:role" strings (without types).
struct NodeRole {
  std::string component, type, role;
};

std::vector<NodeRole> roles_of(const nlohmann::json& node) {
  std::vector<NodeRole> out;
  if (node.contains("components") && node["components"].is_array()) {
    for (const auto& c : node["components"])
      out.push_back({c.value("component", ""), c.value("type", ""), c.value("role", "")});
  } else if (node.contains("roles") && node["roles"].is_array()) {
    // Version 1: a replica group's members are its primary and replicas.
    for (const auto& r : node["roles"]) {
      const std::string text = r.get<std::string>();
      const auto colon = text.find(':');
      if (colon == std::string::npos) continue;
      const std::string role = text.substr(colon + 1);
      out.push_back({text.substr(0, colon), role == "primary" || role == "replica" ? "replica_group" : "", role});
    }
  }
  return out;
}

std::string text_field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

TraceFacts::TraceFacts(const nlohmann::json& header_nodes) {
  if (!header_nodes.is_array()) return;
  for (const auto& node : header_nodes) {
    const std::string name = text_field(node, "name");
    for (const auto& r : roles_of(node)) {
      if (r.type == "replica_group") groups_[r.component].push_back(name);
      if (r.type == "database" && r.role == "primary") databases_[r.component] = name;
    }
  }
}

namespace {
// The text of a top-level field of a compact JSON line, as faultlab writes
// them: a string's contents (escapes left as they are) or a number's
// digits; nullopt when the line has no such field. Only for flat lines:
// a nested object's key would match too.
std::optional<std::string_view> raw_field(std::string_view line, std::string_view key) {
  std::string pattern = "\"";
  pattern.append(key).append("\":");
  const auto at = line.find(pattern);
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t i = at + pattern.size();
  if (i < line.size() && line[i] == '"') {
    std::size_t j = ++i;
    while (j < line.size() && line[j] != '"') j += line[j] == '\\' ? 2 : 1;
    return line.substr(i, std::min(j, line.size()) - i);
  }
  std::size_t j = i;
  while (j < line.size() && line[j] != ',' && line[j] != '}') ++j;
  return line.substr(i, j - i);
}
} // namespace

void TraceFacts::add_line(std::string_view line) {
  // Most lines are ops and messages, and the writer puts "ev" second: one
  // short search tells the kind, and only a few kinds are read at all.
  const auto ev = raw_field(line.substr(0, std::min<std::size_t>(line.size(), 48)), "ev");
  if (!ev) return;
  const bool fault = *ev == "fault", node = *ev == "node", state = *ev == "state", discard = *ev == "discard",
             query = *ev == "query";
  if (!fault && !node && !state && !discard && !query) return;
  if (state || discard || query) {
    // The many routine lines (replication applies, statements) are read
    // without a JSON parse: they are flat, and only a few fields matter.
    const auto component = raw_field(line, "component");
    if (!component) return;
    const std::string name(*component);
    const bool group = groups_.count(name) > 0, database = databases_.count(name) > 0;
    if (!group && !database) return;
    if (query && (!database || raw_field(line, "outcome") != std::optional<std::string_view>("ok"))) return;
    const bool role = raw_field(line, "role").has_value();
    if ((state && group && !role) || discard || query) {
      const auto t = raw_field(line, "t");
      const auto node_name = raw_field(line, "node");
      const auto position = raw_field(line, discard ? "position" : "applied");
      if (!t || !node_name || (!query && !position)) return;
      Event e;
      e.t = std::strtod(std::string(*t).c_str(), nullptr);
      e.seq = next_seq_++;
      e.node = std::string(*node_name);
      e.component = name;
      e.kind = query ? Event::db_served : discard ? Event::discard : Event::applied;
      if (!query) e.position = std::strtoll(std::string(*position).c_str(), nullptr, 10);
      events_.push_back(std::move(e));
      return;
    }
  }
  const auto j = nlohmann::json::parse(line, nullptr, false);
  if (!j.is_object() || !j.contains("t") || !j["t"].is_number()) return;
  Event e;
  e.t = j["t"].get<double>();
  e.seq = next_seq_++;
  e.node = text_field(j, "node");
  e.component = text_field(j, "component");
  if (fault) {
    const std::string phase = text_field(j, "phase");
    e.kind = phase == "end" ? Event::fault_end : Event::fault_start;
    e.name = text_field(j, "name");
    e.type = text_field(j, "type");
    if (e.type == "heal" && j.contains("details") && j["details"].is_object())
      e.heals = text_field(j["details"], "partition");
  } else if (node) {
    e.kind = Event::node_status;
    e.name = text_field(j, "status");
  } else if (discard) {
    if (!groups_.count(e.component)) return;
    e.kind = Event::discard;
    e.position = j.value("position", std::int64_t{0});
  } else if (query) {
    if (!databases_.count(e.component) || text_field(j, "outcome") != "ok") return;
    e.kind = Event::db_served;
  } else if (groups_.count(e.component)) {
    if (j.contains("role")) {
      e.kind = Event::role;
      e.name = text_field(j, "role");
    } else if (j.contains("applied")) {
      e.kind = Event::applied;
      e.position = j["applied"].get<std::int64_t>();
    } else {
      return;
    }
  } else if (databases_.count(e.component)) {
    // A database's state events are its incidents and a standby's promotion.
    const std::string why = text_field(j, "why");
    e.kind = why.rfind("promoted", 0) == 0 ? Event::db_promoted : Event::db_stop;
  } else {
    return;
  }
  events_.push_back(std::move(e));
}

namespace {

using Event = TraceFacts::Event;

enum class Health { unknown, healthy, unhealthy };

// A signal's health over time: each change holds until the next; before
// the first, unknown. Followed until `end_s`.
struct Timeline {
  std::vector<std::pair<double, Health>> changes;
  double end_s = 0;

  void set(double t, Health h) {
    if (!changes.empty() && changes.back().first == t) {
      changes.back().second = h; // the state after everything at one instant
      if (changes.size() >= 2 && changes[changes.size() - 2].second == h) changes.pop_back();
      return;
    }
    if (!changes.empty() && changes.back().second == h) return;
    changes.push_back({t, h});
  }
  Health at(double t) const {
    auto it = std::upper_bound(changes.begin(), changes.end(), t,
                               [](double x, const std::pair<double, Health>& c) { return x < c.first; });
    return it == changes.begin() ? Health::unknown : std::prev(it)->second;
  }
  // The first moment at or after `from` at which it is unhealthy.
  std::optional<double> first_unhealthy(double from) const {
    if (at(from) == Health::unhealthy) return from;
    for (const auto& [t, h] : changes)
      if (t > from && h == Health::unhealthy) return t;
    return std::nullopt;
  }
  // The first moment at or after `from` at which it is healthy and stays
  // free of unhealthy moments for `hold_s`, wholly before `end_s`.
  std::optional<double> first_recovered(double from, double hold_s) const {
    std::vector<double> candidates{from};
    for (const auto& [t, h] : changes)
      if (t > from && h == Health::healthy) candidates.push_back(t);
    for (double c : candidates) {
      if (c + hold_s > end_s) return std::nullopt;
      if (at(c) != Health::healthy) continue;
      auto bad = first_unhealthy(c);
      if (!bad || *bad >= c + hold_s) return c;
    }
    return std::nullopt;
  }
};

// Availability: per grid point g = k * step, the window [g, g + window) of
// invokes, judged per endpoint.
Timeline availability_timeline(const history::History& history, const RecoveryOptions& o, double workload_end_s) {
  struct Endpoint {
    std::vector<double> invoke;          // sorted
    std::vector<std::int64_t> ok_before; // ok ops among the first i
    double slo = 0;
  };
  std::map<std::string, std::vector<std::pair<double, bool>>> by_endpoint;
  std::vector<double> all;
  for (const auto& op : history.ops) {
    if (op.final_read) continue;
    if (!o.client_groups.empty() &&
        std::find(o.client_groups.begin(), o.client_groups.end(), op.client) == o.client_groups.end())
      continue;
    by_endpoint[op.f].push_back({op.invoke_s, op.outcome == history::Outcome::ok});
    all.push_back(op.invoke_s);
  }
  Timeline tl;
  tl.end_s = workload_end_s;
  if (all.empty()) return tl;
  std::map<std::string, Endpoint> endpoints;
  for (auto& [name, ops] : by_endpoint) {
    std::stable_sort(ops.begin(), ops.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    Endpoint& e = endpoints[name];
    e.ok_before.assign(1, 0);
    for (const auto& [t, ok] : ops) {
      e.invoke.push_back(t);
      e.ok_before.push_back(e.ok_before.back() + (ok ? 1 : 0));
    }
    auto slo = o.endpoint_slo.find(name);
    e.slo = slo != o.endpoint_slo.end() ? slo->second : o.slo;
  }
  std::sort(all.begin(), all.end());
  const double step = o.step_s, window = o.window_s;
  auto count_in = [](const std::vector<double>& v, double from, double to) {
    auto a = std::lower_bound(v.begin(), v.end(), from) - v.begin();
    auto b = std::lower_bound(v.begin(), v.end(), to) - v.begin();
    return std::pair<std::size_t, std::size_t>(static_cast<std::size_t>(a), static_cast<std::size_t>(b));
  };
  double k = std::floor(std::max(0.0, all.front() - window) / step);
  while (k * step < workload_end_s) {
    const double g = k * step;
    auto [a, b] = count_in(all, g, g + window);
    if (a == b) {
      tl.set(g, Health::unknown);
      if (a == all.size()) break;
      // Skip the empty stretch: the next window with an op starts after all[a] - window.
      k = std::max(k + 1, std::floor((all[a] - window) / step) + 1);
      continue;
    }
    Health h = Health::unknown;
    for (const auto& [name, e] : endpoints) {
      auto [ea, eb] = count_in(e.invoke, g, g + window);
      const auto n = static_cast<std::int64_t>(eb - ea);
      if (n < o.min_window_ops) continue;
      const auto ok = e.ok_before[eb] - e.ok_before[ea];
      const bool meets = static_cast<double>(ok) >= e.slo * static_cast<double>(n) - 1e-9;
      if (!meets) {
        h = Health::unhealthy;
        break;
      }
      h = Health::healthy;
    }
    tl.set(g, h);
    k += 1;
  }
  return tl;
}

// The state of every replica group and database, replayed event by event.
struct World {
  std::map<std::string, std::string> status;                     // node -> down/up/paused/running
  std::map<std::string, std::map<std::string, std::string>> role; // group -> node -> role
  std::map<std::string, std::map<std::string, std::int64_t>> applied;
  std::map<std::string, std::string> db_node; // database -> the node serving it
  std::map<std::string, bool> db_ok;

  bool acting(const std::string& node) const {
    auto it = status.find(node);
    return it == status.end() || it->second == "up" || it->second == "running";
  }
  bool down(const std::string& node) const {
    auto it = status.find(node);
    return it != status.end() && it->second == "down";
  }
  // The group's one acting primary, or "" when there is none or several.
  std::string leader(const std::string& group) const {
    std::string found;
    int count = 0;
    auto it = role.find(group);
    if (it == role.end()) return "";
    for (const auto& [node, r] : it->second)
      if (r == "primary" && acting(node)) found = node, ++count;
    return count == 1 ? found : "";
  }
  std::int64_t position(const std::string& group, const std::string& node) const {
    auto g = applied.find(group);
    if (g == applied.end()) return 0;
    auto n = g->second.find(node);
    return n == g->second.end() ? 0 : n->second;
  }

  void apply(const Event& e) {
    switch (e.kind) {
    case Event::node_status:
      status[e.node] = e.name;
      for (auto& [db, node] : db_node)
        if (node == e.node && (e.name == "down" || e.name == "paused")) db_ok[db] = false;
      break;
    case Event::role: role[e.component][e.node] = e.name; break;
    case Event::applied: applied[e.component][e.node] = e.position; break;
    case Event::discard: {
      // Entries from `position` on are gone: the store holds what is before.
      auto& p = applied[e.component][e.node];
      p = std::min(p, e.position - 1);
      break;
    }
    case Event::db_stop: db_ok[e.component] = false; break;
    case Event::db_promoted:
      db_node[e.component] = e.node;
      db_ok[e.component] = true;
      break;
    case Event::db_served:
      if (acting(db_node[e.component])) db_ok[e.component] = true;
      break;
    default: break;
    }
  }
};

struct Fault {
  std::string name, type, node, heals;
  double start_s = 0;
  double end_s = kForever; // kForever: never ended
  std::string ended_by;    // a restart or heal that ended it, when one did
};

std::vector<Fault> faults_of(const std::vector<Event>& events) {
  std::vector<Fault> faults;
  for (const auto& e : events) {
    if (e.kind == Event::fault_start) {
      Fault f{e.name, e.type, e.node, e.heals, e.t, kForever, ""};
      // Instantaneous: they happen, and end, at once.
      if (f.type == "heal" || f.type == "restart") {
        f.end_s = f.start_s;
        // A restart ends a crash of its node that had no end of its own;
        // a heal ends the partitions it names (all, when it names none).
        for (auto& other : faults) {
          if (other.end_s != kForever) continue;
          const bool ended = (f.type == "restart" && other.type == "crash" && other.node == f.node) ||
                             (f.type == "heal" && other.type == "partition" &&
                              (f.heals.empty() || f.heals == other.name));
          if (ended) other.end_s = f.start_s, other.ended_by = f.name;
        }
      }
      faults.push_back(f);
    } else if (e.kind == Event::fault_end) {
      for (auto& f : faults)
        if (f.name == e.name && f.end_s == kForever) f.end_s = e.t;
    }
  }
  std::stable_sort(faults.begin(), faults.end(), [](const Fault& a, const Fault& b) { return a.start_s < b.start_s; });
  return faults;
}

struct Signals {
  std::vector<std::string> names; // in order
  std::map<std::string, Timeline> timelines; // all but replicas
};

// When the replica groups have all caught up with what their primary had at
// `from` (taken when there is first a single primary in every group).
std::optional<double> replicas_caught_up(const std::vector<Event>& events, const TraceFacts& facts, double from,
                                         double end_s) {
  World world;
  std::size_t i = 0;
  auto all_led = [&] {
    for (const auto& [group, members] : facts.groups())
      if (world.leader(group).empty()) return false;
    return true;
  };
  // Replay up to `from`, then on until every group has one primary.
  for (; i < events.size() && events[i].t <= from; ++i) world.apply(events[i]);
  double now = from;
  while (!all_led()) {
    if (i == events.size()) return std::nullopt;
    now = events[i].t;
    for (; i < events.size() && events[i].t == now; ++i) world.apply(events[i]);
  }
  std::map<std::string, std::int64_t> target;
  for (const auto& [group, members] : facts.groups()) target[group] = world.position(group, world.leader(group));
  auto caught_up = [&] {
    for (const auto& [group, members] : facts.groups())
      for (const auto& m : members)
        if (!world.down(m) && world.position(group, m) < target[group]) return false;
    return true;
  };
  while (true) {
    if (now > end_s) return std::nullopt;
    if (caught_up()) return now;
    if (i == events.size()) return std::nullopt;
    now = events[i].t;
    for (; i < events.size() && events[i].t == now; ++i) world.apply(events[i]);
  }
}

} // namespace

std::vector<Recovery> analyze_recovery(const history::History& history, const TraceFacts& facts,
                                       const RecoveryOptions& options, double workload_end_s, double run_end_s) {
  std::vector<Event> events = facts.events();
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.t < b.t || (a.t == b.t && a.seq < b.seq);
  });
  const std::vector<Fault> faults = faults_of(events);
  std::vector<Recovery> out;
  if (faults.empty()) return out;

  // The signals this design has, as timelines (replicas is computed per fault).
  Signals signals;
  Timeline availability = availability_timeline(history, options, workload_end_s);
  if (!availability.changes.empty()) {
    signals.names.push_back("availability");
    signals.timelines["availability"] = availability;
  }
  if (!facts.groups().empty() || !facts.databases().empty()) {
    World world;
    for (const auto& [db, node] : facts.databases()) world.db_node[db] = node, world.db_ok[db] = true;
    Timeline leader, database;
    leader.end_s = database.end_s = run_end_s;
    database.set(0.0, Health::healthy); // serving from the start until something says otherwise
    for (std::size_t i = 0; i < events.size();) {
      const double t = events[i].t;
      for (; i < events.size() && events[i].t == t; ++i) world.apply(events[i]);
      bool led = true;
      for (const auto& [group, members] : facts.groups()) led = led && !world.leader(group).empty();
      leader.set(t, led ? Health::healthy : Health::unhealthy);
      bool serving = true;
      for (const auto& [db, ok] : world.db_ok) serving = serving && ok;
      database.set(t, serving ? Health::healthy : Health::unhealthy);
    }
    if (!facts.groups().empty()) {
      signals.names.push_back("leader");
      signals.timelines["leader"] = leader;
      signals.names.push_back("replicas");
    }
    if (!facts.databases().empty()) {
      signals.names.push_back("database");
      signals.timelines["database"] = database;
    }
  }

  // Clusters of overlapping faults, in start order: [first, last].
  struct Cluster {
    std::size_t first, last;
    double from_s = 0;
    std::string from; // the fault whose end (or start) it is
    bool from_end = true;
    std::optional<double> ongoing_since; // the latest start of a fault that never ended
    std::map<std::string, std::optional<double>> recovered_at;
  };
  auto measure = [&](Cluster& c) {
    c.from_s = -kForever;
    c.ongoing_since.reset();
    for (std::size_t k = c.first; k <= c.last; ++k) {
      const Fault& f = faults[k];
      const bool ends = f.end_s != kForever;
      const double at = ends ? f.end_s : f.start_s;
      if (!ends) c.ongoing_since = std::max(c.ongoing_since.value_or(-kForever), f.start_s);
      if (at >= c.from_s) c.from_s = at, c.from = f.name, c.from_end = ends && f.end_s > f.start_s;
    }
    for (const auto& name : signals.names) {
      std::optional<double> at;
      if (name == "replicas") {
        at = replicas_caught_up(events, facts, c.from_s, run_end_s);
      } else {
        const Timeline& tl = signals.timelines.at(name);
        double search_from = c.from_s;
        // A fault that never ended may hurt only later (an election takes
        // its time): recovery then counts from after its first harm.
        if (c.ongoing_since)
          if (auto bad = tl.first_unhealthy(*c.ongoing_since)) search_from = std::max(search_from, *bad);
        at = tl.first_recovered(search_from, options.hold_s);
      }
      c.recovered_at[name] = at;
    }
  };
  std::vector<Cluster> clusters;
  for (std::size_t k = 0; k < faults.size(); ++k) {
    double reach = -kForever; // when the current cluster's faults have all ended
    if (!clusters.empty())
      for (std::size_t m = clusters.back().first; m <= clusters.back().last; ++m) reach = std::max(reach, faults[m].end_s);
    if (!clusters.empty() && faults[k].start_s <= reach) clusters.back().last = k;
    else clusters.push_back(Cluster{k, k, 0, "", true, std::nullopt, {}});
  }
  for (auto& c : clusters) measure(c);
  // A fault that starts before the system recovered from the ones before it
  // joins them: its recovery cannot be told apart from theirs.
  for (std::size_t i = 0; i + 1 < clusters.size();) {
    const double next_start = faults[clusters[i + 1].first].start_s;
    bool merge = false;
    for (const auto& [name, at] : clusters[i].recovered_at) merge = merge || !at || *at > next_start;
    if (!merge) {
      ++i;
      continue;
    }
    clusters[i].last = clusters[i + 1].last;
    clusters.erase(clusters.begin() + static_cast<long>(i) + 1);
    measure(clusters[i]);
  }

  for (const auto& c : clusters) {
    for (std::size_t k = c.first; k <= c.last; ++k) {
      const Fault& f = faults[k];
      Recovery r;
      r.fault = f.name;
      r.type = f.type;
      r.node = f.node;
      r.start_s = f.start_s;
      if (f.end_s != kForever) r.end_s = f.end_s;
      r.from_s = c.from_s;
      r.from = c.from != f.name ? (c.from_end ? "end of " : "start of ") + c.from : c.from_end ? "end" : "start";
      for (std::size_t m = c.first; m <= c.last; ++m)
        if (m != k) r.overlaps.push_back(faults[m].name);
      for (const auto& name : signals.names) {
        SignalRecovery s;
        s.signal = name;
        const auto& at = c.recovered_at.at(name);
        if (at) s.recovered_s = std::max(0.0, *at - c.from_s);
        if (name != "replicas") {
          const Timeline& tl = signals.timelines.at(name);
          if (auto bad = tl.first_unhealthy(f.start_s); bad && (!at || *bad < *at)) {
            s.impact_s = *bad - f.start_s;
            const auto back = tl.first_recovered(*bad, options.hold_s);
            s.outage_s = back ? std::optional<double>(*back - *bad) : std::nullopt;
          }
        }
        r.signals.push_back(s);
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

nlohmann::ordered_json recovery_json(const std::vector<Recovery>& recoveries) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& r : recoveries) {
    nlohmann::ordered_json j;
    j["fault"] = r.fault;
    j["type"] = r.type;
    if (!r.node.empty()) j["node"] = r.node;
    j["start_s"] = r.start_s;
    j["end_s"] = r.end_s ? nlohmann::ordered_json(*r.end_s) : nlohmann::ordered_json();
    j["from"] = r.from;
    j["from_s"] = r.from_s;
    for (const auto& s : r.signals)
      j[s.signal + "_s"] = s.recovered_s ? nlohmann::ordered_json(*s.recovered_s) : nlohmann::ordered_json();
    nlohmann::ordered_json impact = nlohmann::ordered_json::object();
    for (const auto& s : r.signals)
      if (s.signal != "replicas")
        impact[s.signal] = s.impact_s ? nlohmann::ordered_json(*s.impact_s) : nlohmann::ordered_json();
    j["impact_s"] = impact;
    nlohmann::ordered_json outage = nlohmann::ordered_json::object();
    for (const auto& s : r.signals)
      if (s.signal != "replicas")
        outage[s.signal] = s.outage_s ? nlohmann::ordered_json(*s.outage_s) : nlohmann::ordered_json();
    j["outage_s"] = outage;
    j["overlaps"] = r.overlaps;
    list.push_back(j);
  }
  return list;
}

std::vector<RecoveredEvent> recovered_events(const std::vector<Recovery>& recoveries, double run_end_s) {
  std::vector<RecoveredEvent> out;
  for (const auto& r : recoveries)
    for (const auto& s : r.signals) {
      const double t = s.recovered_s ? r.from_s + *s.recovered_s : run_end_s;
      history::JsonLine line(t, "recovered");
      line.str("fault", r.fault).str("signal", s.signal).num("from_s", r.from_s);
      if (s.recovered_s) line.num("after_s", *s.recovered_s);
      else line.raw("after_s", "null");
      if (s.signal != "replicas") {
        if (s.impact_s) line.num("impact_s", *s.impact_s);
        if (s.outage_s) line.num("outage_s", *s.outage_s);
        else line.raw("outage_s", "null");
      }
      out.push_back({t, line.done()});
    }
  return out;
}

} // namespace faultlab::analysis
