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
  if (driver_->one_exchange()) {
    replies_rpc_ = std::make_unique<Rpc>(context_, node_, spec_.name);
    wake_timer_ = sg4::Semaphore::create(0);
    sg4::Actor::create(spec_.name + ".timeouts", host, [this] { expire_deadlines(); });
  }
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
  if (timer_idle_) wake_timer_->release(); // it ends: nothing is in flight
}

void ClientGroupModel::dispatch(const ClientRequest& request) {
  if (replies_rpc_) {
    send_one_exchange(request);
    return;
  }
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

void ClientGroupModel::send_one_exchange(const ClientRequest& request) {
  OneExchange exchange;
  std::unique_ptr<engine::Envelope> message = driver_->begin(request, exchange);
  const double local_deadline_s =
      context_.network.local_time_s(node_) + (exchange.deadline_s - sg4::Engine::get_clock());
  assert((deadlines_.empty() || deadlines_.back().local_deadline_s <= local_deadline_s) &&
         "one timeout per client group: deadlines come in the order requests are sent");
  const std::uint64_t id =
      replies_rpc_->send_request(replies_from(exchange.to_node), exchange.to_node, exchange.port, std::move(message));
  deadlines_.push_back(Awaited{id, local_deadline_s});
  in_flight_.emplace(id, std::move(exchange));
  if (timer_idle_) {
    timer_idle_ = false;
    wake_timer_->release();
  }
}

sg4::Mailbox* ClientGroupModel::replies_from(int node) {
  auto it = replies_.find(node);
  if (it != replies_.end()) return it->second;
  sg4::Mailbox* mailbox = sg4::Mailbox::by_name(engine::Network::address(
      context_.network.node_name(node_), spec_.name + "#from-" + context_.network.node_name(node)));
  replies_.emplace(node, mailbox);
  sg4::Actor::create(mailbox->get_name(), context_.network.host(node_), [this, mailbox] {
    receive_answers(mailbox);
  })->daemonize();
  return mailbox;
}

// Takes every answer from one node as it comes (a late one, to a request
// that has timed out, is dropped, as a worker's reply mailbox would skip it).
void ClientGroupModel::receive_answers(sg4::Mailbox* mailbox) {
  mailbox->set_receiver(sg4::Actor::self()); // answers queue here even before we wait
  while (true) {
    std::unique_ptr<engine::Envelope> answer = context_.network.receive(mailbox);
    auto it = in_flight_.find(answer->exchange);
    if (it == in_flight_.end()) continue;
    OneExchange exchange = std::move(it->second);
    in_flight_.erase(it);
    driver_->finish(exchange, std::move(answer));
    answered();
  }
}

void ClientGroupModel::answered() {
  // The timer may be waiting for a deadline that no longer matters.
  if (closing_ && in_flight_.empty() && !timer_idle_) wake_timer_->release();
}

// Ends each request whose deadline came before its answer, in the order
// they were sent; ends itself once the arrivals are over and nothing is in
// flight.
void ClientGroupModel::expire_deadlines() {
  while (true) {
    while (!deadlines_.empty() && in_flight_.count(deadlines_.front().exchange) == 0)
      deadlines_.pop_front(); // answered in time
    if (deadlines_.empty()) {
      if (closing_) return;
      timer_idle_ = true;
      engine::Network::SelfPausing guard(context_.network);
      wake_timer_->acquire();
      context_.network.pause_point();
      continue;
    }
    const Awaited next = deadlines_.front();
    if (!context_.network.wait_until_local(node_, next.local_deadline_s, wake_timer_)) continue;
    deadlines_.pop_front();
    auto it = in_flight_.find(next.exchange);
    if (it == in_flight_.end()) continue; // answered while we waited
    OneExchange exchange = std::move(it->second);
    in_flight_.erase(it);
    driver_->finish(exchange, nullptr);
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
