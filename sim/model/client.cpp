#include "model/client.hpp"

#include <algorithm>
#include <cassert>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Message;
using engine::MsgKind;
using history::Outcome;

namespace {
constexpr int kFinalReaders = 8; // final reads run this many at a time
}

ClientGroupModel::ClientGroupModel(const scenario::Client& spec, const ReplicaGroupModel& target, Context& context)
    : spec_(spec), target_(target), context_(context), node_(context.network.node_index(spec.node)),
      rng_(context.rng("client/" + spec.name)), session_position_(static_cast<std::size_t>(spec.sessions), 0) {
  if (spec_.zipf) zipf_ = std::make_unique<util::Zipf>(static_cast<std::size_t>(spec_.key_count), spec_.zipf_s);
  leader_ = target_.primary_node();
  // Nearest member by latency from this client; the primary wins ties.
  double best = 1e300;
  for (int member : target_.member_nodes()) {
    double latency = context_.scenario.topology.latency_s(spec_.node, context_.network.node_name(member));
    if (member == node_) latency = 0;
    if (latency < best) best = latency, nearest_ = member;
  }
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
    Request request;
    request.session = static_cast<std::int64_t>(rng_.below(static_cast<std::uint64_t>(spec_.sessions)));
    request.write = !rng_.chance(spec_.read_fraction);
    std::size_t key_index = request.write && spec_.writes_to_own_key ? static_cast<std::size_t>(request.session)
                            : zipf_ ? zipf_->sample(rng_)
                                    : static_cast<std::size_t>(rng_.below(static_cast<std::uint64_t>(spec_.key_count)));
    request.key = spec_.key_prefix + std::to_string(key_index);
    dispatch(request);
  }
  closing_ = true;
  for (Worker* worker : idle_) worker->wake->release(); // each wakes up with no task and ends
  idle_.clear();
}

void ClientGroupModel::dispatch(const Request& request) {
  if (!idle_.empty()) {
    Worker* worker = idle_.back();
    idle_.pop_back();
    worker->task = request;
    worker->wake->release();
    return;
  }
  workers_.push_back(std::make_unique<Worker>(Worker{sg4::Semaphore::create(0), request}));
  Worker* worker = workers_.back().get();
  sg4::Actor::create("op", sg4::this_actor::get_host(), [this, worker] { work(*worker); });
}

void ClientGroupModel::work(Worker& worker) {
  while (worker.task) {
    Request request = *worker.task;
    worker.task.reset();
    perform(request);
    if (closing_) return;
    idle_.push_back(&worker);
    worker.wake->acquire();
  }
}

