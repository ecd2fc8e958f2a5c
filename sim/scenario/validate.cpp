// From a patched scenario document to a typed, validated Scenario.
//
// Reading and checking happen together: each section is read by a function
// that knows its fields, so an unknown field, a wrong type or a reference to
// something that does not exist is reported at its exact JSON path.
#include "check/checker.hpp"
#include "scenario/loader.hpp"
#include "util/input_error.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <set>

namespace faultlab::scenario {

using util::quote;

namespace {

constexpr double kInf = HUGE_VAL;

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::vector<std::string> node_names(const Topology& topology) {
  std::vector<std::string> names;
  for (const auto& n : topology.nodes) names.push_back(n.name);
  return names;
}

void require_node(const Origin& origin, const Topology& topology, const std::string& name,
                  const std::string& pointer) {
  if (topology.find(name) == nullptr)
    origin.fail("unknown-node", pointer,
                quote(name) + " is not a node of the topology (nodes: " + join(node_names(topology)) + ")");
}

std::pair<std::string, std::string> ordered(const std::string& a, const std::string& b) {
  return a <= b ? std::make_pair(a, b) : std::make_pair(b, a);
}

// Names become mailbox names ("node/component"), so they stay simple.
void check_name(const Origin& origin, const std::string& name, const std::string& pointer) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  if (!ok)
    origin.fail("bad-name", pointer,
                "expected a name of letters, digits, '-' and '_' (at most 64), got " + quote(name));
}

Topology read_topology(ObjectReader top) {
  Topology topology;
  const Origin& origin = top.origin();
  for (auto& [name, node] : top.members("nodes")) {
    check_name(origin, name, node.pointer());
    if (name == "faultlab-control")
      origin.fail("bad-value", node.pointer(), "\"faultlab-control\" is a name faultlab keeps for itself");
    Node n;
    n.name = name;
    n.zone = node.string_or("zone", "default");
    if (const Json* speed = node.find("speed")) {
      auto flops = speed->is_string() ? util::parse_speed_flops(speed->get<std::string>()) : std::nullopt;
      if (!flops || *flops <= 0)
        origin.fail("bad-value", node.child("speed"),
                    "expected a CPU speed like \"1Gf\" or \"500Mf\", got " + describe_json(*speed));
      n.speed_flops = *flops;
    }
    node.finish();
    topology.nodes.push_back(n);
  }
  if (topology.nodes.empty()) origin.fail("missing-field", top.child("nodes"), "the topology declares no nodes");
  if (topology.nodes.size() > 1000)
    origin.fail("over-limit", top.child("nodes"), "at most 1000 nodes are supported");

  std::set<std::string> zones, nodes;
  for (const auto& n : topology.nodes) zones.insert(n.zone), nodes.insert(n.name);

  if (top.has("latency")) {
    ObjectReader latency = top.object("latency");
    topology.default_latency_s = latency.duration_s_or("default", topology.default_latency_s);
    auto table = [&](const std::string& key, const std::set<std::string>& allowed, const char* what,
                     std::map<std::pair<std::string, std::string>, double>& out) {
      for (auto& [a, row] : latency.members(key)) {
        if (!allowed.count(a))
          origin.fail(nodes.count(a) || zones.count(a) ? "bad-value" : "unknown-node", row.pointer(),
                      quote(a) + " is not a " + what + " of the topology");
        // The row's values are durations keyed by the other end.
        const Json& raw = latency.require(key)[a];
        for (auto it = raw.begin(); it != raw.end(); ++it) {
          std::string pointer = pointer_append(row.pointer(), it.key());
          if (!allowed.count(it.key()))
            origin.fail(nodes.count(it.key()) || zones.count(it.key()) ? "bad-value" : "unknown-node", pointer,
                        quote(it.key()) + " is not a " + what + " of the topology");
          out[ordered(a, it.key())] = read_duration_s(origin, it.value(), pointer);
          row.allow(it.key());
        }
        row.finish();
      }
    };
    table("zones", zones, "zone", topology.zone_latency_s);
    table("pairs", nodes, "node", topology.pair_latency_s);
    latency.finish();
  }
  if (const Json* bandwidth = top.find("bandwidth")) {
    auto Bps = bandwidth->is_string() ? util::parse_bandwidth_Bps(bandwidth->get<std::string>()) : std::nullopt;
    if (!Bps || *Bps <= 0)
      origin.fail("bad-value", top.child("bandwidth"),
                  "expected a bandwidth like \"1Gbps\" or \"125MBps\", got " + describe_json(*bandwidth));
    topology.bandwidth_Bps = *Bps;
  }
  top.finish();
  return topology;
}

Distribution read_distribution(ObjectReader& parent, const std::string& key) {
  const Origin& origin = parent.origin();
  Distribution d;
  const Json& value = parent.require(key);
  std::string pointer = parent.child(key);
  if (!value.is_object()) { // a plain duration: a fixed lag
    d.a_s = read_duration_s(origin, value, pointer);
    return d;
  }
  ObjectReader r(origin, value, pointer);
  std::string kind = r.choice("distribution", {"fixed", "uniform", "exponential"}, "fixed");
  if (kind == "fixed") {
    d.a_s = r.duration_s("value");
  } else if (kind == "uniform") {
    d.kind = Distribution::Kind::uniform;
    d.a_s = r.duration_s("min");
    d.b_s = r.duration_s("max");
    if (d.b_s < d.a_s) origin.fail("bad-value", r.child("max"), "expected max to be at least min");
  } else {
    d.kind = Distribution::Kind::exponential;
    d.a_s = r.duration_s("mean");
  }
  r.finish();
  return d;
}

ReplicaGroup read_replica_group(const std::string& name, ObjectReader& r, const Topology& topology) {
  const Origin& origin = r.origin();
  ReplicaGroup g;
  g.name = name;
  g.primary = r.string("primary");
  require_node(origin, topology, g.primary, r.child("primary"));
  g.replicas = r.string_list("replicas");
  std::set<std::string> seen{g.primary};
  for (std::size_t i = 0; i < g.replicas.size(); ++i) {
    std::string pointer = r.child("replicas") + "/" + std::to_string(i);
    require_node(origin, topology, g.replicas[i], pointer);
    if (!seen.insert(g.replicas[i]).second)
      origin.fail("bad-value", pointer, quote(g.replicas[i]) + " appears twice in the group");
  }
  g.lag = r.find("lag") ? read_distribution(r, "lag") : Distribution{};
  std::string policy = r.choice("read_policy", {"primary", "any_replica", "nearest"}, "primary");
  g.read_policy = policy == "primary"       ? ReadPolicy::primary
                  : policy == "any_replica" ? ReadPolicy::any_replica
                                            : ReadPolicy::nearest;
  if (g.read_policy == ReadPolicy::any_replica && g.replicas.empty())
    origin.fail("bad-value", r.child("read_policy"), "\"any_replica\" needs at least one replica");
  g.read_your_writes = r.boolean_or("read_your_writes", false);
  g.ack = r.choice("ack", {"primary", "majority"}, "primary") == "majority" ? Ack::majority : Ack::primary;
  if (r.find("failover")) {
    ObjectReader f = r.object("failover");
    g.failover.enabled = f.boolean_or("enabled", true);
    g.failover.heartbeat_interval_s = f.duration_s_or("heartbeat_interval", g.failover.heartbeat_interval_s);
    g.failover.election_timeout_s = f.duration_s_or("election_timeout", g.failover.election_timeout_s);
    g.failover.quorum = f.boolean_or("quorum", false);
    g.failover.lease_s = f.optional_duration_s("lease");
    g.failover.lease_checked_on_request =
        f.choice("lease_check", {"timer", "every_request"}, "timer") == "every_request";
    g.failover.lease_real_clock = f.choice("lease_clock", {"local", "real"}, "local") == "real";
    g.failover.fencing = f.boolean_or("fencing", false);
    if (g.failover.heartbeat_interval_s < 0.001)
      origin.fail("bad-duration", f.child("heartbeat_interval"), "expected a heartbeat interval of at least 1ms");
    if (g.failover.lease_s && *g.failover.lease_s >= g.failover.election_timeout_s)
      origin.fail("bad-value", f.child("lease"),
                  "expected a lease shorter than the election timeout (or a new primary could be elected while "
                  "the old one still holds its lease)");
    if (g.failover.election_timeout_s <= g.failover.heartbeat_interval_s)
      origin.fail("bad-value", f.child("election_timeout"), "expected an election timeout longer than the heartbeat interval");
    f.finish();
  }
  g.service_time_s = r.duration_s_or("service_time", g.service_time_s);
  if (const Json* size = r.find("message_size")) {
    auto bytes = size->is_string() ? util::parse_size_bytes(size->get<std::string>()) : std::nullopt;
    if (!bytes || *bytes < 1 || *bytes > 1e9)
      origin.fail("bad-value", r.child("message_size"),
                  "expected a size like \"512B\" or \"4KiB\", got " + describe_json(*size));
    g.message_bytes = static_cast<std::int64_t>(*bytes);
  }
  return g;
}

std::vector<RateStep> read_arrival(ObjectReader a) {
  const Origin& origin = a.origin();
  a.choice("process", {"poisson"}, "poisson");
  std::vector<RateStep> steps;
  if (a.has("rate_per_s") && a.has("steps"))
    origin.fail("bad-value", a.pointer(), "give either \"rate_per_s\" or \"steps\", not both");
  if (a.has("steps")) {
    const Json& list = a.require("steps");
    if (!list.is_array() || list.empty())
      origin.fail("wrong-type", a.child("steps"),
                  "expected a non-empty list of {\"at\": ..., \"rate_per_s\": ...}, got " + describe_json(list));
    for (std::size_t i = 0; i < list.size(); ++i) {
      ObjectReader step(origin, list[i], a.child("steps") + "/" + std::to_string(i));
      RateStep s{step.duration_s("at"), step.number("rate_per_s", 0, 1e6)};
      if (!steps.empty() && s.at_s <= steps.back().at_s)
        origin.fail("bad-value", step.child("at"), "expected steps in increasing time order");
      step.finish();
      steps.push_back(s);
    }
    if (steps.front().at_s != 0.0) steps.insert(steps.begin(), RateStep{0.0, 0.0});
  } else {
    steps.push_back(RateStep{0.0, a.number("rate_per_s", 0, 1e6)});
  }
  a.finish();
  return steps;
}

Client read_client(const std::string& name, ObjectReader& r, const Topology& topology,
                   const std::vector<std::string>& components) {
  const Origin& origin = r.origin();
  Client c;
  c.name = name;
  c.node = r.string("node");
  require_node(origin, topology, c.node, r.child("node"));
  c.target = r.string("target");
  if (std::find(components.begin(), components.end(), c.target) == components.end())
    origin.fail("unknown-component", r.child("target"),
                quote(c.target) + " is not a component of this scenario (components: " + join(components) + ")");
  c.sessions = static_cast<int>(r.integer_or("sessions", 1, 1, 100000));
  c.rate_steps = read_arrival(r.object("arrival"));
  if (r.has("mix")) {
    ObjectReader mix = r.object("mix");
    double read = mix.number_or("read", 0.5, 0, kInf);
    double write = mix.number_or("write", 0.5, 0, kInf);
    if (read + write <= 0) origin.fail("bad-value", mix.pointer(), "expected some reads or writes in the mix");
    c.read_fraction = read / (read + write);
    mix.finish();
  }
  if (r.has("keys")) {
    ObjectReader keys = r.object("keys");
    c.key_count = static_cast<int>(keys.integer_or("count", 1, 1, 10'000'000));
    c.zipf = keys.choice("distribution", {"uniform", "zipf"}, "uniform") == "zipf";
    c.zipf_s = keys.number_or("zipf_s", 1.0, 0.0, 10.0);
    c.key_prefix = keys.string_or("prefix", c.key_prefix);
    keys.finish();
  }
  c.writes_to_own_key = r.boolean_or("writes_to_own_key", false);
  if (c.writes_to_own_key && c.key_count < c.sessions)
    origin.fail("bad-value", r.child("writes_to_own_key"),
                "each session writes its own key, so keys.count (" + std::to_string(c.key_count) +
                    ") must be at least sessions (" + std::to_string(c.sessions) + ")");
  c.reload_after_write_s = r.optional_duration_s("reload_after_write");
  c.timeout_s = r.duration_s_or("timeout", c.timeout_s);
  if (c.timeout_s <= 0) origin.fail("bad-duration", r.child("timeout"), "expected a timeout above zero");
  r.finish();
  return c;
}

Workload read_workload(ObjectReader w, const Topology& topology, const std::vector<std::string>& components) {
  Workload workload;
  workload.duration_s = w.duration_s("duration");
  if (workload.duration_s <= 0 || workload.duration_s > 86400)
    w.origin().fail("bad-duration", w.child("duration"), "expected a duration above zero and at most 24h");
  workload.settle_s = w.duration_s_or("settle", workload.settle_s);
  workload.final_reads = w.boolean_or("final_reads", true);
  for (auto& [name, client] : w.members("clients")) workload.clients.push_back(read_client(name, client, topology, components));
  if (workload.clients.empty()) w.origin().fail("missing-field", w.child("clients"), "the workload has no clients");
  w.finish();
  return workload;
}

Fault read_fault(const std::string& name, ObjectReader& r, const Topology& topology) {
  const Origin& origin = r.origin();
  Fault f;
  f.name = name;
  std::string type =
      r.choice("type", {"partition", "heal", "drop", "delay", "crash", "restart", "pause"}, "");
  f.at_s = r.duration_s("at");
  f.duration_s = r.optional_duration_s("duration");
  std::set<std::string> zones;
  for (const auto& n : topology.nodes) zones.insert(n.zone);
  auto node_list = [&](const std::string& key) {
    std::vector<std::string> out;
    auto names = r.string_list(key);
    for (std::size_t i = 0; i < names.size(); ++i) {
      // A zone name stands for all of its nodes.
      if (topology.find(names[i]) == nullptr && zones.count(names[i])) {
        for (const auto& n : topology.nodes)
          if (n.zone == names[i]) out.push_back(n.name);
        continue;
      }
      require_node(origin, topology, names[i], r.child(key) + "/" + std::to_string(i));
      out.push_back(names[i]);
    }
    return out;
  };
  if (type == "partition") {
    f.type = Fault::Type::partition;
    const Json& groups = r.require("groups");
    if (!groups.is_object())
      origin.fail("wrong-type", r.child("groups"),
                  "expected groups keyed by name, like {\"left\": [\"db-1\"], \"right\": [\"db-2\"]}, got " +
                      describe_json(groups));
    for (auto it = groups.begin(); it != groups.end(); ++it) {
      PartitionGroup g{it.key(), {}};
      std::string group_pointer = pointer_append(r.child("groups"), it.key());
      if (!it->is_array()) origin.fail("wrong-type", group_pointer, "expected a list of nodes or zones, got " + describe_json(*it));
      for (std::size_t i = 0; i < it->size(); ++i) {
        std::string pointer = group_pointer + "/" + std::to_string(i);
        std::string node = read_string(origin, (*it)[i], pointer);
        if (topology.find(node) == nullptr && zones.count(node)) {
          for (const auto& n : topology.nodes)
            if (n.zone == node) g.nodes.push_back(n.name);
        } else {
          require_node(origin, topology, node, pointer);
          g.nodes.push_back(node);
        }
      }
      for (const auto& earlier : f.groups)
        for (const auto& node : g.nodes)
          if (std::find(earlier.nodes.begin(), earlier.nodes.end(), node) != earlier.nodes.end())
            origin.fail("bad-value", group_pointer,
                        quote(node) + " is already in group " + quote(earlier.name) + "; a node can be on one side only");
      f.groups.push_back(g);
    }
    if (f.groups.size() < 2)
      origin.fail("bad-value", r.child("groups"), "a partition needs at least two named groups");
    if (r.has("one_way")) {
      ObjectReader way = r.object("one_way");
      std::string from = way.string("from"), to = way.string("to");
      for (const auto& [key, group] : {std::make_pair("from", from), std::make_pair("to", to)}) {
        bool known = std::any_of(f.groups.begin(), f.groups.end(), [&](const auto& g) { return g.name == group; });
        if (!known) origin.fail("bad-value", way.child(key), quote(group) + " is not one of this partition's groups");
      }
      way.finish();
      if (from == to) origin.fail("bad-value", way.child("to"), "a one-way partition needs two different groups");
      f.one_way = std::make_pair(from, to);
    }
  } else if (type == "heal") {
    f.type = Fault::Type::heal;
    f.heals = r.string_or("partition", "");
  } else if (type == "drop" || type == "delay") {
    f.type = type == "drop" ? Fault::Type::drop : Fault::Type::delay;
    if (r.has("nodes")) f.nodes = node_list("nodes");
    if (f.type == Fault::Type::drop) f.probability = r.number("probability", 0, 1);
    else f.extra_delay_s = r.duration_s("extra");
  } else {
    f.type = type == "crash" ? Fault::Type::crash : type == "restart" ? Fault::Type::restart : Fault::Type::pause;
    f.node = r.string("node");
    require_node(origin, topology, f.node, r.child("node"));
    if (f.type == Fault::Type::pause && !f.duration_s)
      origin.fail("missing-field", r.pointer(), "missing required field \"duration\" (how long the pause lasts)");
  }
  if (f.type == Fault::Type::heal || f.type == Fault::Type::restart) {
    if (f.duration_s) origin.fail("bad-value", r.child("duration"), "a " + type + " has no duration");
  }
  r.finish();
  return f;
}

Check read_check(const std::string& name, ObjectReader& r) {
  if (check::find_checker(name) == nullptr) {
    std::vector<std::string> known;
    for (const auto& c : check::registry()) known.push_back(c.name);
    r.origin().fail("unknown-check", r.pointer(), "no checker named " + quote(name) + " (checkers: " + join(known) + ")");
  }
  Check c;
  c.name = name;
  if (name == "stale_read") c.stale_bound_s = r.duration_s_or("bound", 0.0);
  r.finish();
  return c;
}

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names{"availability", "latency_p50_s", "latency_p99_s", "latency_max_s",
                                              "ops_ok", "ops_fail", "ops_info", "ops_total"};
  return names;
}

