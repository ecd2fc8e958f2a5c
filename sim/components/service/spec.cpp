#include "components/service/spec.hpp"

#include "scenario/read_helpers.hpp"
#include "util/input_error.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace faultlab::scenario {

using namespace detail; // the shared readers (read_helpers.hpp)
using util::quote;
namespace {

// A call's key is a template: "{user}" becomes the number of the user the
// request is for. Anything else in braces is a typo that would otherwise
// make every user share one literal key.
void check_key_template(const Origin& origin, const std::string& key, const std::string& pointer) {
  static const char* const kPlaceholders = "{user}";
  for (std::size_t at = 0; at < key.size(); ++at) {
    if (key[at] == '}')
      origin.fail("bad-template", pointer,
                  "a \"}\" with no \"{\" before it in " + quote(key) + " (placeholders: " + kPlaceholders + ")");
    if (key[at] != '{') continue;
    std::size_t close = key.find_first_of("{}", at + 1);
    if (close == std::string::npos || key[close] == '{')
      origin.fail("bad-template", pointer,
                  "a \"{\" with no \"}\" after it in " + quote(key) + " (placeholders: " + kPlaceholders + ")");
    std::string placeholder = key.substr(at, close - at + 1);
    if (placeholder != "{user}")
      origin.fail("bad-template", pointer,
                  "unknown placeholder " + placeholder + " in " + quote(key) + " (placeholders: " + kPlaceholders + ")");
    at = close;
  }
}

Call read_call(const std::string& name, ObjectReader& r) {
  const Origin& origin = r.origin();
  Call c;
  c.name = name;
  c.to = r.string("to");
  c.op = r.string("op");
  c.key = r.string_or("key", "");
  check_key_template(origin, c.key, r.child("key"));
  c.timeout_s = positive_duration(r, "timeout", c.timeout_s, "a timeout");
  c.retries = static_cast<int>(r.integer_or("retries", 0, 0, 10));
  if (const Json* backoff = r.find("backoff", duration_or_object_shape())) {
    if (backoff->is_object()) {
      ObjectReader b = r.object("backoff");
      c.backoff_s = b.duration_s("base");
      c.backoff_max_s = b.duration_s_or("max", std::max(c.backoff_max_s, c.backoff_s));
      c.jitter = b.boolean_or("jitter", false);
      if (c.backoff_max_s < c.backoff_s) origin.fail("bad-value", b.child("max"), "expected max to be at least base");
      b.finish();
    } else {
      c.backoff_s = read_duration_s(origin, *backoff, r.child("backoff"));
      c.backoff_max_s = c.backoff_s; // a constant wait
    }
  }
  std::string fallback = r.choice("fallback", {"none", "fail_open", "default"}, "none");
  c.fallback = fallback == "none"        ? Call::Fallback::none
               : fallback == "fail_open" ? Call::Fallback::fail_open
                                         : Call::Fallback::fallback_default;
  r.finish();
  return c;
}

// {"endpoints": {"get_profile": {"db": "read_full_name"}}}: the op each
// named call makes in this version; checked against the endpoints here and
// against the callees in check_references.
CodeVersion read_version(const std::string& name, ObjectReader& r) {
  CodeVersion v;
  v.name = name;
  static const Shape ops_shape{
      {{"type", "object"}, {"additionalProperties", {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}}},
      nullptr};
  const Json* endpoints = r.find("endpoints", ops_shape);
  if (endpoints != nullptr) {
    if (!endpoints->is_object())
      r.origin().fail("wrong-type", r.child("endpoints"),
                      "expected an object of endpoint -> {call: op}, got " + describe_json(*endpoints));
    for (auto e = endpoints->begin(); e != endpoints->end(); ++e) {
      const std::string pointer = pointer_append(r.child("endpoints"), e.key());
      if (!e.value().is_object())
        r.origin().fail("wrong-type", pointer, "expected an object of call -> op, got " + describe_json(e.value()));
      for (auto c = e.value().begin(); c != e.value().end(); ++c)
        v.ops.push_back({e.key(), c.key(), read_string(r.origin(), c.value(), pointer_append(pointer, c.key()))});
    }
  }
  r.finish();
  return v;
}

Logging read_logging(ObjectReader& parent, const Topology& topology) {
  ObjectReader r = parent.object("logging");
  Logging logging;
  const std::string mode = r.choice("mode", {"sync", "async"}, "sync");
  logging.mode = mode == "sync" ? Logging::Mode::sync : Logging::Mode::async;
  logging.bytes_per_request = read_size(r, "bytes_per_request", logging.bytes_per_request);
  if (!r.probing() && r.has("buffer") && logging.mode == Logging::Mode::sync)
    r.origin().fail("bad-value", r.child("buffer"), "a sync logger has no buffer (it is for \"mode\": \"async\")");
  logging.buffer_lines = r.integer_or("buffer", logging.buffer_lines, 1, 1'000'000);
  const std::string sink = r.choice("sink", {"disk", "collector"}, "disk");
  if (sink == "collector") {
    logging.collector = read_node(r, topology, "collector");
    logging.timeout_s = positive_duration(r, "timeout", logging.timeout_s, "a timeout");
  } else if (!r.probing()) {
    for (const char* key : {"collector", "timeout"})
      if (r.has(key))
        r.origin().fail("bad-value", r.child(key), std::string("\"") + key + "\" is for \"sink\": \"collector\"");
  }
  r.describe({{"mode", "sync: the request writes its line and waits for the disk; async: the line goes into a "
                       "bounded buffer that a background writer drains"},
              {"bytes_per_request", "the size of each request's log line (an endpoint may say its own with log_bytes)"},
              {"buffer", "async: how many lines wait in memory at most; a line that finds it full is dropped and counted"},
              {"sink", "where the lines go: \"disk\", the instance node's disk, or \"collector\", a log collector on "
                       "another node, over the network"},
              {"collector", "sink collector: the node whose log collector takes the lines and writes them to its disk"},
              {"timeout", "sink collector: how long a write waits for the collector's answer before its lines are lost"}});
  r.finish();
  return logging;
}

} // namespace

