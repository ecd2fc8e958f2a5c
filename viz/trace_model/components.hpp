// What the header's component types mean to the viewer. A version 2 header
// names each node's components with their type ("replica_group", "cache",
// ...), and the type alone decides how a node is shown. A type this viewer
// does not know (a newer faultlab's component) is shown as a generic node,
// never guessed at. Version 1 headers only had "<component>:<role>" strings:
// the one fallback that infers components from them is infer_components_v1().
#pragma once

#include "trace_model/trace.hpp"

#include <string>
#include <vector>

namespace faultlab::viz {

// The kind a type is shown as: ComponentKind::other for a type not known here.
ComponentKind kind_of_type(const std::string& type);

// The component that decides how a node is shown: the first one that is not
// a client group (a node that hosts clients and a cache is shown as the
// cache), else the client group; nullptr when the node runs nothing.
const NodeComponent* main_component(const std::vector<NodeComponent>& components);

// The kind a state event of `lane` is described as: its component's type
// when the lane runs a component of that name, else the lane's own kind.
ComponentKind kind_of_event(const Lane& lane, const StateEvent& s);

// Version 2: each node lane's components, main component, kind and subtitle
// (zone, then "<component>:<role>" each) from the header. Run on a finished trace.
void assign_components(Trace& t);

// Version 1 fallback, as the viewer did before version 2: each header node's
// components inferred from its "<component>:<role>" strings (the role names
// the type: "primary" -> replica_group, "service" -> service, ...; a role
// that is none of the known ones is taken for a shard's name, "orders:shard-1"
// -> sharded_store), then assign_components(); and a node that reports a
// replication position or a role in its state events is a replica, whatever
// its roles said.
void infer_components_v1(Trace& t);

} // namespace faultlab::viz
