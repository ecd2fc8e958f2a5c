#include "components/inventory/spec.hpp"

#include "scenario/read_helpers.hpp"
#include "util/input_error.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace faultlab::scenario {

using namespace detail; // the shared readers (read_helpers.hpp)
using util::quote;

std::shared_ptr<ComponentSpec> read_inventory(const std::string& name, ObjectReader& r, const Topology& topology) {
  const Origin& origin = r.origin();
  auto spec = std::make_shared<Inventory>();
  Inventory& inv = *spec;
  inv.name = name;
  inv.type = "inventory";
  inv.node = read_node(r, topology);
  static const Shape shape{
      {{"type", "object"},
       {"minProperties", 1},
       {"additionalProperties", {{"type", "integer"}, {"minimum", 0}, {"maximum", 1'000'000'000}}}},
      {{"item", 1}}};
  const Json& items = r.require("items", shape);
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
  return spec;
}

std::vector<NodeRole> Inventory::node_roles() const { return {{node, "inventory"}}; }

std::vector<std::string> Inventory::client_ops() const { return {"buy"}; }

ClientRules Inventory::client_rules() const {
  ClientRules rules;
  rules.no_key_count = "buyers choose among the inventory's items; drop keys.count";
  return rules;
}

std::optional<int> Inventory::key_count_for(const Client& client) const {
  (void)client;
  return static_cast<int>(items.size());
}

void Inventory::check_references(const Scenario& scenario, const Origin& origin) const {
  if (!lock_service.empty() && scenario.component_type(lock_service) != "lock_service")
    origin.fail("unknown-component", pointer_append("/components", name) + "/lock_service",
                quote(lock_service) + " is not a lock_service of this scenario (lock services: " +
                    join(scenario.names_of_type("lock_service")) + ")");
  // Item names are unique over every inventory: the checkers know stock by item.
  for (const Inventory* other : scenario.components_of<Inventory>()) {
    if (other == this) break; // only earlier ones: the error names the second place
    for (const auto& [item, units] : items) {
      (void)units;
      for (const auto& [other_item, other_units] : other->items) {
        (void)other_units;
        if (item == other_item)
          origin.fail("bad-value", pointer_append(pointer_append("/components", name) + "/items", item),
                      quote(item) + " is already an item of " + quote(other->name) + "; item names are unique");
      }
    }
  }
}

void Inventory::add_to_design(topo::Design& design, const Scenario& scenario) const {
  (void)scenario;
  topo::Component c{name, type, {node}, topo::Needs::all, {}};
  if (!lock_service.empty()) c.deps.push_back(topo::Dependency{lock_service, true, "lease"});
  design.components.push_back(c);
}

void Inventory::add_checker_facts(check::CheckOptions& options) const {
  for (const auto& [item, units] : items) options.stock[item] = units;
}

} // namespace faultlab::scenario
