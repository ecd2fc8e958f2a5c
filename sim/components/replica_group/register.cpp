// The replica group registers its reader, its model and the client driver
// that reads and writes it (KvClient).
#include "components/replica_group/spec.hpp"
#include "model/kv_client.hpp"
#include "model/registry.hpp"
#include "model/replica_group.hpp"

namespace faultlab::components {

void register_replica_group() {
  using namespace faultlab::model;
  scenario::ComponentTypes::instance().add("replica_group", &scenario::read_replica_group);
  ModelType type;
  type.make = [](const scenario::ComponentSpec& spec, Components&, Context& context) -> std::unique_ptr<ComponentModel> {
    return std::make_unique<ReplicaGroupModel>(dynamic_cast<const scenario::ReplicaGroup&>(spec), context);
  };
  type.make_driver = [](const scenario::Client& client, const scenario::ComponentSpec& target, Components& components,
                        Context& context, int node, util::Rng& rng) -> std::unique_ptr<ClientDriver> {
    return std::make_unique<KvClient>(client, context, node, rng, components.get<ReplicaGroupModel>(target.name));
  };
  ModelTypes::instance().add("replica_group", std::move(type));
}

} // namespace faultlab::components
