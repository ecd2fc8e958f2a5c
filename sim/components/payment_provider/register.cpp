// The payment provider registers its reader and its model; customers do not
// target it (they pay through a checkout).
#include "components/payment_provider/model.hpp"
#include "components/payment_provider/spec.hpp"
#include "model/registry.hpp"

namespace faultlab::components {

void register_payment_provider() {
  using namespace faultlab::model;
  scenario::ComponentTypes::instance().add("payment_provider", &scenario::read_payment_provider);
  ModelType type;
  type.make = [](const scenario::ComponentSpec& spec, Components&,
                 Context& context) -> std::unique_ptr<ComponentModel> {
    return std::make_unique<PaymentProviderModel>(dynamic_cast<const scenario::PaymentProvider&>(spec),
                                                  context);
  };
  ModelTypes::instance().add("payment_provider", std::move(type));
}

} // namespace faultlab::components
