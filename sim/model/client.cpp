#include "model/client.hpp"

#include <algorithm>
#include <cassert>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

namespace {
constexpr int kFinalReaders = 8; // final reads run this many at a time
}

ClientGroupModel::ClientGroupModel(const scenario::Client& spec, Components& components, Context& context)
    : spec_(spec), context_(context), node_(context.network.node_index(spec.node)),
      rng_(context.rng("client/" + spec.name)) {
  if (spec_.zipf) zipf_ = std::make_unique<util::Zipf>(static_cast<std::size_t>(spec_.key_count), spec_.zipf_s);
  driver_ = make_driver(spec_, components, context_, node_, rng_);
}

void ClientGroupModel::start() {
  sg4::Host* host = context_.network.host(node_);
  sg4::Actor::create(spec_.name, host, [this] { generate(); });
  if (context_.scenario.workload.final_reads) {
    double at = context_.scenario.workload.duration_s + context_.scenario.workload.settle_s;
    sg4::Actor::create(spec_.name + ".final", host, [this, at] {
      sg4::this_actor::sleep_until(at);
      final_reads();
    });
  }
}

double ClientGroupModel::rate_at(double t) const {
  double rate = 0;
  for (const auto& step : spec_.rate_steps)
    if (step.at_s <= t) rate = step.rate_per_s;
  return rate;
}

// One uniform draw against the mix's cumulative weights.
const std::string& ClientGroupModel::pick_op() {
  double u = rng_.uniform();
  double cumulative = 0;
  for (const auto& [op, weight] : spec_.mix) {
    cumulative += weight;
    if (u < cumulative) return op;
  }
  return spec_.mix.back().first; // rounding: the weights sum to 1 within an ulp
}

// Poisson arrivals with a piecewise-constant rate: draw the next gap at the
// current rate; if it would cross a rate change, restart from the change
// (arrivals are memoryless, so this is exact).
void ClientGroupModel::generate() {
  const double end_s = context_.scenario.workload.duration_s;
  double now = 0;
  while (now < end_s) {
    double rate = rate_at(now);
    double next_change = end_s;
    for (const auto& step : spec_.rate_steps)
      if (step.at_s > now) {
        next_change = std::min(next_change, step.at_s);
        break;
      }
    double next = rate > 0 ? now + rng_.exponential(1.0 / rate) : next_change;
    if (next >= next_change) {
      now = next_change;
      continue;
    }
    now = next;
    sg4::this_actor::sleep_until(now);
    ClientRequest request;
    request.session = static_cast<std::int64_t>(rng_.below(static_cast<std::uint64_t>(spec_.sessions)));
    request.f = pick_op();
    request.key_index = request.f == "write" && spec_.writes_to_own_key ? static_cast<std::size_t>(request.session)
                        : zipf_ ? zipf_->sample(rng_)
                                : static_cast<std::size_t>(rng_.below(static_cast<std::uint64_t>(spec_.key_count)));
    request.key = driver_->key_for(request.key_index, request);
    dispatch(request);
  }
  closing_ = true;
  for (Worker* worker : idle_) worker->wake->release(); // each wakes up with no task and ends
  idle_.clear();
}

void ClientGroupModel::dispatch(const ClientRequest& request) {
  if (!idle_.empty()) {
    Worker* worker = idle_.back();
    idle_.pop_back();
    worker->task = request;
    worker->wake->release();
    return;
  }
  if (!context_.may_start_request_actor()) {
    // Every worker is busy and there may be no more: the request is refused
    // before anything is sent, so it certainly did not happen.
    double now = sg4::Engine::get_clock();
    std::int64_t op = context_.recorder.invoke(now, request.session, spec_.name, request.f, request.key, std::nullopt);
    context_.recorder.complete(op, now, history::Outcome::fail, std::nullopt, "",
                               "refused: " + std::to_string(context_.scenario.limits.max_in_flight) +
                                   " requests already in flight (limits.max_in_flight)");
    return;
  }
  ++context_.request_actors; // workers live until the end of the workload
  workers_.push_back(std::make_unique<Worker>(Worker{sg4::Semaphore::create(0), request}));
  Worker* worker = workers_.back().get();
  sg4::Actor::create("op", sg4::this_actor::get_host(), [this, worker] { work(*worker); });
}

void ClientGroupModel::work(Worker& worker) {
  while (worker.task) {
    ClientRequest request = *worker.task;
    worker.task.reset();
    driver_->perform(request);
    if (closing_) return;
    idle_.push_back(&worker);
    engine::Network::SelfPausing guard(context_.network);
    worker.wake->acquire();
    context_.network.pause_point();
  }
}

void ClientGroupModel::final_reads() {
  auto keys = std::make_shared<std::vector<std::string>>(driver_->final_keys());
  auto next = std::make_shared<std::size_t>(0);
  for (int i = 0; i < kFinalReaders; ++i) {
    sg4::Actor::create("final", sg4::this_actor::get_host(), [this, next, keys] {
      while (*next < keys->size()) {
        ClientRequest request;
        request.session = -1;
        request.f = "read";
        request.key = (*keys)[(*next)++];
        request.final_read = true;
        driver_->perform(request);
      }
    });
  }
}

} // namespace faultlab::model
