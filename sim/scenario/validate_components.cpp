// One reader per component type, and the rules that tie components to each
// other. Like the rest of validation, each value is read where its JSON path
// is known, so every problem names its exact place.
#include "scenario/validate_parts.hpp"
#include "util/input_error.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

namespace faultlab::scenario::detail {

using util::quote;

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

void check_name(const Origin& origin, const std::string& name, const std::string& pointer) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  if (!ok)
    origin.fail("bad-name", pointer,
                "expected a name of letters, digits, '-' and '_' (at most 64), got " + quote(name));
}

Distribution read_distribution(ObjectReader& parent, const std::string& key) {
  const Origin& origin = parent.origin();
  Distribution d;
  const Json& value = parent.require(key);
  std::string pointer = parent.child(key);
  if (!value.is_object()) { // a plain duration: a fixed value
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

std::int64_t read_message_size(ObjectReader& r, std::int64_t fallback) {
  const Json* size = r.find("message_size");
  if (size == nullptr) return fallback;
  auto bytes = size->is_string() ? util::parse_size_bytes(size->get<std::string>()) : std::nullopt;
  if (!bytes || *bytes < 1 || *bytes > 1e9)
    r.origin().fail("bad-value", r.child("message_size"),
                    "expected a size like \"512B\" or \"4KiB\", got " + describe_json(*size));
  return static_cast<std::int64_t>(*bytes);
}

namespace {

std::string read_node(ObjectReader& r, const Topology& topology, const std::string& key = "node") {
  std::string node = r.string(key);
  require_node(r.origin(), topology, node, r.child(key));
  return node;
}

std::vector<std::string> read_node_list(ObjectReader& r, const Topology& topology, const std::string& key,
                                        bool allow_empty) {
  std::vector<std::string> nodes = r.string_list(key);
  if (nodes.empty() && !allow_empty) r.origin().fail("bad-value", r.child(key), "expected at least one node");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    std::string pointer = r.child(key) + "/" + std::to_string(i);
    require_node(r.origin(), topology, nodes[i], pointer);
    if (!seen.insert(nodes[i]).second) r.origin().fail("bad-value", pointer, quote(nodes[i]) + " appears twice");
  }
  return nodes;
}

double positive_duration(ObjectReader& r, const std::string& key, double fallback, const char* what) {
  double value = r.duration_s_or(key, fallback);
  if (value <= 0) r.origin().fail("bad-duration", r.child(key), std::string("expected ") + what + " above zero");
  return value;
}

} // namespace

ReplicaGroup read_replica_group(const std::string& name, ObjectReader& r, const Topology& topology) {
  const Origin& origin = r.origin();
  ReplicaGroup g;
  g.name = name;
  g.primary = read_node(r, topology, "primary");
  if (r.has("replicas")) g.replicas = read_node_list(r, topology, "replicas", true);
  if (std::find(g.replicas.begin(), g.replicas.end(), g.primary) != g.replicas.end())
    origin.fail("bad-value", r.child("replicas"), quote(g.primary) + " is the primary and cannot also be a replica");
  g.lag = r.find("lag") ? read_distribution(r, "lag") : Distribution{};
  g.ship_interval_s = r.duration_s_or("ship_interval", g.ship_interval_s);
  if (g.ship_interval_s > 0 && g.ship_interval_s < 0.001) // a sender waking up more often only costs run time
    origin.fail("bad-duration", r.child("ship_interval"),
                "expected a ship interval of 0 (ship each write at once) or at least 1ms");
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
  g.message_bytes = read_message_size(r, g.message_bytes);
  return g;
}

Cache read_cache(const std::string& name, ObjectReader& r, const Topology& topology) {
  Cache c;
  c.name = name;
  c.node = read_node(r, topology);
  c.database = r.string("database");
  c.ttl_s = positive_duration(r, "ttl", c.ttl_s, "a time to live");
  std::string invalidation = r.choice("invalidation", {"delete", "update", "none"}, "delete");
  c.invalidation = invalidation == "delete"   ? Cache::Invalidation::delete_key
                   : invalidation == "update" ? Cache::Invalidation::update
                                              : Cache::Invalidation::none;
  std::string fill = r.choice("fill", {"plain", "versioned", "lease"}, "plain");
  c.fill = fill == "plain" ? Cache::Fill::plain : fill == "versioned" ? Cache::Fill::versioned : Cache::Fill::lease;
  if (r.find("fill_delay")) c.fill_delay = read_distribution(r, "fill_delay");
  c.lease_wait_s = positive_duration(r, "lease_wait", c.lease_wait_s, "a lease wait");
  c.lease_retries = static_cast<int>(r.integer_or("lease_retries", c.lease_retries, 0, 1000));
  c.lease_timeout_s = positive_duration(r, "lease_timeout", c.lease_timeout_s, "a lease timeout");
  c.service_time_s = r.duration_s_or("service_time", c.service_time_s);
  c.timeout_s = positive_duration(r, "timeout", c.timeout_s, "a timeout");
  c.message_bytes = read_message_size(r, c.message_bytes);
  return c;
}

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
  if (const Json* backoff = r.find("backoff")) {
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

} // namespace

Service read_service(const std::string& name, ObjectReader& r, const Topology& topology) {
  Service s;
  s.name = name;
  s.instances = read_node_list(r, topology, "instances", false);
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
    e.finish();
    s.endpoints.push_back(std::move(endpoint));
  }
  if (s.endpoints.empty()) r.origin().fail("missing-field", r.child("endpoints"), "a service needs at least one endpoint");
  return s;
}

