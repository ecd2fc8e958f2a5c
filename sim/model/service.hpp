// A stateless service and the clients that call its endpoints.
//
// Each instance of a service runs on its own node and handles each request
// in an actor of its own: it does the endpoint's CPU work, then makes the
// endpoint's calls one after the other (to a replica group, such as a Redis
// or a database, or to another service), each with a timeout, retries with
// exponential backoff and optional jitter, and a fallback. Without a
// fallback a failed call fails the request; `fail_open` carries on as if the
// call had said yes (a rate limiter that lets traffic through when it cannot
// count); `default` carries on with a default answer (an empty
// recommendation list). What a design review wants to see is which calls
// have no fallback, because those make a dependency a single point of
// failure. An instance may instead run its requests on one event loop, and
// may log a line per request (service_loop.hpp).
#pragma once

#include "components/service/spec.hpp"
#include "model/components.hpp"
#include "model/callee.hpp"
#include "model/driver.hpp"
#include "model/group_client.hpp"
#include "model/latency_histogram.hpp"
#include "model/load_balancer.hpp"
#include "model/saturation.hpp"
#include "model/server.hpp"
#include "model/service_messages.hpp"
#include "model/service_loop.hpp"

#include <map>

namespace faultlab::model {

class ServiceModel : public ComponentModel {
public:
  ServiceModel(const scenario::Service& spec, Components& components, Context& context);
  void start() override;
  const scenario::Service& spec() const { return spec_; }
  const std::vector<int>& instance_nodes() const { return nodes_; }
  // The load balancer's view: the instances in rotation (not being replaced
  // by a deploy). Every instance while no deploy runs.
  bool all_ready() const { return not_ready_ == 0; }
  std::vector<int> ready_nodes() const;
  void report(ModelStats& stats) const override;
  // The instances (declared ones first, then the spare nodes).
  LoadBalancer& balancer() const { return *balancer_; }

