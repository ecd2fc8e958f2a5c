// The queue registers its reader, its model and its summary metrics.
// A service's endpoint publishes to it; so may a client group (a producer).
#include "components/queue/model.hpp"
#include "components/queue/spec.hpp"
#include "model/registry.hpp"

namespace faultlab::components {

void register_queue() {
  using namespace faultlab::model;
  scenario::ComponentTypes::instance().add("queue", &scenario::read_queue, scenario::queue_metric_names());
  ModelType type;
  type.make = [](const scenario::ComponentSpec& spec, Components& components,
                 Context& context) -> std::unique_ptr<ComponentModel> {
    return std::make_unique<QueueModel>(dynamic_cast<const scenario::Queue&>(spec), components, context);
  };
  type.make_driver = [](const scenario::Client& client, const scenario::ComponentSpec& target,
                        Components& components, Context& context, int node,
                        util::Rng& rng) -> std::unique_ptr<ClientDriver> {
    return std::make_unique<QueueProducerClient>(client, context, node, rng,
                                                 components.get<QueueModel>(target.name));
  };
  type.metrics = [](const ModelStats& stats, std::vector<std::pair<std::string, double>>& out) {
    for (const auto& name : scenario::queue_metric_names()) {
      auto it = stats.values.find(name);
      out.emplace_back(name, it == stats.values.end() ? 0.0 : it->second);
    }
  };
  ModelTypes::instance().add("queue", std::move(type));
}

} // namespace faultlab::components
