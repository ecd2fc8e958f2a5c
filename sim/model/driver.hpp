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