  // For an autoscaler (service_scaling.cpp). An instance in service is in
  // the rotation (and comes back to it after a crash); a spare node is
  // out of service until it is put in.
  void set_in_service(int node, bool in_service);
  bool in_service(int node) const;
  // Requests being handled on the instance now, as its process counts them
  // (the gauge its metrics endpoint exports).
  std::int64_t in_flight(int node) const;
  // CPU seconds the instance's requests used since the start (a counter, as
  // process_cpu_seconds_total; a rate of it is the utilization).
  double cpu_seconds(int node) const;
  // How long the instance took for the requests it answered, counted in
  // buckets since it started (a Prometheus histogram, as its metrics
  // endpoint exports it).
  const LatencyHistogram& latency(int node) const;
  // Each pool over all instances: connections in use and calls waiting.
  void resources(double end_s, std::vector<analysis::ResourceUse>& out) const override;

private:
  struct Instance {
    int node = -1;
    std::unique_ptr<Server> server; // takes the calls
    std::unique_ptr<Rpc> rpc;       // makes the endpoint's own calls
    util::Rng rng{0};
    std::map<std::string, std::unique_ptr<GroupClient>> groups; // one driver per replica group called
    std::map<std::string, Callee*> callees;                     // databases called, by name
    struct Pool {
      const scenario::Pool* spec = nullptr;
      simgrid::s4u::SemaphorePtr free; // counts free connections; waiters queue in FIFO order
      std::vector<bool> busy;          // which connections are in use
      std::int64_t waiting = 0;
    };
    std::map<std::string, Pool> pools; // by the dependency they connect to
    std::int64_t next_connection = 0;  // unpooled connections get a fresh id each
    std::uint64_t pool_generation = 0; // bumped when a crash throws the pools away
    // Code versions (null when the service has none): what this process runs.
    const scenario::CodeVersion* version = nullptr;
    bool ready = true;  // in the load balancer's rotation
    bool in_service = true; // false: a spare node not added by an autoscaler
    double cpu_s = 0;       // CPU time its requests used (what /proc says of the process)
    LatencyHistogram latency; // from taking a request to sending its answer
    bool down = false;  // between the old process's exit and the new one's start
    // Requests being handled, by actor id (a deploy's restart drops those
    // still running when its drain time is over).
    std::map<aid_t, simgrid::s4u::ActorPtr> requests;
    std::unique_ptr<EventLoop> loop; // with event_loop: the instance's one thread
    std::unique_ptr<Logger> logger;  // with logging
  };
  // What the saturation report reads of a pool, summed over the instances.
  struct PoolUse {
    Level in_use, waiting;
    std::int64_t timeouts = 0; // calls that gave up waiting for a connection
  };
  std::map<std::string, PoolUse> pool_use_; // by the dependency the pool connects to
  struct Outcome {
    bool ok = false;
    // Not ok, and no way to know whether it took effect: a write (or another
    // service's endpoint, which may write) that timed out on some attempt.
    bool unknown = false;
    std::string error;
  };
  void serve(Instance& instance);
  // Admission control (max_in_flight): false when the request was refused
  // with a 503 (service_scaling.cpp).
  bool admit(Instance& instance, const engine::Envelope& request);
  Instance* find_instance(int node) const;
  // A deploy's restart order: drain, exit, start the new version, answer.
  void restart(Instance& instance, std::shared_ptr<engine::Envelope> order);
  void set_ready(Instance& instance, bool ready);
  void record_version(const Instance& instance);
  void trace_state(const Instance& instance, const std::string& why);
  void handle(Instance& instance, const engine::Envelope& request);
  Outcome make_call(Instance& instance, const scenario::Call& call, const engine::Envelope& request);
  Outcome attempt(Instance& instance, const scenario::Call& call, const engine::Envelope& request,
                  double deadline_s);
  void trace_fallback(const Instance& instance, const scenario::Call& call, const std::string& error);
  // Takes a free connection of the pool, waiting for one until its wait
  // timeout or the deadline; -1 when none came.
  // kShed (-2): the pool's wait queue was full (max_waiting).
  int take_connection(Instance& instance, Instance::Pool& pool, double deadline_s);
  static constexpr int kShed = -2;
  void trace_pool_shed(const Instance& instance, const Instance::Pool& pool);
  void reset_pools(Instance& instance);
  // The event loop and the logger (service_loop.cpp); each does nothing
  // for an instance without them.
  void make_runtime(Instance& instance);  // when the instance is built
  void start_runtime(Instance& instance); // when its process starts (after a crash too)
  void enter_loop(Instance& instance);
  void leave_loop(Instance& instance);
  void abandon_loop(Instance& instance); // a deploy killed the request holding it
  Outcome call_off_loop(Instance& instance, const scenario::Call& call, const engine::Envelope& request);
  void log_request(Instance& instance, const scenario::Endpoint& endpoint);
  void make_log_collector();  // with a collector as the logger's sink
  void start_log_collector();

  const scenario::Service& spec_;
  Components& components_;
  Context& context_;
  std::vector<int> nodes_;
  std::vector<std::unique_ptr<Instance>> instances_;
  int not_ready_ = 0; // instances out of the load balancer's rotation
  std::unique_ptr<Server> log_collector_; // (service_loop.cpp)
  std::unique_ptr<LoadBalancer> balancer_;
};

// Sends a call to one instance of `service` (chosen by its load balancer;
// the random policy draws with `rng`) and waits until the deadline; the answer carries a
// CallReply. Used by clients and by services calling services.
std::unique_ptr<engine::Envelope> call_service(Rpc& rpc, util::Rng& rng, const ServiceModel& service,
                                               const std::string& endpoint, const std::string& user,
                                               std::int64_t op, double deadline_s);

class ServiceClient : public ClientDriver {
public:
  ServiceClient(const scenario::Client& spec, Context& context, int node, util::Rng& rng, const ServiceModel& service)
      : ClientDriver(spec, context, node, rng), service_(service) {}
  std::string key_for(std::size_t index, const ClientRequest& request) override;
  void perform(const ClientRequest& request) override;

private:
  const ServiceModel& service_;
};

} // namespace faultlab::model
