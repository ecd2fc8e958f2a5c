// The inventory registers its reader, its model and the buyers' driver.
#include "components/inventory/spec.hpp"
#include "model/inventory.hpp"
#include "model/registry.hpp"

namespace faultlab::components {

void register_inventory() {
  using namespace faultlab::model;
  scenario::ComponentTypes::instance().add("inventory", &scenario::read_inventory);
  ModelType type;
  type.make = [](const scenario::ComponentSpec& spec, Components&, Context& context) -> std::unique_ptr<ComponentModel> {
    return std::make_unique<InventoryModel>(dynamic_cast<const scenario::Inventory&>(spec), context);
  };
  type.make_driver = [](const scenario::Client& client, const scenario::ComponentSpec& target, Components& components,
                        Context& context, int node, util::Rng& rng) -> std::unique_ptr<ClientDriver> {
    const InventoryModel& inventory = components.get<InventoryModel>(target.name);
    const std::string& locks = inventory.spec().lock_service;
    return std::make_unique<BuyerClient>(client, context, node, rng, inventory,
                                         locks.empty() ? nullptr : &components.get<LockServiceModel>(locks));
  };
  ModelTypes::instance().add("inventory", std::move(type));
}

} // namespace faultlab::components
