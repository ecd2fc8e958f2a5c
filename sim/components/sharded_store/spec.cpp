#include "components/sharded_store/spec.hpp"

#include "scenario/read_helpers.hpp"
#include "util/input_error.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace faultlab::scenario {

using namespace detail; // the shared readers (read_helpers.hpp)
using util::quote;

std::shared_ptr<ComponentSpec> read_sharded_store(const std::string& name, ObjectReader& r, const Topology& topology) {
  const Origin& origin = r.origin();
  auto spec = std::make_shared<ShardedStore>();
  ShardedStore& s = *spec;
  s.name = name;
  s.type = "sharded_store";
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
  static const Shape shape{
      {{"type", "object"},
       {"additionalProperties", {{"type", "array"}, {"minItems", 1}, {"items", {{"type", "string"}}}}}},
      nullptr};
  if (const Json* directory = r.find("directory", shape)) {
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
  return spec;
}

std::vector<NodeRole> ShardedStore::node_roles() const {
  std::vector<NodeRole> roles;
  for (const auto& shard : shards) roles.push_back({shard.node, shard.name});
  return roles;
}

std::vector<std::string> ShardedStore::client_ops() const { return {"read", "write"}; }

ClientRules ShardedStore::client_rules() const {
  ClientRules rules;
  rules.default_key_prefix = "tenant-"; // client keys are tenants
  return rules;
}

// Each shard holds its own records: losing any shard loses requests.
void ShardedStore::add_to_design(topo::Design& design, const Scenario& scenario) const {
  (void)scenario;
  topo::Component c{name, type, {}, topo::Needs::all, {}};
  for (const auto& shard : shards) c.nodes.push_back(shard.node);
  design.components.push_back(c);
}

std::string ShardedStore::analyze_note() const {
  return "(A sharded store counts as down when any of its shards is: the requests routed to that shard\n"
         "fail, the others go on, so for a sharded store \"down\" means a partial outage.)";
}

void ShardedStore::add_checker_facts(check::CheckOptions& options) const {
  for (const auto& shard : shards) options.shard_nodes.push_back(shard.node);
}

} // namespace faultlab::scenario
