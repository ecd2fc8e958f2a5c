// The parts of a service that load and capacity need: instances put in and
// out of service (by an autoscaler), the in-flight gauge an instance
// exports, admission control, and the trace of a pool's shed calls.
#include "model/service.hpp"

#include "history/json_line.hpp"
#include "model/invariant.hpp"

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

ServiceModel::Instance* ServiceModel::find_instance(int node) const {
  for (const auto& instance : instances_)
    if (instance->node == node) return instance.get();
  return nullptr;
}

void ServiceModel::set_in_service(int node, bool in_service) {
  Instance* instance = find_instance(node);
  FAULTLAB_INVARIANT(instance != nullptr, "an autoscaler adds and removes only nodes of its service");
  if (instance->in_service == in_service) return;
  instance->in_service = in_service;
  // A node that is down joins the rotation when it comes back (Server's restart).
  if (!instance->down) set_ready(*instance, in_service);
  trace_state(*instance, in_service ? "in service: the load balancer sends it requests"
                                    : "out of service: the load balancer sends it no new requests");
}

bool ServiceModel::in_service(int node) const {
  const Instance* instance = find_instance(node);
  return instance != nullptr && instance->in_service;
}

std::int64_t ServiceModel::in_flight(int node) const {
  const Instance* instance = find_instance(node);
  return instance == nullptr ? 0 : static_cast<std::int64_t>(instance->requests.size());
}

double ServiceModel::cpu_seconds(int node) const {
  const Instance* instance = find_instance(node);
  return instance == nullptr ? 0 : instance->cpu_s;
}

const LatencyHistogram& ServiceModel::latency(int node) const {
  static const LatencyHistogram none;
  const Instance* instance = find_instance(node);
  return instance == nullptr ? none : instance->latency;
}

// An instance that already has max_in_flight requests in progress answers
// 503 at once: the caller learns in a round trip, instead of waiting behind
// work the instance cannot finish in time.
bool ServiceModel::admit(Instance& instance, const engine::Envelope& request) {
  if (spec_.max_in_flight <= 0 || static_cast<std::int64_t>(instance.requests.size()) < spec_.max_in_flight)
    return true;
  auto refusal = std::make_unique<CallReply>();
  refusal->ok = false;
  refusal->error = "503 overloaded: " + std::to_string(instance.requests.size()) + " requests in progress on " +
                   context_.network.node_name(instance.node) + " (max_in_flight " +
                   std::to_string(spec_.max_in_flight) + ")";
  instance.server->reply(request, service_kinds::call_reply, std::move(refusal), 512);
  return false;
}

void ServiceModel::trace_pool_shed(const Instance& instance, const Instance::Pool& pool) {
  if (!context_.trace) return;
  const double now = sg4::Engine::get_clock();
  context_.trace->add(now, history::JsonLine(now, "pool_wait")
                               .str("node", context_.network.node_name(instance.node))
                               .str("component", spec_.name)
                               .str("pool", pool.spec->to)
                               .num("waited_s", 0)
                               .str("outcome", "shed")
                               .integer("in_use", pool.spec->size)
                               .integer("waiting", pool.waiting)
                               .integer("size", pool.spec->size)
                               .done());
}

} // namespace faultlab::model