ShardedStore read_sharded_store(const std::string& name, ObjectReader& r, const Topology& topology) {
  const Origin& origin = r.origin();
  ShardedStore s;
  s.name = name;
  std::set<std::string> nodes;
  for (auto& [shard_name, shard] : r.members("shards")) {
    check_name(origin, shard_name, shard.pointer());
    ShardedStore::Shard sh{shard_name, read_node(shard, topology)};
    if (!nodes.insert(sh.node).second)
      origin.fail("bad-value", shard.child("node"), quote(sh.node) + " already holds another shard of " + quote(name));
    shard.finish();
    s.shards.push_back(sh);
  }
  if (s.shards.empty()) origin.fail("missing-field", r.child("shards"), "a sharded store needs at least one shard");
  std::string placement = r.choice("placement", {"hash", "range", "directory"}, "hash");
  s.placement = placement == "hash"    ? ShardedStore::Placement::hash
                : placement == "range" ? ShardedStore::Placement::range
                                       : ShardedStore::Placement::directory;
  std::string key = r.choice("shard_key", {"tenant", "tenant_and_record", "date"}, "tenant");
  s.shard_key = key == "tenant"              ? ShardedStore::ShardKey::tenant
                : key == "tenant_and_record" ? ShardedStore::ShardKey::tenant_and_record
                                             : ShardedStore::ShardKey::date;
  if (s.placement == ShardedStore::Placement::range && s.shard_key == ShardedStore::ShardKey::tenant_and_record)
    origin.fail("bad-value", r.child("shard_key"),
                "range placement splits the tenant or the date space; use \"tenant\" or \"date\" with it");
  s.period_s = positive_duration(r, "period", s.period_s, "a period");
  if (r.has("directory") && s.placement != ShardedStore::Placement::directory)
    origin.fail("bad-value", r.child("directory"), "a directory is only used with \"placement\": \"directory\"");
  if (const Json* directory = r.find("directory")) {
    if (!directory->is_object())
      origin.fail("wrong-type", r.child("directory"),
                  "expected an object of tenant -> list of shards, got " + describe_json(*directory));
    for (auto entry = directory->begin(); entry != directory->end(); ++entry) {
      const Json& list = entry.value();
      std::string pointer = pointer_append(r.child("directory"), entry.key());
      if (!list.is_array() || list.empty())
        origin.fail("wrong-type", pointer, "expected a non-empty list of shard names, got " + describe_json(list));
      std::vector<int> indices;
      for (std::size_t i = 0; i < list.size(); ++i) {
        std::string shard = read_string(origin, list[i], pointer + "/" + std::to_string(i));
        auto it = std::find_if(s.shards.begin(), s.shards.end(), [&](const auto& sh) { return sh.name == shard; });
        if (it == s.shards.end()) {
          std::vector<std::string> names;
          for (const auto& sh : s.shards) names.push_back(sh.name);
          origin.fail("bad-value", pointer + "/" + std::to_string(i),
                      quote(shard) + " is not a shard of " + quote(name) + " (shards: " + join(names) + ")");
        }
        indices.push_back(static_cast<int>(it - s.shards.begin()));
      }
      s.directory.emplace_back(entry.key(), indices);
    }
  }
  if (s.placement == ShardedStore::Placement::directory && s.directory.empty())
    origin.fail("missing-field", r.child("directory"), "directory placement needs a directory of tenants");
  s.service_time_s = r.duration_s_or("service_time", s.service_time_s);
  s.records_per_tenant = static_cast<int>(r.integer_or("records_per_tenant", s.records_per_tenant, 1, 100'000'000));
  s.message_bytes = read_message_size(r, s.message_bytes);
  return s;
}