void read_expect(ObjectReader e, Scenario& s) {
  auto bounds = [&](ObjectReader& b, const std::string& what) {
    Expectation x{what, std::nullopt, std::nullopt};
    if (b.has("min")) x.min = b.number("min", -kInf, kInf);
    if (b.has("max")) x.max = b.number("max", -kInf, kInf);
    if (!x.min && !x.max) b.origin().fail("missing-field", b.pointer(), "expected \"min\", \"max\" or both");
    b.finish();
    s.expect.push_back(x);
  };
  for (auto& [name, b] : e.members("violations")) {
    bool checked = std::any_of(s.checks.begin(), s.checks.end(), [&](const Check& c) { return c.name == name; });
    if (!checked)
      e.origin().fail("unknown-check", b.pointer(), quote(name) + " is not among this scenario's checks");
    bounds(b, "violations." + name);
  }
  for (auto& [name, b] : e.members("metrics")) {
    const auto& names = metric_names();
    if (std::find(names.begin(), names.end(), name) == names.end())
      e.origin().fail("unknown-field", b.pointer(), "unknown metric " + quote(name) + " (metrics: " + join(names) + ")");
    bounds(b, "metrics." + name);
  }
  e.finish();
}

std::vector<std::uint64_t> read_seeds(const Origin& origin, const Json& value, const std::string& pointer) {
  std::vector<std::uint64_t> seeds;
  const char* expected = "expected a list of seeds like [1, 2, 3] or a range like \"1..5\", got ";
  if (value.is_string()) {
    std::string text = value.get<std::string>();
    std::size_t dots = text.find("..");
    char* end1 = nullptr;
    char* end2 = nullptr;
    unsigned long long a = std::strtoull(text.c_str(), &end1, 10);
    unsigned long long b = dots == std::string::npos ? 0 : std::strtoull(text.c_str() + dots + 2, &end2, 10);
    bool overflow = a == ULLONG_MAX || b == ULLONG_MAX;
    if (dots == std::string::npos || end1 != text.c_str() + dots || end2 == nullptr || *end2 != '\0' || b < a ||
        b - a >= 1000 || overflow)
      origin.fail("bad-value", pointer, expected + describe_json(value));
    for (unsigned long long i = 0; i <= b - a; ++i) seeds.push_back(a + i);
    return seeds;
  }
  if (!value.is_array() || value.empty() || value.size() > 1000)
    origin.fail("wrong-type", pointer, expected + describe_json(value));
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_number_unsigned())
      origin.fail("wrong-type", pointer + "/" + std::to_string(i),
                  "expected a seed (a whole number of at least 0), got " + describe_json(value[i]));
    seeds.push_back(value[i].get<std::uint64_t>());
  }
  return seeds;
}

