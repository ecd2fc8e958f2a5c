// A design as topo/ sees it: nodes (machines), the components that run on
// them, and the endpoints clients call. It is plain data with no SimGrid and
// no scenario format in it, so a design can come from a scenario, a test or
// a hand-written review; the caller converts.
//
// Names are unique within their kind (two nodes cannot share a name), but a
// component may share its node's name ("redis" on node "redis"): references
// always say which kind they point at.
#pragma once

#include <string>
#include <vector>

namespace faultlab::topo {

// What a component needs of its own nodes to be up.
enum class Needs {
  all,      // every member node (a single node, or a group without redundancy)
  any,      // at least one member (replicas with failover that needs no vote, a pool of instances)
  first,    // the first member (a fixed primary: without failover nothing replaces it)
  majority, // more than half of the members (a group that elects its primary by majority vote)
};

// A call from a component or an endpoint to another component.
struct Dependency {
  std::string component; // the component called
  bool hard = true;      // false: the caller has a fallback and survives its loss
  std::string why;       // what the call is for, shown in reports, e.g. "read session:{user}"
};

struct Component {
  std::string name;               // e.g. "sessions"
  std::string type;               // "replica_group", "service", "cache", ...: for display only
  std::vector<std::string> nodes; // where it runs, in order: the first is the primary for Needs::first
  Needs needs = Needs::all;       // which of those nodes must be up
  std::vector<Dependency> deps;   // what it calls to do its own work, for every request
};

struct Endpoint {
  std::string name;             // e.g. "api:feed" or "users:write"
  std::string component;        // the component serving it
  std::vector<Dependency> deps; // what this endpoint calls beyond its component's own deps
};

struct Design {
  std::vector<std::string> nodes; // every machine; a node no component uses is allowed
  std::vector<Component> components;
  std::vector<Endpoint> endpoints;
};

} // namespace faultlab::topo
