// From a patched scenario document to a typed, validated Scenario.
//
// Reading and checking happen together: each section is read by a function
// that knows its fields, so an unknown field, a wrong type or a reference to
// something that does not exist is reported at its exact JSON path.
#include "check/checker.hpp"
#include "scenario/loader.hpp"
#include "scenario/read_helpers.hpp"
#include "scenario/schema.hpp"
#include "util/input_error.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <set>

namespace faultlab::scenario {

using util::quote;
using detail::check_name;
using detail::join;
using detail::node_names;
using detail::require_node;
using detail::checker_names;
using detail::read_check;
using detail::read_expect;

namespace {

constexpr double kInf = HUGE_VAL;

std::pair<std::string, std::string> ordered(const std::string& a, const std::string& b) {
  return a <= b ? std::make_pair(a, b) : std::make_pair(b, a);
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
    static const Shape speed_shape{{{"$ref", "#/$defs/speed"}}, nullptr};
    if (const Json* speed = node.find("speed", speed_shape)) {
      auto flops = speed->is_string() ? util::parse_speed_flops(speed->get<std::string>()) : std::nullopt;
      if (!flops || *flops <= 0)
        origin.fail("bad-value", node.child("speed"),
                    "expected a CPU speed like \"1Gf\" or \"500Mf\", got " + describe_json(*speed));
      n.speed_flops = *flops;
    }
    n.cores = static_cast<int>(node.integer_or("cores", n.cores, 1, 1024));
    n.memory_bytes = detail::read_size(node, "memory", 0);
    if (node.find("disk")) {
      ObjectReader disk = node.object("disk");
      n.disk_bytes = detail::read_size(disk, "size", 0);
      n.disk_read_Bps = detail::read_bandwidth(disk, "read", n.disk_read_Bps);
      n.disk_write_Bps = detail::read_bandwidth(disk, "write", n.disk_write_Bps);
      disk.finish();
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
      static const Shape shape{{{"type", "object"},
                                {"additionalProperties",
                                 {{"type", "object"}, {"additionalProperties", {{"$ref", "#/$defs/duration"}}}}}},
                               nullptr};
      if (latency.find(key, shape) == nullptr) return;
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
  static const Shape bandwidth_shape{{{"$ref", "#/$defs/bandwidth"}}, nullptr};
  if (const Json* bandwidth = top.find("bandwidth", bandwidth_shape)) {
    auto Bps = bandwidth->is_string() ? util::parse_bandwidth_Bps(bandwidth->get<std::string>()) : std::nullopt;
    if (!Bps || *Bps <= 0)
      origin.fail("bad-value", top.child("bandwidth"),
                  "expected a bandwidth like \"1Gbps\" or \"125MBps\", got " + describe_json(*bandwidth));
    topology.bandwidth_Bps = *Bps;
  }
  top.finish();
  return topology;
}

std::vector<RateStep> read_arrival(ObjectReader a) {
  const Origin& origin = a.origin();
  a.choice("process", {"poisson"}, "poisson");
  std::vector<RateStep> steps;
  if (a.has("rate_per_s") && a.has("steps"))
    origin.fail("bad-value", a.pointer(), "give either \"rate_per_s\" or \"steps\", not both");
  if (a.has("steps")) {
    static const Shape steps_shape{{{"type", "array"}, {"minItems", 1}, {"items", {{"$probe", "0"}}}},
                                   Json::array({Json::object()})};
    const Json& list = a.require("steps", steps_shape);
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

// The operation mix of a client group. Stores always list read before
// write, whatever the file's order, so one uniform draw picks the same
// operation as it always did.
std::vector<std::pair<std::string, double>> read_mix(ObjectReader& r, const std::vector<std::string>& ops,
                                                     const std::string& target) {
  const Origin& origin = r.origin();
  std::vector<std::pair<std::string, double>> mix;
  if (!r.has("mix")) {
    if (ops == std::vector<std::string>{"read", "write"}) return {{"read", 0.5}, {"write", 0.5}};
    for (const auto& op : ops) mix.emplace_back(op, 1.0 / static_cast<double>(ops.size()));
    return mix;
  }
  static const Shape mix_shape{
      {{"type", "object"}, {"additionalProperties", {{"type", "number"}, {"minimum", 0}}}}, nullptr};
  const Json& value = r.require("mix", mix_shape);
  if (!value.is_object())
    origin.fail("wrong-type", r.child("mix"), "expected an object of operation -> weight, got " + describe_json(value));
  double total = 0;
  for (auto it = value.begin(); it != value.end(); ++it) {
    std::string pointer = pointer_append(r.child("mix"), it.key());
    if (std::find(ops.begin(), ops.end(), it.key()) == ops.end())
      origin.fail("unknown-field", pointer,
                  quote(it.key()) + " is not an operation of " + quote(target) + " (operations: " + join(ops) + ")");
    double weight = read_number(origin, it.value(), pointer, 0, kInf);
    mix.emplace_back(it.key(), weight);
    total += weight;
  }
  if (total <= 0) origin.fail("bad-value", r.child("mix"), "expected some operations in the mix");
  if (ops == std::vector<std::string>{"read", "write"}) {
    auto weight = [&](const char* op) {
      for (const auto& [name, w] : mix)
        if (name == op) return w;
      return 0.0;
    };
    mix = {{"read", weight("read")}, {"write", weight("write")}};
  }
  for (auto& [op, weight] : mix) weight /= total;
  return mix;
}

Client read_client(const std::string& name, ObjectReader& r, const Scenario& s,
                   const std::vector<std::string>& components) {
  const Origin& origin = r.origin();
  const Topology& topology = s.topology;
  Client c;
  c.name = name;
  c.node = r.string("node");
  require_node(origin, topology, c.node, r.child("node"));
  c.target = r.string("target");
  if (std::find(components.begin(), components.end(), c.target) == components.end())
    origin.fail("unknown-component", r.child("target"),
                quote(c.target) + " is not a component of this scenario (components: " + join(components) + ")");
  const ComponentSpec& target = *s.component(c.target);
  const ClientRules rules = target.client_rules();
  if (!rules.not_a_target.empty()) origin.fail("bad-value", r.child("target"), rules.not_a_target);
  c.sessions = static_cast<int>(r.integer_or("sessions", 1, 1, 100000));
  c.rate_steps = read_arrival(r.object("arrival"));
  c.mix = read_mix(r, target.client_ops(), c.target);
  c.key_prefix = rules.default_key_prefix;
  if (r.has("keys")) {
    ObjectReader keys = r.object("keys");
    if (!rules.no_key_count.empty() && keys.has("count"))
      origin.fail("bad-value", keys.child("count"), rules.no_key_count);
    if (!rules.no_key_prefix.empty() && keys.has("prefix"))
      origin.fail("bad-value", keys.child("prefix"), rules.no_key_prefix);
    c.key_count = static_cast<int>(keys.integer_or("count", 1, 1, 10'000'000));
    c.zipf = keys.choice("distribution", {"uniform", "zipf"}, "uniform") == "zipf";
    c.zipf_s = keys.number_or("zipf_s", 1.0, 0.0, 10.0);
    c.key_prefix = keys.string_or("prefix", c.key_prefix);
    keys.finish();
  }
  if (auto count = target.key_count_for(c)) c.key_count = *count;
  if (rules.keys_are_users) c.key_count = c.sessions;
  const bool kv = rules.key_value;
  c.writes_to_own_key = r.boolean_or("writes_to_own_key", false);
  if (c.writes_to_own_key && !kv)
    origin.fail("bad-value", r.child("writes_to_own_key"), "only clients of a replica_group or a cache write keys of their own");
  if (c.writes_to_own_key && c.key_count < c.sessions)
    origin.fail("bad-value", r.child("writes_to_own_key"),
                "each session writes its own key, so keys.count (" + std::to_string(c.key_count) +
                    ") must be at least sessions (" + std::to_string(c.sessions) + ")");
  c.reload_after_write_s = r.optional_duration_s("reload_after_write");
  if (c.reload_after_write_s && !kv)
    origin.fail("bad-value", r.child("reload_after_write"), "only clients of a replica_group or a cache reload what they wrote");
  c.timeout_s = r.duration_s_or("timeout", c.timeout_s);
  if (c.timeout_s <= 0) origin.fail("bad-duration", r.child("timeout"), "expected a timeout above zero");
  r.finish();
  return c;
}

Workload read_workload(ObjectReader w, const Scenario& s, const std::vector<std::string>& components) {
  Workload workload;
  workload.duration_s = w.duration_s("duration");
  // Years are fine when events are sparse (a table that grows between
  // queries costs nothing); the number of ops is bounded by limits.max_ops.
  if (workload.duration_s <= 0 || workload.duration_s > 10 * 366 * 86400.0)
    w.origin().fail("bad-duration", w.child("duration"), "expected a duration above zero and at most 3660d (ten years)");
  workload.settle_s = w.duration_s_or("settle", workload.settle_s);
  workload.final_reads = w.boolean_or("final_reads", true);
  for (auto& [name, client] : w.members("clients")) {
    check_name(w.origin(), name, client.pointer());
    workload.clients.push_back(read_client(name, client, s, components));
  }
  // A component whose own actors are the run (an erasure job) needs no client group.
  bool runs_by_itself = false;
  for (const auto& component : s.components) runs_by_itself = runs_by_itself || component->runs_by_itself();
  if (workload.clients.empty() && !runs_by_itself)
    w.origin().fail("missing-field", w.child("clients"), "the workload has no clients");
  w.finish();
  return workload;
}

Fault read_fault(const std::string& name, ObjectReader& r, const Topology& topology) {
  const Origin& origin = r.origin();
  Fault f;
  f.name = name;
  std::string type =
      r.kind("type", {"partition", "heal", "drop", "delay", "crash", "restart", "pause", "duplicate", "reorder",
                      "clock", "slow_cpu", "slow_disk", "disk_fill"});
  f.at_s = r.duration_s("at");
  f.duration_s = r.optional_duration_s("duration");
  if (r.has("until")) {
    r.choice("until", {"end"}, "end");
    if (f.duration_s) origin.fail("bad-value", r.child("until"), "a fault has either a duration or \"until\": \"end\", not both");
    f.until_end = true; // the duration is set once the workload's length is known
  }
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
    static const Shape groups_shape{
        {{"type", "object"},
         {"minProperties", 2},
         {"additionalProperties", {{"type", "array"}, {"items", {{"type", "string"}}}}}},
        {{"left", Json::array({kProbeName})}, {"right", Json::array()}}};
    const Json& groups = r.require("groups", groups_shape);
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
        bool known = std::any_of(f.groups.begin(), f.groups.end(), [&group = group](const auto& g) { return g.name == group; });
        if (!known) origin.fail("bad-value", way.child(key), quote(group) + " is not one of this partition's groups");
      }
      way.finish();
      if (from == to) origin.fail("bad-value", way.child("to"), "a one-way partition needs two different groups");
      f.one_way = std::make_pair(from, to);
    }
  } else if (type == "heal") {
    f.type = Fault::Type::heal;
    f.heals = r.string_or("partition", "");
  } else if (type == "drop" || type == "delay" || type == "duplicate" || type == "reorder") {
    f.type = type == "drop" ? Fault::Type::drop
             : type == "delay" ? Fault::Type::delay
             : type == "duplicate" ? Fault::Type::duplicate
                                   : Fault::Type::reorder;
    if (r.has("nodes")) f.nodes = node_list("nodes");
    if (f.type == Fault::Type::delay) {
      f.extra_delay_s = r.duration_s("extra");
      f.jitter_s = r.duration_s_or("jitter", 0.0);
    } else {
      f.probability = r.number("probability", 0, 1);
    }
    if (f.type == Fault::Type::reorder) {
      f.extra_delay_s = r.duration_s("window");
      if (f.extra_delay_s <= 0) origin.fail("bad-value", r.child("window"), "a reorder window must be above zero");
    }
  } else if (type == "clock" || type == "slow_cpu" || type == "slow_disk" || type == "disk_fill") {
    f.type = type == "clock"       ? Fault::Type::clock
             : type == "slow_cpu"  ? Fault::Type::slow_cpu
             : type == "slow_disk" ? Fault::Type::slow_disk
                                   : Fault::Type::disk_fill;
    f.node = r.string("node");
    require_node(origin, topology, f.node, r.child("node"));
    if (f.type == Fault::Type::clock) {
      static const Shape offset_shape{
          {{"type", "string"},
           {"pattern", "^[+-]?" + util::unit_pattern(util::Quantity::duration).substr(1)},
           {"description", "how far the node's clock steps at the start, like \"-5s\" or \"+250ms\""}},
          "-5s"};
      if (const Json* offset = r.find("offset", offset_shape)) {
        const std::string pointer = r.child("offset");
        if (!offset->is_string())
          origin.fail("bad-duration", pointer, "expected a signed duration like \"-5s\" or \"+250ms\", got " + describe_json(*offset));
        std::string text = offset->get<std::string>();
        const bool negative = !text.empty() && text[0] == '-';
        if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.erase(0, 1);
        const auto seconds = util::parse_duration_s(text);
        if (!seconds)
          origin.fail("bad-duration", pointer,
                      "expected a signed duration like \"-5s\" or \"+250ms\", got " + describe_json(*offset));
        f.clock_offset_s = *seconds * (negative ? -1.0 : 1.0);
      }
      // Real clocks err by parts per million; a drift of 0.5 would be a clock
      // at half or one and a half speed, already far past a broken one.
      f.clock_drift = r.number_or("drift", 0.0, -0.5, 0.5);
      if (f.clock_offset_s == 0.0 && f.clock_drift == 0.0 && !r.probing())
        origin.fail("missing-field", r.pointer(), "a clock fault needs an \"offset\" (a step, like \"-5s\") or a \"drift\" (a rate error, like 0.001), or both");
    } else if (f.type == Fault::Type::disk_fill) {
      f.fill_bytes = detail::read_size(r, "size", 0);
      if (f.fill_bytes <= 0 && !r.probing()) origin.fail("missing-field", r.child("size"), "a disk_fill needs a \"size\" above zero, like \"50GiB\"");
    } else {
      f.factor = r.number("factor", 1, 1000);
    }
  } else {
    f.type = type == "crash" ? Fault::Type::crash : type == "restart" ? Fault::Type::restart : Fault::Type::pause;
    f.node = r.string("node");
    require_node(origin, topology, f.node, r.child("node"));
    if (f.type == Fault::Type::pause && !f.duration_s)
      origin.fail("missing-field", r.pointer(), "missing required field \"duration\" (how long the pause lasts)");
  }
  r.describe({{"until", "\"end\": the fault lasts until the workload ends, and is healed before the final reads"},
              {"jitter", "a delay's spread: each message waits extra plus a uniform draw up to this"},
              {"window", "reorder: a held-back message waits a uniform draw up to this, so later ones overtake it"},
              {"offset", "clock: the step the node's wall clock takes at the start (undone at the end)"},
              {"drift", "clock: the node's clock runs (1 + drift) times as fast while the fault lasts"},
              {"factor", "slow_cpu / slow_disk: how many times slower the node's CPU or disk runs"},
              {"size", "disk_fill: how much of the node's disk other files take (logs, a core dump)"}});
  if (f.type == Fault::Type::heal || f.type == Fault::Type::restart) {
    if (f.duration_s) origin.fail("bad-value", r.child("duration"), "a " + type + " has no duration");
    if (f.until_end) origin.fail("bad-value", r.child("until"), "a " + type + " happens at one moment; it has no end");
  }
  r.finish();
  return f;
}

// verify runs every seed of every variant: a thousand is already hours.
constexpr unsigned long long kMaxSeeds = 1000;

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
    if (dots == std::string::npos || end1 != text.c_str() + dots || end2 == nullptr || *end2 != '\0' || overflow ||
        !std::isdigit(static_cast<unsigned char>(text[0])) || !std::isdigit(static_cast<unsigned char>(text[dots + 2])))
      origin.fail("bad-value", pointer, expected + describe_json(value));
    if (b < a)
      origin.fail("bad-value", pointer, "the range " + describe_json(value) + " ends before it starts");
    if (b - a >= kMaxSeeds)
      origin.fail("over-limit", pointer,
                  "the range " + describe_json(value) + " has " + std::to_string(b - a + 1) + " seeds; at most " +
                      std::to_string(kMaxSeeds) + " are allowed");
    for (unsigned long long i = 0; i <= b - a; ++i) seeds.push_back(a + i);
    return seeds;
  }
  if (!value.is_array() || value.empty())
    origin.fail("wrong-type", pointer, expected + describe_json(value));
  if (value.size() > kMaxSeeds)
    origin.fail("over-limit", pointer,
                "the list has " + std::to_string(value.size()) + " seeds; at most " + std::to_string(kMaxSeeds) +
                    " are allowed");
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
  root.describe({
      {"$schema", "the schema this file follows, for editors: \"./schema.json\" in the catalog"},
      {"title", "what the scenario shows, in a few words"},
      {"lesson", "what goes wrong in production and why"},
      {"design", "one sentence on the design of this variant (variants override it)"},
      {"comment", "a note for people, read by nothing (faultlab shrink says there where a file came from)"},
      {"workshop", "for facilitators (faultlab explain): what to look for in the viewer, questions for the room"},
      {"topology", "the nodes, their zones and the network between them"},
      {"components", "the system's parts by name; each has a \"type\""},
      {"workload", "how long the run lasts and the client groups that send requests"},
      {"faults", "the fault timeline by name: partitions, drops, delays, duplicates, reordering, crashes, pauses, "
                 "clock steps and drift, slow CPUs and disks"},
      {"checks", "the checkers to run on the history, by name, with their options"},
      {"expect", "what verify expects: violations per check and metrics, as {\"min\", \"max\"}"},
      {"seeds", "the seeds verify runs: [1, 2, 3] or \"1..5\" (default 1..5)"},
      {"limits", "caps on what a run may use: operations, trace events, requests in flight, queue entries"},
  });
  root.string_or("$schema", ""); // editors read it; faultlab does not need it
  s.title = root.string("title");
  s.lesson = root.string("lesson");
  s.design = root.string_or("design", "");
  // A note for people, read by nothing (faultlab shrink says there where a
  // file came from).
  root.string_or("comment", "");
  if (root.find("workshop")) {
    ObjectReader w = root.object("workshop");
    if (w.find("look_for")) s.look_for = w.string_list("look_for");
    if (w.find("questions")) s.questions = w.string_list("questions");
    w.finish();
  }
  s.topology = read_topology(root.object("topology"));

