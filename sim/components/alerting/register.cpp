// The alerting component registers its reader and its model; clients do
// not target it (scheduled jobs report to it over the network).
#include "components/alerting/model.hpp"
#include "components/alerting/spec.hpp"
#include "model/registry.hpp"

namespace faultlab::components {

void register_alerting() {
  using namespace faultlab::model;
  scenario::ComponentTypes::instance().add("alerting", &scenario::read_alerting);
  ModelType type;
  type.make = [](const scenario::ComponentSpec& spec, Components&,
                 Context& context) -> std::unique_ptr<ComponentModel> {
    return std::make_unique<AlertingModel>(dynamic_cast<const scenario::Alerting&>(spec), context);
  };
  ModelTypes::instance().add("alerting", std::move(type));
}

} // namespace faultlab::components
