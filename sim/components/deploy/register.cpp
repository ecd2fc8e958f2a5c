// The deploy controller registers its reader and its model; clients never
// target it, so it has no driver.
#include "components/deploy/model.hpp"
#include "components/deploy/spec.hpp"
#include "model/registry.hpp"

namespace faultlab::components {

void register_deploy() {
  using namespace faultlab::model;
  scenario::ComponentTypes::instance().add("deploy", &scenario::read_deploy);
  ModelType type;
  type.make = [](const scenario::ComponentSpec& spec, Components& components,
                 Context& context) -> std::unique_ptr<ComponentModel> {
    return std::make_unique<DeployModel>(dynamic_cast<const scenario::Deploy&>(spec), components, context);
  };
  ModelTypes::instance().add("deploy", std::move(type));
}

} // namespace faultlab::components
