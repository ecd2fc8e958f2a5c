// The service registers its reader, its model and the client driver that
// calls its endpoints.
#include "components/service/spec.hpp"
#include "model/registry.hpp"
#include "model/service.hpp"

namespace faultlab::components {

void register_service() {
  using namespace faultlab::model;
  scenario::ComponentTypes::instance().add(
      "service", &scenario::read_service,
      {"loop_wait_max_s", "log_lines_written", "log_lines_dropped", "log_write_max_s"}); // event loop, logging
  ModelType type;
  type.make = [](const scenario::ComponentSpec& spec, Components& components,
                 Context& context) -> std::unique_ptr<ComponentModel> {
    return std::make_unique<ServiceModel>(dynamic_cast<const scenario::Service&>(spec), components, context);
  };
  type.make_driver = [](const scenario::Client& client, const scenario::ComponentSpec& target, Components& components,
                        Context& context, int node, util::Rng& rng) -> std::unique_ptr<ClientDriver> {
    return std::make_unique<ServiceClient>(client, context, node, rng, components.get<ServiceModel>(target.name));
  };
  // Only services with an event loop or a logger measure these (the
  // others' summaries stay as they were).
  type.metrics = [](const ModelStats& stats, std::vector<std::pair<std::string, double>>& out) {
    for (const char* name : {"loop_wait_max_s", "log_lines_written", "log_lines_dropped", "log_write_max_s"})
      if (auto it = stats.values.find(name); it != stats.values.end()) out.emplace_back(name, it->second);
  };
  ModelTypes::instance().add("service", std::move(type));
}

} // namespace faultlab::components
