// Every running component of one simulation, by type, found by name. Drivers
// and services get typed handles from here once, when they are built; at run
// time components only talk through the network.
#pragma once

#include "model/replica_group.hpp"

#include <memory>
#include <string>
#include <vector>

namespace faultlab::model {

class CacheModel;
class ServiceModel;
class ShardedStoreModel;
class InventoryModel;
class LockServiceModel;

struct Components {
  std::vector<std::unique_ptr<ReplicaGroupModel>> groups;
  std::vector<std::unique_ptr<CacheModel>> caches;
  std::vector<std::unique_ptr<ServiceModel>> services;
  std::vector<std::unique_ptr<ShardedStoreModel>> sharded_stores;
  std::vector<std::unique_ptr<InventoryModel>> inventories;
  std::vector<std::unique_ptr<LockServiceModel>> lock_services;

  // The model named `name` in `list`; validation made sure it exists.
  template <class M> static M& find(const std::vector<std::unique_ptr<M>>& list, const std::string& name) {
    for (const auto& m : list)
      if (m->spec().name == name) return *m;
    throw std::logic_error("no component named " + name);
  }
};

} // namespace faultlab::model
