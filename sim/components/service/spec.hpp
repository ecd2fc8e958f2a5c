// A stateless service whose endpoints call other components in turn.
#pragma once

#include "scenario/component.hpp"
#include "scenario/config.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace faultlab::scenario {

// A call an endpoint makes to one of its dependencies.
struct Call {
  enum class Fallback { none, fail_open, fallback_default };
  std::string name;
  std::string to;       // a component
  std::string op;       // "read" / "write" for stores; an endpoint name for a service
  std::string key;      // template: {user} is the session number
  double timeout_s = 0.5;
  int retries = 0;
  double backoff_s = 0.0;     // wait before the first retry
  double backoff_max_s = 1.0; // exponential: doubles per retry up to this
  bool jitter = false;        // "full jitter": a uniform draw in [0, backoff]
  Fallback fallback = Fallback::none;
};

struct Endpoint {
  std::string name;
  std::vector<Call> calls; // in file order, one after the other
  double log_bytes = -1;   // its log line; negative: the logger's bytes_per_request
};

// A logger writing one line per request to the instance's own disk (the
// node's SimGrid disk: a slow_disk fault slows it) or to a log collector. `sync` writes inside
// the request and waits for the disk; `async` puts the line in a bounded
// in-memory buffer that a writer actor drains, and drops the line (counted)
// when the buffer is full.
struct Logging {
  enum class Mode { sync, async };
  Mode mode = Mode::sync;
  double bytes_per_request = 200;
  std::int64_t buffer_lines = 1000; // async: lines waiting to be written, at most
  // The sink: "" for the instance node's own disk, else a node whose log
  // collector takes the lines over the network and writes them to its disk
  // (so a delay or a partition on the way holds them up or loses them).
  std::string collector;
  double timeout_s = 1.0; // collector: how long a write waits for its answer; then the lines are lost
};

// A connection pool each instance keeps to one dependency (a database, or
// any other: then it is a bulkhead): at most `size` calls at once; a call
// waits up to `wait_timeout` for a free connection and fails if none comes.
struct Pool {
  std::string to;
  int size = 10;
  double wait_timeout_s = 1.0;
  // At most this many calls wait for a connection; one more fails at once
  // ("shed") instead of joining the queue. -1: no bound.
  int max_waiting = -1;
};

// A release of the service's code: which operation each call of an
// endpoint makes (v1 reads the column `name`, v2 reads `full_name`). Calls
// a version does not name make the operation the endpoint says.
struct CodeVersion {
  struct Op {
    std::string endpoint;
    std::string call;
    std::string op;
  };
  std::string name;
  std::vector<Op> ops;
};

// A stateless service: identical instances behind a load balancer, each
// request handled by calling the endpoint's dependencies in turn.
struct Service : ComponentSpec {
  // How the load balancer in front of the instances picks one for a request.
  enum class Balancer { random, round_robin, least_connections };
  std::vector<std::string> instances; // nodes
  // Nodes that can run an instance but are not in the load balancer's
  // rotation at the start (spare capacity an autoscaler adds and removes).
  std::vector<std::string> spares;
  Balancer load_balancer = Balancer::random;
  // Admission control: an instance answers 503 at once to a request that
  // arrives while this many are in progress on it. 0: no limit.
  int max_in_flight = 0;
  std::vector<Endpoint> endpoints;
  std::vector<Pool> pools; // in file order
  // Code versions (none: the endpoints' ops are the code) and the one every
  // instance runs at the start; a deploy component rolls them over.
  std::vector<CodeVersion> versions;
  std::string initial_version;
  double work_s = 0.0005; // CPU work per request, on the instance's node
  std::int64_t message_bytes = 512;
  // One thread per instance, as Node.js: a request's CPU work and its
  // synchronous steps (a sync log write) hold the loop, other requests wait
  // their turn; calls to dependencies are asynchronous and let go of it.
  bool event_loop = false;
  std::optional<Logging> logging;

  const Endpoint* find(const std::string& endpoint) const;
  const CodeVersion* find_version(const std::string& wanted) const;
  // The operation `call` of `endpoint` makes in the code `running` (nullptr: no versions).
  const std::string& op_for(const CodeVersion* running, const Endpoint& endpoint, const Call& call) const;

  std::vector<NodeRole> node_roles() const override;
  std::vector<std::string> client_ops() const override;
  std::vector<std::string> call_ops() const override { return client_ops(); }
  ClientRules client_rules() const override;
  void check_references(const Scenario& scenario, const Origin& origin) const override;
  void add_to_design(topo::Design& design, const Scenario& scenario) const override;
  topo::Endpoint endpoint_for(const std::string& op, const Scenario& scenario) const override;
  std::vector<std::string> metric_names() const override;
};

const char* to_string(Service::Balancer balancer);

// Reads one component of this type from `r` (its "type" already read).
std::shared_ptr<ComponentSpec> read_service(const std::string& name, ObjectReader& r, const Topology& topology);

} // namespace faultlab::scenario

namespace faultlab::components {
// Registers the type: its scenario reader, its model and its client driver.
void register_service();
} // namespace faultlab::components