// Expected operation count, to refuse runs that would not fit in memory.
double expected_ops(const Workload& w) {
  double total = 0;
  for (const auto& c : w.clients) {
    for (std::size_t i = 0; i < c.rate_steps.size(); ++i) {
      double start = std::min(c.rate_steps[i].at_s, w.duration_s);
      double end = i + 1 < c.rate_steps.size() ? std::min(c.rate_steps[i + 1].at_s, w.duration_s) : w.duration_s;
      total += c.rate_steps[i].rate_per_s * (end - start) * (c.reload_after_write_s ? 2.0 : 1.0);
    }
    if (w.final_reads) total += c.key_count;
  }
  return total;
}

} // namespace

Scenario validate(const Json& document, const Origin& origin) {
  ObjectReader root(origin, document, "");
  Scenario s;
  s.title = root.string("title");
  s.lesson = root.string("lesson");
  s.design = root.string_or("design", "");
  if (root.find("workshop")) {
    ObjectReader w = root.object("workshop");
    if (w.find("look_for")) s.look_for = w.string_list("look_for");
    if (w.find("questions")) s.questions = w.string_list("questions");
    w.finish();
  }
  s.topology = read_topology(root.object("topology"));

  std::vector<std::string> component_names;
  const Json& components = root.require("components");
  if (!components.is_object())
    origin.fail("wrong-type", "/components", "expected an object keyed by component name, got " + describe_json(components));
  for (auto it = components.begin(); it != components.end(); ++it) {
    check_name(origin, it.key(), pointer_append("/components", it.key()));
    component_names.push_back(it.key());
  }
  for (auto it = components.begin(); it != components.end(); ++it) {
    ObjectReader r(origin, it.value(), pointer_append("/components", it.key()));
    r.choice("type", {"replica_group"}, "");
    s.replica_groups.push_back(read_replica_group(it.key(), r, s.topology));
    r.finish();
  }
  if (component_names.empty()) origin.fail("missing-field", "/components", "the scenario declares no components");

  s.workload = read_workload(root.object("workload"), s.topology, component_names);

  for (auto& [name, fault] : root.members("faults")) s.faults.push_back(read_fault(name, fault, s.topology));
  std::stable_sort(s.faults.begin(), s.faults.end(), [](const Fault& a, const Fault& b) { return a.at_s < b.at_s; });

  for (auto& [name, check] : root.members("checks")) s.checks.push_back(read_check(name, check));
  if (root.has("expect")) read_expect(root.object("expect"), s);

  if (const Json* seeds = root.find("seeds")) s.seeds = read_seeds(origin, *seeds, "/seeds");
  else s.seeds = {1, 2, 3, 4, 5};

  if (root.has("limits")) {
    ObjectReader limits = root.object("limits");
    s.limits.max_ops = limits.integer_or("max_ops", s.limits.max_ops, 1, 50'000'000);
    s.limits.max_trace_events = limits.integer_or("max_trace_events", s.limits.max_trace_events, 1, 500'000'000);
    limits.finish();
  }
  double ops = expected_ops(s.workload);
  if (ops > static_cast<double>(s.limits.max_ops))
    origin.fail("over-limit", "/workload",
                "this workload would issue about " + std::to_string(static_cast<long long>(ops)) +
                    " operations, more than limits.max_ops (" + std::to_string(s.limits.max_ops) + ")");
  root.finish();
  return s;
}

} // namespace faultlab::scenario