  std::vector<std::string> component_names;
  static const Shape components_shape{
      {{"type", "object"}, {"minProperties", 1}, {"additionalProperties", {{"$probe", kProbeName}}}},
      {{kProbeName, Json::object()}}};
  const Json& components = root.require("components", components_shape);
  if (!components.is_object())
    origin.fail("wrong-type", "/components", "expected an object keyed by component name, got " + describe_json(components));
  for (auto it = components.begin(); it != components.end(); ++it) {
    check_name(origin, it.key(), pointer_append("/components", it.key()));
    component_names.push_back(it.key());
  }
  const ComponentTypes& types = ComponentTypes::instance();
  if (types.names().empty())
    throw std::logic_error("no component types are registered: call components::register_builtin() first");
  for (auto it = components.begin(); it != components.end(); ++it) {
    ObjectReader r(origin, it.value(), pointer_append("/components", it.key()));
    const std::string type = r.kind("type", types.names());
    s.components.push_back((*types.find(type))(it.key(), r, s.topology));
    r.finish();
  }
  if (component_names.empty()) origin.fail("missing-field", "/components", "the scenario declares no components");
  // While probing, the sample components refer to nothing real.
  if (!root.probing())
    for (const auto& component : s.components) component->check_references(s, origin);

  s.workload = read_workload(root.object("workload"), s, component_names);

