// The scheduler registers its reader and its model (after the mail provider
// and the alerting component, whose models its jobs hold handles to).
#include "components/scheduler/model.hpp"
#include "components/scheduler/spec.hpp"
#include "model/registry.hpp"

namespace faultlab::components {

void register_scheduler() {
  using namespace faultlab::model;
  scenario::ComponentTypes::instance().add("scheduler", &scenario::read_scheduler);
  ModelType type;
  type.make = [](const scenario::ComponentSpec& spec, Components& components,
                 Context& context) -> std::unique_ptr<ComponentModel> {
    return std::make_unique<SchedulerModel>(dynamic_cast<const scenario::Scheduler&>(spec), components, context);
  };
  ModelTypes::instance().add("scheduler", std::move(type));
}

} // namespace faultlab::components
