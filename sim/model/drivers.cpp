// Which driver a client group gets, from the type of its target.
#include "model/cache.hpp"
#include "model/inventory.hpp"
#include "model/kv_client.hpp"
#include "model/service.hpp"
#include "model/sharded_store.hpp"

namespace faultlab::model {

std::unique_ptr<ClientDriver> make_driver(const scenario::Client& spec, Components& components, Context& context,
                                          int node, util::Rng& rng) {
  const std::string type = context.scenario.component_type(spec.target);
  if (type == "replica_group")
    return std::make_unique<KvClient>(spec, context, node, rng, Components::find(components.groups, spec.target));
  if (type == "cache") {
    const CacheModel& cache = Components::find(components.caches, spec.target);
    return std::make_unique<CacheAsideClient>(spec, context, node, rng, cache,
                                              Components::find(components.groups, cache.spec().database));
  }
  if (type == "service")
    return std::make_unique<ServiceClient>(spec, context, node, rng, Components::find(components.services, spec.target));
  if (type == "sharded_store")
    return std::make_unique<ShardClient>(spec, context, node, rng,
                                         Components::find(components.sharded_stores, spec.target));
  const InventoryModel& inventory = Components::find(components.inventories, spec.target);
  const LockServiceModel* locks = inventory.spec().lock_service.empty()
                                      ? nullptr
                                      : &Components::find(components.lock_services, inventory.spec().lock_service);
  return std::make_unique<BuyerClient>(spec, context, node, rng, inventory, locks);
}

} // namespace faultlab::model