  for (auto& [name, fault] : root.members("faults")) s.faults.push_back(read_fault(name, fault, s.topology));
  std::stable_sort(s.faults.begin(), s.faults.end(), [](const Fault& a, const Fault& b) { return a.at_s < b.at_s; });
  // "until": "end": healed when the workload stops, so the settle time and
  // the final reads see the system whole (liveness can be checked).
  for (auto& fault : s.faults)
    if (fault.until_end) {
      if (fault.at_s >= s.workload.duration_s)
        origin.fail("after-end", pointer_append("/faults", fault.name) + "/at",
                    "the fault would start at " + util::format_duration(fault.at_s) +
                        ", after the workload ends (" + util::format_duration(s.workload.duration_s) +
                        "), so \"until\": \"end\" would give it no time at all");
      fault.duration_s = s.workload.duration_s - fault.at_s;
    }
  // A fault that would start after the last event of the run would be
  // silently ignored, and the run would look like it survived it.
  const double end_s = s.workload.duration_s + s.workload.settle_s;
  for (const auto& fault : s.faults)
    if (fault.at_s >= end_s)
      origin.fail("after-end", pointer_append("/faults", fault.name) + "/at",
                  "the fault would start at " + util::format_duration(fault.at_s) + ", but the run ends at " +
                      util::format_duration(end_s) + " (workload.duration " +
                      util::format_duration(s.workload.duration_s) + " + settle " +
                      util::format_duration(s.workload.settle_s) + "): it would never happen");

  for (auto& [name, check] : root.named_members("checks", checker_names())) s.checks.push_back(read_check(name, check, s));
  if (root.has("expect")) read_expect(root.object("expect"), s);

  static const Shape seeds_shape{
      {{"anyOf", Json::array({{{"type", "array"}, {"minItems", 1}, {"items", {{"type", "integer"}, {"minimum", 0}}}},
                              {{"type", "string"}, {"pattern", "^[0-9]+\\.\\.[0-9]+$"}}})}},
      nullptr};
  if (const Json* seeds = root.find("seeds", seeds_shape)) s.seeds = read_seeds(origin, *seeds, "/seeds");
  else s.seeds = {1, 2, 3, 4, 5};

  if (root.has("limits")) {
    ObjectReader limits = root.object("limits");
    s.limits.max_ops = limits.integer_or("max_ops", s.limits.max_ops, 1, 50'000'000);
    s.limits.max_trace_events = limits.integer_or("max_trace_events", s.limits.max_trace_events, 1, 500'000'000);
    s.limits.max_in_flight = limits.integer_or("max_in_flight", s.limits.max_in_flight, 1, 25'000);
    s.limits.max_queue = limits.integer_or("max_queue", s.limits.max_queue, 1, 10'000'000);
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
