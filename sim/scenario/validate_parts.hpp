// Pieces of validation shared by validate.cpp (the scenario as a whole) and
// validate_components.cpp (one reader per component type). Internal to
// scenario/.
#pragma once

#include "scenario/config.hpp"
#include "scenario/json_reader.hpp"

#include <string>
#include <vector>

namespace faultlab::scenario::detail {

std::string join(const std::vector<std::string>& names);
std::vector<std::string> node_names(const Topology& topology);
void require_node(const Origin& origin, const Topology& topology, const std::string& name,
                  const std::string& pointer);
// Names become mailbox names ("node/component"), so they stay simple.
void check_name(const Origin& origin, const std::string& name, const std::string& pointer);
// A plain duration (fixed) or {"distribution": "uniform"|"exponential", ...}.
Distribution read_distribution(ObjectReader& parent, const std::string& key);
std::int64_t read_message_size(ObjectReader& r, std::int64_t fallback);

// The component types, read from `r` (whose "type" was already read). The
// components named in `names` are every component of the scenario, for
// references between them; references are checked by type once all are
// read (check_component_references).
ReplicaGroup read_replica_group(const std::string& name, ObjectReader& r, const Topology& topology);
Cache read_cache(const std::string& name, ObjectReader& r, const Topology& topology);
Service read_service(const std::string& name, ObjectReader& r, const Topology& topology);
ShardedStore read_sharded_store(const std::string& name, ObjectReader& r, const Topology& topology);
Inventory read_inventory(const std::string& name, ObjectReader& r, const Topology& topology);
LockService read_lock_service(const std::string& name, ObjectReader& r, const Topology& topology);

// Cross-component rules: a cache's database is a replica group, a call's
// target exists and supports the op, service calls form no cycle, an
// inventory's lock service exists, no node serves two components that
// would share a mailbox port, items are not declared twice.
void check_component_references(const Scenario& s, const Origin& origin);

// The operations a client (or a call) may send to a component of this type.
std::vector<std::string> component_ops(const Scenario& s, const std::string& component);

} // namespace faultlab::scenario::detail
