// The sharded store registers its reader, its model and the client driver
// that routes each request to its shard.
#include "components/sharded_store/spec.hpp"
#include "model/registry.hpp"
#include "model/sharded_store.hpp"

namespace faultlab::components {

void register_sharded_store() {
  using namespace faultlab::model;
  scenario::ComponentTypes::instance().add("sharded_store", &scenario::read_sharded_store);
  ModelType type;
  type.make = [](const scenario::ComponentSpec& spec, Components&, Context& context) -> std::unique_ptr<ComponentModel> {
    return std::make_unique<ShardedStoreModel>(dynamic_cast<const scenario::ShardedStore&>(spec), context);
  };
  type.make_driver = [](const scenario::Client& client, const scenario::ComponentSpec& target, Components& components,
                        Context& context, int node, util::Rng& rng) -> std::unique_ptr<ClientDriver> {
    return std::make_unique<ShardClient>(client, context, node, rng, components.get<ShardedStoreModel>(target.name));
  };
  ModelTypes::instance().add("sharded_store", std::move(type));
}

} // namespace faultlab::components