std::shared_ptr<ComponentSpec> read_service(const std::string& name, ObjectReader& r, const Topology& topology) {
  auto spec = std::make_shared<Service>();
  Service& s = *spec;
  s.name = name;
  s.type = "service";
  s.instances = read_node_list(r, topology, "instances", false);
  if (r.has("spares")) s.spares = read_node_list(r, topology, "spares", true);
  for (const auto& node : s.spares)
    if (std::find(s.instances.begin(), s.instances.end(), node) != s.instances.end())
      r.origin().fail("bad-value", r.child("spares"),
                      quote(node) + " is already one of the service's instances (spares are the nodes not in rotation at the start)");
  const std::string balancer = r.choice("load_balancer", {"random", "round_robin", "least_connections"}, "random");
  s.load_balancer = balancer == "random"        ? Service::Balancer::random
                    : balancer == "round_robin" ? Service::Balancer::round_robin
                                                : Service::Balancer::least_connections;
  s.max_in_flight = static_cast<int>(r.integer_or("max_in_flight", 0, 0, 1'000'000));
  s.work_s = r.duration_s_or("work", s.work_s);
  s.message_bytes = read_message_size(r, s.message_bytes);
  for (auto& [endpoint_name, e] : r.members("endpoints")) {
    check_name(r.origin(), endpoint_name, e.pointer());
    Endpoint endpoint;
    endpoint.name = endpoint_name;
    for (auto& [call_name, call] : e.members("calls")) {
      check_name(r.origin(), call_name, call.pointer());
      endpoint.calls.push_back(read_call(call_name, call));
    }
    endpoint.log_bytes = read_size(e, "log_bytes", -1);
    e.describe({{"log_bytes", "the size of the log line this endpoint writes (default: the logger's bytes_per_request)"}});
    e.finish();
    s.endpoints.push_back(std::move(endpoint));
  }
  if (s.endpoints.empty()) r.origin().fail("missing-field", r.child("endpoints"), "a service needs at least one endpoint");
  for (auto& [version, vr] : r.members("versions")) {
    check_name(r.origin(), version, vr.pointer());
    s.versions.push_back(read_version(version, vr));
  }
  s.initial_version = r.string_or("version", "");
  if (!r.origin().probe && !s.versions.empty() && s.initial_version.empty())
    r.origin().fail("missing-field", r.child("version"),
                    "a service with versions needs \"version\": the one its instances run at the start");
  if (!r.origin().probe && !s.initial_version.empty() && s.find_version(s.initial_version) == nullptr) {
    std::vector<std::string> names;
    for (const auto& v : s.versions) names.push_back(v.name);
    r.origin().fail("bad-value", r.child("version"),
                    quote(s.initial_version) + " is not one of this service's versions (versions: " +
                        (names.empty() ? std::string("none") : join(names)) + ")");
  }
  r.describe({{"spares", "spare nodes that can run an instance, out of the load balancer's rotation until an "
                          "autoscaler adds them"},
              {"load_balancer", "how a request picks an instance: random, round_robin, or least_connections (the "
                                "instance with the fewest requests in flight, as the balancer counts them)"},
              {"max_in_flight", "admission control: an instance answers 503 at once while this many requests are in "
                                "progress on it (0: no limit)"},
              {"versions", "{name: {\"endpoints\": {endpoint: {call: op}}}}: code releases, each saying which "
                           "operation a call makes (calls it does not name keep the endpoint's)"},
              {"version", "the code version every instance runs at the start (required with versions)"}});
  s.event_loop = r.boolean_or("event_loop", false);
  if (r.has("logging")) s.logging = read_logging(r, topology);
  r.describe({{"event_loop", "true: one thread per instance, as Node.js: CPU work and synchronous steps (a sync log "
                             "write) hold the loop and other requests wait; calls to dependencies let go of it"},
              {"logging", "a log line per request, written to the instance's disk: {\"mode\": \"sync\"|\"async\", "
                          "\"bytes_per_request\", \"buffer\" (async: lines held in memory; more are dropped)}"}});
  if (!s.logging && !r.probing()) {
    for (std::size_t i = 0; i < s.endpoints.size(); ++i)
      if (s.endpoints[i].log_bytes >= 0)
        r.origin().fail("bad-value", pointer_append(r.child("endpoints"), s.endpoints[i].name) + "/log_bytes",
                        "an endpoint's log line needs a logger: add \"logging\" to the service");
  }
  for (auto& [to, p] : r.members("pools")) {
    Pool pool;
    pool.to = to;
    pool.size = static_cast<int>(p.integer_or("size", pool.size, 1, 100'000));
    pool.wait_timeout_s = positive_duration(p, "wait_timeout", pool.wait_timeout_s, "a wait timeout");
    pool.max_waiting = static_cast<int>(p.integer_or("max_waiting", pool.max_waiting, 0, 1'000'000));
    p.describe({{"size", "connections each instance keeps to this dependency: at most this many calls at once"},
                {"wait_timeout", "how long a call waits for a free connection before it fails"},
                {"max_waiting", "calls that may wait for a connection at once; one more fails at once (load "
                                "shedding). Absent: no bound"}});
    p.finish();
    s.pools.push_back(pool);
  }
  return spec;
}

std::vector<std::string> Service::metric_names() const {
  std::vector<std::string> names;
  if (event_loop) names.push_back("loop_wait_max_s");
  if (logging) {
    names.push_back("log_lines_written");
    names.push_back("log_lines_dropped");
    names.push_back("log_write_max_s");
  }
  return names;
}

const Endpoint* Service::find(const std::string& endpoint) const {
  for (const auto& e : endpoints)
    if (e.name == endpoint) return &e;
  return nullptr;
}

const CodeVersion* Service::find_version(const std::string& wanted) const {
  for (const auto& v : versions)
    if (v.name == wanted) return &v;
  return nullptr;
}

const std::string& Service::op_for(const CodeVersion* running, const Endpoint& endpoint, const Call& call) const {
  if (running != nullptr)
    for (const auto& op : running->ops)
      if (op.endpoint == endpoint.name && op.call == call.name) return op.op;
  return call.op;
}

std::vector<NodeRole> Service::node_roles() const {
  std::vector<NodeRole> roles;
  for (const auto& i : instances) roles.push_back({i, "instance"});
  for (const auto& i : spares) roles.push_back({i, "spare"});
  if (logging && !logging->collector.empty()) roles.push_back({logging->collector, "log collector"});
  return roles;
}

const char* to_string(Service::Balancer balancer) {
  switch (balancer) {
  case Service::Balancer::random: return "random";
  case Service::Balancer::round_robin: return "round_robin";
  case Service::Balancer::least_connections: return "least_connections";
  }
  return "random";
}

std::vector<std::string> Service::client_ops() const {
  std::vector<std::string> ops;
  for (const auto& e : endpoints) ops.push_back(e.name);
  return ops;
}

ClientRules Service::client_rules() const {
  ClientRules rules;
  rules.no_key_prefix = "a service request names its user; drop keys.prefix";
  rules.keys_are_users = true; // a request is made by one of the users
  return rules;
}

void Service::check_references(const Scenario& scenario, const Origin& origin) const {
  for (const auto& endpoint : endpoints)
    for (const auto& call : endpoint.calls) {
      std::string pointer = pointer_append(pointer_append(pointer_append("/components", name) + "/endpoints",
                                                          endpoint.name) + "/calls", call.name);
      const ComponentSpec* target = scenario.component(call.to);
      const std::vector<std::string> ops = target ? target->call_ops() : std::vector<std::string>{};
      if (ops.empty())
        origin.fail("unknown-component", pointer + "/to",
                    quote(call.to) + (target == nullptr ? " is not a component of this scenario"
                                                        : " is of type " + target->type + ", which a service cannot call") +
                        " (an endpoint calls a replica_group, a database or another service)");
      if (dynamic_cast<const Service*>(target) != nullptr && !call.key.empty())
        origin.fail("bad-value", pointer + "/key",
                    "a call to another service's endpoint takes no key: the request's user travels with it");
      if (std::find(ops.begin(), ops.end(), call.op) == ops.end())
        origin.fail("bad-value", pointer + "/op",
                    quote(call.op) + " is not an operation of " + quote(call.to) + " (operations: " + join(ops) + ")");
    }
  for (const auto& release : versions)
    for (const auto& op : release.ops) {
      const std::string at_endpoint = pointer_append(
          pointer_append(pointer_append("/components", name) + "/versions", release.name) + "/endpoints", op.endpoint);
      const std::string pointer = pointer_append(at_endpoint, op.call);
      const Endpoint* endpoint = find(op.endpoint);
      if (endpoint == nullptr)
        origin.fail("unknown-field", at_endpoint, "no endpoint " + quote(op.endpoint) + " in this service (endpoints: " +
                                                  join(client_ops()) + ")");
      const Call* call = nullptr;
      std::vector<std::string> calls;
      for (const auto& c : endpoint->calls) {
        calls.push_back(c.name);
        if (c.name == op.call) call = &c;
      }
      if (call == nullptr)
        origin.fail("unknown-field", pointer,
                    "endpoint " + quote(op.endpoint) + " makes no call " + quote(op.call) + " (calls: " + join(calls) + ")");
      const ComponentSpec* target = scenario.component(call->to);
      const std::vector<std::string> ops = target ? target->call_ops() : std::vector<std::string>{};
      if (std::find(ops.begin(), ops.end(), op.op) == ops.end())
        origin.fail("bad-value", pointer,
                    quote(op.op) + " is not an operation of " + quote(call->to) + " (operations: " + join(ops) + ")");
    }
  for (const auto& pool : pools) {
    bool called = false;
    for (const auto& endpoint : endpoints)
      for (const auto& call : endpoint.calls) called = called || call.to == pool.to;
    if (!called)
      origin.fail("unknown-component", pointer_append(pointer_append("/components", name) + "/pools", pool.to),
                  quote(pool.to) + " is not called by any endpoint of this service (a pool holds the connections "
                  "to one dependency)");
  }
  // Services calling each other must not loop: a request would never end.
  std::map<std::string, int> state; // 1: on the path, 2: done
  std::function<void(const Service&, std::vector<std::string>&)> visit = [&](const Service& service,
                                                                             std::vector<std::string>& path) {
    state[service.name] = 1;
    path.push_back(service.name);
    for (const auto& endpoint : service.endpoints)
      for (const auto& call : endpoint.calls) {
        const Service* next = scenario.component_as<Service>(call.to);
        if (next == nullptr || state[next->name] == 2) continue;
        if (state[next->name] == 1)
          origin.fail("bad-value", pointer_append("/components", service.name) + "/endpoints",
                      "services call each other in a loop: " + join(path) + ", " + next->name);
        visit(*next, path);
      }
    path.pop_back();
    state[service.name] = 2;
  };
  std::vector<std::string> path;
  visit(*this, path);
}

namespace {
// An endpoint's dependencies, one per component it calls, in the order of
// its first call there. Calls to the same component (a checkout that prices
// the cart, then places the order, both on "db") make one dependency: hard
// if any of them has no fallback, and its "why" names every call.
std::vector<topo::Dependency> calls_of(const Endpoint& endpoint) {
  std::vector<topo::Dependency> deps;
  for (const auto& call : endpoint.calls) {
    const bool hard = call.fallback == Call::Fallback::none;
    const std::string why = call.op + (call.key.empty() ? "" : " " + call.key);
    auto same = std::find_if(deps.begin(), deps.end(), [&](const topo::Dependency& d) { return d.component == call.to; });
    if (same == deps.end()) {
      deps.push_back(topo::Dependency{call.to, hard, why});
    } else {
      same->hard = same->hard || hard;
      same->why += ", " + why;
    }
  }
  return deps;
}
} // namespace

// A service called by another service needs what the endpoints it is
// called on need.
void Service::add_to_design(topo::Design& design, const Scenario& scenario) const {
  std::set<std::string> called; // this service's endpoints that others call
  for (const Service* other : scenario.components_of<Service>())
    for (const auto& e : other->endpoints)
      for (const auto& call : e.calls)
        if (call.to == name) called.insert(call.op);
  topo::Component c{name, type, instances, topo::Needs::any, {}};
  for (const auto& e : endpoints) {
    if (!called.count(e.name)) continue;
    for (const auto& dep : calls_of(e))
      if (std::none_of(c.deps.begin(), c.deps.end(), [&](const topo::Dependency& x) { return x.component == dep.component; }))
        c.deps.push_back(dep);
  }
  design.components.push_back(c);
}

topo::Endpoint Service::endpoint_for(const std::string& op, const Scenario& scenario) const {
  (void)scenario;
  return topo::Endpoint{name + ":" + op, name, calls_of(*find(op))};
}

} // namespace faultlab::scenario
