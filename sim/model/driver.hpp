// What a client group's requests do depends on what they are sent to: a
// replica group is read and written, a cache is used cache-aside, a service
// endpoint is called, a sharded store is routed to, an inventory is bought
// from. A ClientDriver is that part; the client group (client.hpp) owns the
// arrivals, the sessions and the worker actors, the same for every target.
#pragma once

#include "model/context.hpp"
#include "model/rpc.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace faultlab::model {

struct Components;

struct ClientRequest {
  std::int64_t session = 0; // -1 for final reads
  std::string f;            // from the mix: "read", "write", an endpoint, "buy"
  std::size_t key_index = 0;
  std::string key;
  bool final_read = false;
};

// What drivers measure beyond the history, summed over client groups.
struct ModelStats {
  std::int64_t cache_hits = 0, cache_misses = 0;
  std::vector<double> database_read_times_s; // reads an application made behind a cache
  // Named measurements a component type's models report (ComponentModel::report).
  std::map<std::string, double> values;
};

// A request that is one exchange: a message to one node, then its answer or
// nothing until a deadline. Such a request needs no actor of its own: the
// client group sends it and one receiver per group takes every answer and
// every deadline that passes (client.cpp), so a request in flight costs
// this record, not an actor's stack.
struct OneExchange {
  int to_node = -1;
  std::string port;
  double deadline_s = 0; // absolute simulated time
  std::int64_t op = -1;
  bool write = false;
  std::optional<std::int64_t> value; // what a write wrote
};

class ClientDriver {
public:
  ClientDriver(const scenario::Client& spec, Context& context, int node, util::Rng& rng)
      : spec_(spec), context_(context), node_(node), rng_(rng), rpc_(context, node, spec.name) {}
  virtual ~ClientDriver() = default;
  ClientDriver(const ClientDriver&) = delete;
  ClientDriver& operator=(const ClientDriver&) = delete;

  // The key of a request for key number `index` (drawn by the client group
  // from its key distribution).
  virtual std::string key_for(std::size_t index, const ClientRequest& request) {
    (void)request;
    return spec_.key_prefix + std::to_string(index);
  }
  // Runs one request in the calling actor (a worker on the client's node)
  // and records what the client saw.
  virtual void perform(const ClientRequest& request) = 0;
  // Whether every request (final reads aside) is one exchange: then the
  // client group calls begin() and finish() instead of perform(), which
  // must do the same as begin(), a wait for the answer, then finish().
  virtual bool one_exchange() const { return false; }
  // Records the invocation and builds the message to send.
  virtual std::unique_ptr<engine::Envelope> begin(const ClientRequest& request, OneExchange& exchange) {
    (void)request;
    (void)exchange;
    return nullptr;
  }
  // Records what the client saw: `reply` is the answer, or nullptr when the
  // deadline passed first (called at the deadline).
  virtual void finish(const OneExchange& exchange, std::unique_ptr<engine::Envelope> reply) {
    (void)exchange;
    (void)reply;
  }
  // The keys whose final state is read once the workload has settled, in a
  // fixed order (final reads are performed with final_read set).
  virtual std::vector<std::string> final_keys() const { return {}; }
  // Measurements beyond the history (for example the database load behind
  // a cache), for the summary's metrics.
  virtual void report(ModelStats& stats) const { (void)stats; }

protected:
  double now() const { return simgrid::s4u::Engine::get_clock(); }

  const scenario::Client& spec_;
  Context& context_;
  int node_;
  util::Rng& rng_; // the client group's stream
  Rpc rpc_;
};

// The driver for `spec.target`, whatever its type.
std::unique_ptr<ClientDriver> make_driver(const scenario::Client& spec, Components& components, Context& context,
                                          int node, util::Rng& rng);

} // namespace faultlab::model
