// The lock service registers its reader and its model; clients do not
// target it (buyers reach it through their inventory).
#include "components/lock_service/spec.hpp"
#include "model/inventory.hpp"
#include "model/registry.hpp"

namespace faultlab::components {

void register_lock_service() {
  using namespace faultlab::model;
  scenario::ComponentTypes::instance().add("lock_service", &scenario::read_lock_service);
  ModelType type;
  type.make = [](const scenario::ComponentSpec& spec, Components&, Context& context) -> std::unique_ptr<ComponentModel> {
    return std::make_unique<LockServiceModel>(dynamic_cast<const scenario::LockService&>(spec), context);
  };
  ModelTypes::instance().add("lock_service", std::move(type));
}

} // namespace faultlab::components
