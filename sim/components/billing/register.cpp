// The billing registers its reader, its model and the customers' driver.
#include "components/billing/model.hpp"
#include "components/billing/spec.hpp"
#include "model/registry.hpp"

namespace faultlab::components {

void register_billing() {
  using namespace faultlab::model;
  scenario::ComponentTypes::instance().add("billing", &scenario::read_billing);
  ModelType type;
  type.make = [](const scenario::ComponentSpec& spec, Components& components,
                 Context& context) -> std::unique_ptr<ComponentModel> {
    return std::make_unique<BillingModel>(dynamic_cast<const scenario::Billing&>(spec), components, context);
  };
  type.make_driver = [](const scenario::Client& client, const scenario::ComponentSpec& target,
                        Components& components, Context& context, int node,
                        util::Rng& rng) -> std::unique_ptr<ClientDriver> {
    return std::make_unique<BillingClient>(client, context, node, rng, components.get<BillingModel>(target.name));
  };
  ModelTypes::instance().add("billing", std::move(type));
}

} // namespace faultlab::components