Inventory read_inventory(const std::string& name, ObjectReader& r, const Topology& topology) {
  const Origin& origin = r.origin();
  Inventory inv;
  inv.name = name;
  inv.node = read_node(r, topology);
  const Json& items = r.require("items");
  if (!items.is_object())
    origin.fail("wrong-type", r.child("items"), "expected an object of item -> units in stock, got " + describe_json(items));
  for (auto entry = items.begin(); entry != items.end(); ++entry) {
    std::string pointer = pointer_append(r.child("items"), entry.key());
    check_name(origin, entry.key(), pointer);
    const Json& units = entry.value();
    if (!units.is_number_integer() || units.get<long long>() < 0 || units.get<long long>() > 1'000'000'000)
      origin.fail("wrong-type", pointer,
                  "expected the units in stock, a whole number of at least 0, got " + describe_json(units));
    inv.items.emplace_back(entry.key(), units.get<std::int64_t>());
  }
  if (inv.items.empty()) origin.fail("missing-field", r.child("items"), "an inventory needs at least one item");
  std::string buy = r.choice("buy", {"read_then_write", "row_lock", "conditional", "lease_lock"}, "read_then_write");
  inv.buy = buy == "read_then_write" ? Inventory::Buy::read_then_write
            : buy == "row_lock"      ? Inventory::Buy::row_lock
            : buy == "conditional"   ? Inventory::Buy::conditional
                                     : Inventory::Buy::lease_lock;
  if (r.find("think")) inv.think = read_distribution(r, "think");
  inv.lock_service = r.string_or("lock_service", "");
  if (inv.buy == Inventory::Buy::lease_lock && inv.lock_service.empty())
    origin.fail("missing-field", r.pointer(), "missing required field \"lock_service\" (\"buy\": \"lease_lock\" takes its lock there)");
  if (inv.buy != Inventory::Buy::lease_lock && !inv.lock_service.empty())
    origin.fail("bad-value", r.child("lock_service"), "a lock service is only used with \"buy\": \"lease_lock\"");
  inv.fencing = r.boolean_or("fencing", false);
  if (inv.fencing && inv.buy != Inventory::Buy::lease_lock)
    origin.fail("bad-value", r.child("fencing"), "fencing tokens come from the lock service: use \"buy\": \"lease_lock\"");
  inv.service_time_s = r.duration_s_or("service_time", inv.service_time_s);
  inv.lock_timeout_s = positive_duration(r, "lock_timeout", inv.lock_timeout_s, "a lock timeout");
  inv.message_bytes = read_message_size(r, inv.message_bytes);
  return inv;
}

LockService read_lock_service(const std::string& name, ObjectReader& r, const Topology& topology) {
  LockService l;
  l.name = name;
  l.node = read_node(r, topology);
  l.lease_s = positive_duration(r, "lease", l.lease_s, "a lease");
  l.service_time_s = r.duration_s_or("service_time", l.service_time_s);
  return l;
}

std::vector<std::string> component_ops(const Scenario& s, const std::string& component) {
  std::string type = s.component_type(component);
  if (type == "replica_group" || type == "cache" || type == "sharded_store") return {"read", "write"};
  if (type == "inventory") return {"buy"};
  if (type == "service") {
    std::vector<std::string> ops;
    for (const auto& e : Scenario::find_in(s.services, component)->endpoints) ops.push_back(e.name);
    return ops;
  }
  return {};
}

void check_component_references(const Scenario& s, const Origin& origin) {
  auto names_of = [](const auto& components) {
    std::vector<std::string> names;
    for (const auto& c : components) names.push_back(c.name);
    return names;
  };
  for (const auto& c : s.caches) {
    std::string pointer = pointer_append("/components", c.name) + "/database";
    if (s.component_type(c.database) != "replica_group")
      origin.fail("unknown-component", pointer,
                  quote(c.database) + " is not a replica_group of this scenario (replica groups: " +
                      join(names_of(s.replica_groups)) + ")");
  }
  for (const auto& inv : s.inventories) {
    if (inv.lock_service.empty()) continue;
    if (s.component_type(inv.lock_service) != "lock_service")
      origin.fail("unknown-component", pointer_append("/components", inv.name) + "/lock_service",
                  quote(inv.lock_service) + " is not a lock_service of this scenario (lock services: " +
                      join(names_of(s.lock_services)) + ")");
  }
  std::map<std::string, std::string> item_owner;
  for (const auto& inv : s.inventories)
    for (const auto& [item, units] : inv.items) {
      (void)units;
      auto [it, fresh] = item_owner.emplace(item, inv.name);
      if (!fresh)
        origin.fail("bad-value", pointer_append(pointer_append("/components", inv.name) + "/items", item),
                    quote(item) + " is already an item of " + quote(it->second) + "; item names are unique");
    }
  for (const auto& service : s.services)
    for (const auto& endpoint : service.endpoints)
      for (const auto& call : endpoint.calls) {
        std::string pointer = pointer_append(pointer_append(pointer_append("/components", service.name) + "/endpoints",
                                                            endpoint.name) + "/calls", call.name);
        std::string type = s.component_type(call.to);
        if (type != "replica_group" && type != "service")
          origin.fail("unknown-component", pointer + "/to",
                      quote(call.to) + (type.empty() ? " is not a component of this scenario"
                                                     : " is of type " + type + ", which a service cannot call") +
                          " (an endpoint calls a replica_group or another service)");
        if (type == "service" && !call.key.empty())
          origin.fail("bad-value", pointer + "/key",
                      "a call to another service's endpoint takes no key: the request's user travels with it");
        auto ops = component_ops(s, call.to);
        if (std::find(ops.begin(), ops.end(), call.op) == ops.end())
          origin.fail("bad-value", pointer + "/op",
                      quote(call.op) + " is not an operation of " + quote(call.to) + " (operations: " + join(ops) + ")");
      }
  // Services calling each other must not loop: a request would never end.
  std::map<std::string, int> state; // 1: on the path, 2: done
  std::function<void(const Service&, std::vector<std::string>&)> visit = [&](const Service& service,
                                                                             std::vector<std::string>& path) {
    state[service.name] = 1;
    path.push_back(service.name);
    for (const auto& endpoint : service.endpoints)
      for (const auto& call : endpoint.calls) {
        const Service* next = Scenario::find_in(s.services, call.to);
        if (next == nullptr || state[next->name] == 2) continue;
        if (state[next->name] == 1)
          origin.fail("bad-value", pointer_append("/components", service.name) + "/endpoints",
                      "services call each other in a loop: " + join(path) + ", " + next->name);
        visit(*next, path);
      }
    path.pop_back();
    state[service.name] = 2;
  };
  for (const auto& service : s.services) {
    std::vector<std::string> path;
    if (state[service.name] == 0) visit(service, path);
  }
}

} // namespace faultlab::scenario::detail
