// The checkout registers its reader, its model and the customers' driver.
#include "components/checkout/model.hpp"
#include "components/checkout/spec.hpp"
#include "model/registry.hpp"

namespace faultlab::components {

void register_checkout() {
  using namespace faultlab::model;
  scenario::ComponentTypes::instance().add("checkout", &scenario::read_checkout);
  ModelType type;
  type.make = [](const scenario::ComponentSpec& spec, Components& components,
                 Context& context) -> std::unique_ptr<ComponentModel> {
    return std::make_unique<CheckoutModel>(dynamic_cast<const scenario::Checkout&>(spec), components,
                                           context);
  };
  type.make_driver = [](const scenario::Client& client, const scenario::ComponentSpec& target,
                        Components& components, Context& context, int node,
                        util::Rng& rng) -> std::unique_ptr<ClientDriver> {
    return std::make_unique<CheckoutClient>(client, context, node, rng,
                                            components.get<CheckoutModel>(target.name));
  };
  ModelTypes::instance().add("checkout", std::move(type));
}

} // namespace faultlab::components
