// Which driver a client group gets: the one its target's type registered.
#include "model/registry.hpp"

#include <cassert>

namespace faultlab::model {

std::unique_ptr<ClientDriver> make_driver(const scenario::Client& spec, Components& components, Context& context,
                                          int node, util::Rng& rng) {
  const scenario::ComponentSpec* target = context.scenario.component(spec.target);
  assert(target != nullptr && "validation checked the client's target");
  const ModelType* type = ModelTypes::instance().find(target->type);
  assert(type != nullptr && type->make_driver && "validation refuses targets without a driver");
  return type->make_driver(spec, *target, components, context, node, rng);
}

} // namespace faultlab::model
