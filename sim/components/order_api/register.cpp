// The order API registers its reader, its model and the clients' driver.
#include "components/order_api/model.hpp"
#include "components/order_api/spec.hpp"
#include "model/registry.hpp"

namespace faultlab::components {

void register_order_api() {
  using namespace faultlab::model;
  scenario::ComponentTypes::instance().add("order_api", &scenario::read_order_api);
  ModelType type;
  type.make = [](const scenario::ComponentSpec& spec, Components&, Context& context) -> std::unique_ptr<ComponentModel> {
    return std::make_unique<OrderApiModel>(dynamic_cast<const scenario::OrderApi&>(spec), context);
  };
  type.make_driver = [](const scenario::Client& client, const scenario::ComponentSpec& target, Components& components,
                        Context& context, int node, util::Rng& rng) -> std::unique_ptr<ClientDriver> {
    return std::make_unique<OrderApiClient>(client, context, node, rng, components.get<OrderApiModel>(target.name));
  };
  ModelTypes::instance().add("order_api", std::move(type));
}

} // namespace faultlab::components
