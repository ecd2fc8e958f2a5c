// One line per component type. The order is the order in which models are
// built and started: a type whose models hold handles to others (a cache to
// its database, a service to what it calls) comes after them. A new type
// adds its line here and its folder beside this file.
#include "components/builtin.hpp"

#include "components/cache/spec.hpp"
#include "components/inventory/spec.hpp"
#include "components/lock_service/spec.hpp"
#include "components/replica_group/spec.hpp"
#include "components/service/spec.hpp"
#include "components/sharded_store/spec.hpp"

namespace faultlab::components {

void register_builtin() {
  register_replica_group();
  register_cache();
  register_sharded_store();
  register_inventory();
  register_lock_service();
  register_service();
}

} // namespace faultlab::components