sg4::Mailbox* ClientGroupModel::acquire_slot() {
  if (!free_slots_.empty()) {
    sg4::Mailbox* slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  return sg4::Mailbox::by_name(engine::Network::address(spec_.node, spec_.name + "#" + std::to_string(slot_count_++)));
}

int ClientGroupModel::choose_read_target() {
  switch (target_.spec().read_policy) {
  case scenario::ReadPolicy::primary: return leader_;
  case scenario::ReadPolicy::nearest: return nearest_;
  case scenario::ReadPolicy::any_replica: {
    auto replicas = target_.replica_nodes();
    return replicas[rng_.below(replicas.size())];
  }
  }
  return leader_;
}

int ClientGroupModel::next_member(int node) const {
  auto members = target_.member_nodes();
  auto it = std::find(members.begin(), members.end(), node);
  if (it == members.end() || ++it == members.end()) return members.front();
  return *it;
}

ClientGroupModel::Answer ClientGroupModel::exchange(const Request& request, std::int64_t op,
                                                    std::optional<std::int64_t> value, int target,
                                                    double deadline_s, sg4::Mailbox* slot) {
  auto message = std::make_unique<Message>();
  message->kind = request.write ? MsgKind::write : MsgKind::read;
  message->op = op;
  message->reply_to = slot->get_name();
  message->key = request.key;
  message->value = value;
  message->size_bytes = target_.spec().message_bytes;
  if (target_.spec().read_your_writes && !request.write && !request.final_read)
    message->min_position = session_position_[static_cast<std::size_t>(request.session)];
  message->want_primary = !request.write && (request.final_read || target == leader_) &&
                          (request.final_read || target_.spec().read_policy == scenario::ReadPolicy::primary);
  context_.network.send(node_, target, target_.address(target), std::move(message));

  Answer answer;
  while (true) {
    std::unique_ptr<Message> reply = context_.network.receive(slot, deadline_s - sg4::Engine::get_clock());
    if (!reply) {
      answer.error = "timeout";
      return answer; // info: we cannot know whether it happened
    }
    if (reply->op != op) continue; // a late answer to an earlier request on this slot
    answer.node = context_.network.node_name(reply->from);
    answer.position = reply->position;
    answer.term = reply->term;
    answer.leader_hint = reply->leader;
    if (!reply->ok) {
      answer.outcome = Outcome::fail;
      answer.error = reply->error;
      return answer;
    }
    answer.outcome = Outcome::ok;
    answer.value = reply->value;
    return answer;
  }
}

void ClientGroupModel::perform(Request request) {
  sg4::Mailbox* slot = acquire_slot();
  slot->set_receiver(sg4::Actor::self());
  double now = sg4::Engine::get_clock();
  std::optional<std::int64_t> value;
  if (request.write) value = context_.next_value++;
  std::int64_t process = request.final_read ? -1 : request.session;
  std::int64_t op = context_.recorder.invoke(now, process, spec_.name, request.write ? "write" : "read", request.key,
                                             value, request.final_read);
  double deadline_s = now + spec_.timeout_s;
  bool to_primary = request.write || request.final_read || target_.spec().read_policy == scenario::ReadPolicy::primary;
  int target = to_primary ? leader_ : choose_read_target();
  Answer answer;
  // A few attempts within the op's deadline: follow "not primary" hints, go
  // to the primary when a replica is behind this session.
  for (std::size_t attempt = 0; attempt <= target_.member_nodes().size(); ++attempt) {
    answer = exchange(request, op, value, target, deadline_s, slot);
    if (answer.outcome == Outcome::info) {
      // No answer: next time, try someone else (the cached leader may be gone).
      if (to_primary && target == leader_) leader_ = next_member(target);
      break;
    }
    if (answer.outcome == Outcome::fail && answer.error == "not primary") {
      int next = answer.leader_hint >= 0 && answer.leader_hint != target ? answer.leader_hint : next_member(target);
      leader_ = next;
      target = next;
      to_primary = true;
      continue;
    }
    if (answer.outcome == Outcome::fail && answer.error == "behind" && target != leader_) {
      target = leader_; // the replica is not caught up with this session: ask the primary
      continue;
    }
    break;
  }
  double done_s = answer.outcome == Outcome::info ? deadline_s : sg4::Engine::get_clock();
  std::optional<std::int64_t> position;
  if (request.write && answer.outcome == Outcome::ok) {
    position = answer.position;
    auto& last = session_position_[static_cast<std::size_t>(request.session)];
    last = std::max(last, answer.position);
    written_keys_.insert(request.key);
  } else if (request.write && answer.outcome == Outcome::info) {
    written_keys_.insert(request.key); // it may have happened
  }
  std::optional<std::int64_t> term;
  if (answer.outcome == Outcome::ok && target_.spec().failover.enabled) term = answer.term;
  context_.recorder.complete(op, done_s, answer.outcome, request.write ? value : answer.value, answer.node,
                             answer.error, position, term);
  release_slot(slot);

  // "Reload the page": the same user reads back what they just wrote.
  if (request.write && answer.outcome == Outcome::ok && spec_.reload_after_write_s) {
    sg4::this_actor::sleep_for(*spec_.reload_after_write_s);
    perform(Request{request.session, false, request.key, false});
  }
}

void ClientGroupModel::final_reads() {
  std::vector<std::string> keys(written_keys_.begin(), written_keys_.end());
  auto next = std::make_shared<std::size_t>(0);
  auto keys_ptr = std::make_shared<std::vector<std::string>>(std::move(keys));
  for (int i = 0; i < kFinalReaders; ++i) {
    sg4::Actor::create("final", sg4::this_actor::get_host(), [this, next, keys_ptr] {
      while (*next < keys_ptr->size()) {
        std::string key = (*keys_ptr)[(*next)++];
        perform(Request{-1, false, key, true});
      }
    });
  }
}

} // namespace faultlab::model
