// The autoscaler registers its reader, its model and its summary metrics;
// clients never target it, so it has no driver.
#include "components/autoscaler/model.hpp"
#include "components/autoscaler/spec.hpp"
#include "model/registry.hpp"

namespace faultlab::components {

void register_autoscaler() {
  using namespace faultlab::model;
  scenario::ComponentTypes::instance().add("autoscaler", &scenario::read_autoscaler,
                                            {"autoscaler_decisions", "autoscaler_max_instances",
                                             "autoscaler_mean_instances", "autoscaler_blind_scrapes"});
  ModelType type;
  type.make = [](const scenario::ComponentSpec& spec, Components& components,
                 Context& context) -> std::unique_ptr<ComponentModel> {
    return std::make_unique<AutoscalerModel>(dynamic_cast<const scenario::Autoscaler&>(spec), components, context);
  };
  type.metrics = [](const ModelStats& stats, std::vector<std::pair<std::string, double>>& out) {
    for (const char* name :
         {"autoscaler_decisions", "autoscaler_max_instances", "autoscaler_mean_instances", "autoscaler_blind_scrapes"}) {
      auto it = stats.values.find(name);
      out.emplace_back(name, it == stats.values.end() ? 0.0 : it->second);
    }
  };
  ModelTypes::instance().add("autoscaler", std::move(type));
}

} // namespace faultlab::components
