#include "engine/network.hpp"

#include "history/json_line.hpp"

#include <algorithm>
#include <cassert>

namespace sg4 = simgrid::s4u;

namespace faultlab::engine {

namespace {
// SimGrid's engine outlives the network (simulation.cpp creates it first),
// and tears down the transfers still under way at the end of the run after
// the network is gone; their clean-up callbacks check this first.
const Network* live_network = nullptr;
} // namespace

Network::Network(std::vector<std::string> node_names, std::vector<sg4::Host*> hosts, util::Rng rng,
                 history::TraceWriter* trace)
    : names_(std::move(node_names)), hosts_(std::move(hosts)), rng_(rng), trace_(trace),
      clock_offset_s_(names_.size(), 0.0), clock_drift_(names_.size(), 0.0), drift_accum_s_(names_.size(), 0.0),
      drift_mark_s_(names_.size(), 0.0), disk_filled_bytes_(names_.size(), 0.0), up_(names_.size(), 1),
      paused_(names_.size(), 0), paused_since_s_(names_.size(), 0.0), paused_total_s_(names_.size(), 0.0),
      incarnation_(names_.size(), 0), held_(names_.size()),
      resume_mutex_(sg4::Mutex::create()), resumed_(sg4::ConditionVariable::create()) {
  for (std::size_t i = 0; i < hosts_.size(); ++i) host_index_[hosts_[i]] = static_cast<int>(i);
  live_network = this;
}

double Network::undrifted_local_s(int node) const {
  double now = sg4::Engine::get_clock();
  return now - paused_total_s_[node] - (paused_[node] ? now - paused_since_s_[node] : 0.0);
}

double Network::drift_added_s(int node) const {
  if (clock_drift_[node] == 0.0) return drift_accum_s_[node];
  return drift_accum_s_[node] + clock_drift_[node] * (undrifted_local_s(node) - drift_mark_s_[node]);
}

double Network::local_time_s(int node) const {
  const double local = undrifted_local_s(node);
  // Exactly the undrifted time (x + 0.0 == x) for a node no clock fault touched.
  return local + drift_added_s(node);
}

double Network::wall_time_s(int node) const {
  return sg4::Engine::get_clock() + clock_offset_s_[node] + drift_added_s(node);
}

void Network::step_clock(int node, double offset_s) { clock_offset_s_[node] += offset_s; }

void Network::set_clock_drift(int node, double drift) {
  drift_accum_s_[node] = drift_added_s(node);
  drift_mark_s_[node] = undrifted_local_s(node);
  clock_drift_[node] = drift;
}

Network::~Network() {
  if (live_network == this) live_network = nullptr;
}

int Network::node_index(const std::string& name) const {
  auto it = std::find(names_.begin(), names_.end(), name);
  return it == names_.end() ? -1 : static_cast<int>(it - names_.begin());
}

bool Network::partitioned(int from, int to) const {
  for (const auto& [name, p] : partitions_) {
    int a = p.group_of[from], b = p.group_of[to];
    if (a < 0 || b < 0 || a == b) continue;
    if (p.one_way_from < 0 || (a == p.one_way_from && b == p.one_way_to)) return true;
  }
  return false;
}

namespace {
history::JsonLine message_line(const char* ev, const Envelope& m, const std::vector<std::string>& names) {
  history::JsonLine line(sg4::Engine::get_clock(), ev);
  line.integer("msg", static_cast<std::int64_t>(m.id))
      .str("from", names[m.from])
      .str("to", names[m.to])
      .str("kind", m.kind.name());
  if (m.op >= 0) line.integer("op", m.op);
  return line;
}
} // namespace

void Network::drop(Envelope& message, const char* reason) {
  ++dropped_;
  if (trace_ && trace_->record_messages())
    trace_->add(sg4::Engine::get_clock(), message_line("drop", message, names_).str("reason", reason).done());
}

void Network::send(int from, int to, const std::string& to_address, std::unique_ptr<Envelope> message) {
  assert(from >= 0 && from < node_count() && to >= 0 && to < node_count());
  message->id = next_id_++;
  message->from = from;
  message->to = to;
  message->to_incarnation = incarnation_[to];
  message->sent_s = sg4::Engine::get_clock();
  if (trace_ && trace_->record_messages())
    trace_->add(message->sent_s, message_line("send", *message, names_).integer("size", message->size_bytes).done());

  if (partitioned(from, to)) return drop(*message, "partition");
  if (!up_[to]) return drop(*message, "node down");
  for (const auto& rule : drops_)
    if ((rule.applies[from] || rule.applies[to]) && rng_.chance(rule.probability))
      return drop(*message, "random drop");
  double extra_s = 0.0;
  for (const auto& rule : delays_)
    if (rule.applies[from] || rule.applies[to])
      extra_s += rule.extra_s + (rule.jitter_s > 0 ? rng_.uniform(0.0, rule.jitter_s) : 0.0);
  for (const auto& rule : reorders_)
    if ((rule.applies[from] || rule.applies[to]) && rng_.chance(rule.probability))
      extra_s += rng_.uniform(0.0, rule.extra_s);
  bool twice = false;
  for (const auto& rule : duplicates_)
    if ((rule.applies[from] || rule.applies[to]) && rng_.chance(rule.probability)) twice = true;
  std::unique_ptr<Envelope> copy = twice ? copy_of(*message) : nullptr;
  const auto original_id = static_cast<std::int64_t>(message->id);
  dispatch(to_address, std::move(message), extra_s);
  if (copy) {
    copy->id = next_id_++;
    copy->from = from;
    copy->to = to;
    copy->to_incarnation = incarnation_[to];
    copy->sent_s = sg4::Engine::get_clock();
    if (trace_ && trace_->record_messages())
      trace_->add(copy->sent_s, message_line("send", *copy, names_)
                                    .integer("size", copy->size_bytes)
                                    .integer("copy_of", original_id)
                                    .done());
    dispatch(to_address, std::move(copy), extra_s);
  }
}

void Network::dispatch(const std::string& to_address, std::unique_ptr<Envelope> message, double extra_s) {
  Envelope* raw = message.get();
  in_flight_.emplace(raw, std::move(message));
  if (extra_s <= 0.0) {
    transmit(to_address, raw);
    return;
  }
  // Extra delay: a short-lived actor on the sender's node holds the message,
  // then sends it. The partition check is repeated because one may have
  // started meanwhile.
  sg4::Actor::create("delay", hosts_[raw->from], [this, raw, extra_s, to_address] {
                   sg4::this_actor::sleep_for(extra_s);
                   if (partitioned(raw->from, raw->to) || !up_[raw->to]) {
                     auto owned = std::move(in_flight_.at(raw));
                     in_flight_.erase(raw);
                     drop(*owned, partitioned(owned->from, owned->to) ? "partition" : "node down");
                     return;
                   }
                   transmit(to_address, raw);
                 })
      ->daemonize();
}

void Network::transmit(const std::string& to_address, Envelope* raw) {
  // SimGrid would park a transfer to a suspended receiver for good, so the
  // network holds messages for a paused node itself.
  if (paused_[raw->to]) {
    // Bounded like a socket buffer: past the limit, new messages are lost.
    if (held_[raw->to].size() >= max_held_) {
      auto it = in_flight_.find(raw);
      std::unique_ptr<Envelope> owned = std::move(it->second);
      in_flight_.erase(it);
      drop(*owned, "queue full");
      return;
    }
    held_[raw->to].emplace_back(to_address, raw);
    return;
  }
  if (raw->from != raw->to)
    bytes_between_[{std::min(raw->from, raw->to), std::max(raw->from, raw->to)}] +=
        static_cast<double>(raw->size_bytes);
  auto queue = queued_.try_emplace(to_address).first;
  queue->second.push_back(Queued{raw, host_index_.at(sg4::this_actor::get_host()), raw->to, false});
  // The map's keys stay where they are, so the callback can hold one.
  const std::string* address = &queue->first;
  sg4::Mailbox::by_name(to_address)
      ->put_init(raw, static_cast<uint64_t>(raw->size_bytes))
      ->detach([this, address](void* payload) {
        if (live_network == this) transfer_failed(*address, static_cast<Envelope*>(payload));
      });
}

void Network::transfer_failed(const std::string& address, Envelope* raw) {
  if (in_flight_.count(raw) == 0) return;
  const double now = sg4::Engine::get_clock();
  if (failed_at_s_ != now) failed_.clear();
  failed_at_s_ = now;
  failed_.push_back(Failed{&address, raw});
  drop_given_up(address);
}

void Network::gave_up(const std::string& address) {
  const double now = sg4::Engine::get_clock();
  if (gave_up_at_s_ != now) gave_up_.clear();
  gave_up_at_s_ = now;
  gave_up_.push_back(address);
  drop_given_up(address);
}

void Network::drop_given_up(const std::string& address) {
  const double now = sg4::Engine::get_clock();
  if (failed_at_s_ != now || gave_up_at_s_ != now) return;
  if (std::find(gave_up_.begin(), gave_up_.end(), address) == gave_up_.end()) return;
  for (auto f = failed_.begin(); f != failed_.end();) {
    if (*f->address != address) {
      ++f;
      continue;
    }
    Envelope* raw = f->message;
    f = failed_.erase(f);
    auto it = in_flight_.find(raw);
    if (it == in_flight_.end()) continue;
    std::unique_ptr<Envelope> owned = std::move(it->second);
    in_flight_.erase(it);
    forget_queued(address, owned.get());
    drop(*owned, "caller gave up");
  }
}

std::unique_ptr<Envelope> Network::receive(sg4::Mailbox* mailbox, double timeout_s, bool keep_posted) {
  if (timeout_s > 0) return receive_timed(mailbox, timeout_s, keep_posted);
  while (true) {
    Envelope* raw = nullptr;
    try {
      // Poll: only what is already there. A transfer cut by a crash never
      // completes, and would keep every message behind it waiting for good;
      // taking it cannot block (it fails at once), so it is taken.
      if (timeout_s == 0 && !posted_.count(mailbox) && !mailbox->ready() && !head_was_cut(mailbox->get_name()))
        return nullptr;
      raw = posted_.count(mailbox) ? take_posted(mailbox, timeout_s) : mailbox->get<Envelope>();
      if (raw == nullptr) return nullptr; // a poll, and the posted receive is not done
      forget_queued(mailbox->get_name(), raw);
    } catch (const simgrid::NetworkFailureException&) {
      // The sender's node went down while the message was on the wire: it
      // is lost (it stays owned by in_flight_ and is freed at the end).
      forget_queued(mailbox->get_name(), nullptr);
      ++dropped_;
      continue;
    }
    if (auto message = accept(raw)) return message;
  }
}

// A wait with a timeout counts the node's own time, and is not frozen by
// SimGrid's suspend() when its node pauses: SimGrid lets a receive's timeout
// fire while its actor is suspended and then loses track of that actor. So
// these waits pause themselves: a wake-up during a pause (nothing can arrive,
// the network holds the node's messages) waits for the resume, then waits
// out what is left on the node's clock, which stood still meanwhile.
std::unique_ptr<Envelope> Network::receive_timed(sg4::Mailbox* mailbox, double timeout_s, bool keep_posted) {
  const int node = host_index_.at(sg4::this_actor::get_host());
  SelfPausing guard(*this);
  const double deadline_s = local_time_s(node) + timeout_s;
  std::unique_ptr<Envelope> result;
  while (true) {
    double remaining = deadline_s - local_time_s(node);
    if (remaining <= 0) break;
    Envelope* raw = nullptr;
    const double before_s = sg4::Engine::get_clock();
    try {
      // The node's clock may run fast or slow (a clock fault's drift).
      const double rate = 1.0 + clock_drift_[node];
      const double wait_s = rate == 1.0 ? remaining : remaining / rate;
      if (keep_posted) {
        raw = take_posted(mailbox, wait_s);
      } else {
        try {
          raw = mailbox->get<Envelope>(wait_s);
        } catch (const simgrid::TimeoutException&) {
          raw = nullptr;
          gave_up(mailbox->get_name()); // a message it had matched is lost
        }
      }
      if (raw != nullptr) forget_queued(mailbox->get_name(), raw);
    } catch (const simgrid::NetworkFailureException&) {
      forget_queued(mailbox->get_name(), nullptr);
      ++dropped_;
    }
    // What is left can be too small to move the clock (a rounding residue
    // of the local-time arithmetic): the wait is over.
    if (keep_posted && raw == nullptr && sg4::Engine::get_clock() == before_s && !paused_[node]) break;
    pause_point();
    if (raw != nullptr && (result = accept(raw))) break;
  }
  return result;
}

Envelope* Network::take_posted(sg4::Mailbox* mailbox, double timeout_s) {
  auto it = posted_.find(mailbox);
  if (it != posted_.end() && it->second->owner != sg4::this_actor::get_pid()) {
    hand_on_posted(mailbox);
    it = posted_.end();
  }
  if (it == posted_.end()) {
    auto posted = std::make_unique<Posted>();
    posted->owner = sg4::this_actor::get_pid();
    posted->comm = mailbox->get_async<Envelope>(&posted->raw);
    it = posted_.emplace(mailbox, std::move(posted)).first;
  }
  // Other actors run during the wait and may change the map: hold the
  // record, not the iterator.
  Posted* posted = it->second.get();
  const sg4::CommPtr comm = posted->comm;
  ssize_t done = -1;
  try {
    // Unlike a get() with a timeout, a wait_any that times out leaves the
    // receive as it is, matched or not.
    done = sg4::Comm::wait_any_for({comm}, timeout_s);
  } catch (const simgrid::NetworkFailureException&) {
    forget_posted(mailbox, posted);
    throw;
  }
  if (done < 0) return nullptr;
  Envelope* raw = posted->raw;
  forget_posted(mailbox, posted);
  return raw;
}

void Network::forget_posted(sg4::Mailbox* mailbox, const Posted* posted) {
  auto it = posted_.find(mailbox);
  if (it != posted_.end() && it->second.get() == posted) posted_.erase(it);
}

void Network::hand_on_posted(sg4::Mailbox* mailbox) {
  auto it = posted_.find(mailbox);
  if (it == posted_.end()) return;
  std::shared_ptr<Posted> posted = std::move(it->second);
  posted_.erase(it);
  // Nothing matched it yet: take it back (its actor was killed with its
  // node; cancelling again what SimGrid may have cancelled is harmless).
  if (posted->comm->get_sender() == nullptr) {
    posted->comm->cancel();
    return;
  }
  // Matched: its message has arrived or is on its way.
  const std::string address = mailbox->get_name();
  sg4::Actor::create("late-" + address, sg4::this_actor::get_host(), [this, address, posted] {
    sg4::Actor::self()->daemonize();
    try {
      posted->comm->wait();
    } catch (const simgrid::Exception&) {
      // SimGrid cancels a receive when the actor that posted it ends (its
      // node crashed); a message still on the wire to it is lost with the
      // node. Which message it was is not known here, so it is not counted
      // as dropped (README, "Output formats": messages).
      return;
    }
    forget_queued(address, posted->raw);
    accept(posted->raw); // delivered, to nobody who waits for it any more
  });
}

Network::SelfPausing::SelfPausing(Network& network) : network_(network), actor_(sg4::this_actor::get_pid()) {
  network_.self_pausing_.insert(actor_);
}

Network::SelfPausing::~SelfPausing() { network_.self_pausing_.erase(network_.self_pausing_.find(actor_)); }

bool Network::wait_until_local(int node, double local_s, const sg4::SemaphorePtr& wake) {
  SelfPausing guard(*this);
  while (true) {
    const double remaining = local_s - local_time_s(node);
    if (remaining <= 0) return true;
    const double rate = 1.0 + clock_drift_[node];
    const bool timed_out = wake->acquire_timeout(rate == 1.0 ? remaining : remaining / rate);
    pause_point();
    if (!timed_out) return false;
  }
}

void Network::pause_point() {
  const int node = host_index_.at(sg4::this_actor::get_host());
  if (!paused_[node]) return;
  std::unique_lock<sg4::Mutex> lock(*resume_mutex_);
  while (paused_[node]) resumed_->wait(lock);
}

std::unique_ptr<Envelope> Network::accept(Envelope* raw) {
  auto it = in_flight_.find(raw);
  assert(it != in_flight_.end() && "every received message was sent through the network");
  std::unique_ptr<Envelope> message = std::move(it->second);
  in_flight_.erase(it);
  // A message addressed to an earlier life of a node that crashed since.
  if (message->to_incarnation != incarnation_[message->to]) {
    drop(*message, "node restarted");
    return nullptr;
  }
  ++delivered_;
  if (trace_ && trace_->record_messages())
    trace_->add(sg4::Engine::get_clock(), message_line("deliver", *message, names_).done());
  return message;
}

void Network::add_partition(const std::string& name, Partition partition) {
  partitions_.emplace_back(name, std::move(partition));
}

void Network::heal(const std::string& name) {
  partitions_.erase(std::remove_if(partitions_.begin(), partitions_.end(),
                                   [&](const auto& p) { return name.empty() || p.first == name; }),
                    partitions_.end());
}

void Network::add_drop(const std::string& name, std::vector<int> nodes, double probability) {
  Rule rule{name, std::vector<char>(names_.size(), nodes.empty() ? 1 : 0), probability, 0.0};
  for (int n : nodes) rule.applies[n] = 1;
  drops_.push_back(std::move(rule));
}

void Network::add_delay(const std::string& name, std::vector<int> nodes, double extra_s, double jitter_s) {
  Rule rule{name, std::vector<char>(names_.size(), nodes.empty() ? 1 : 0), 0.0, extra_s, jitter_s};
  for (int n : nodes) rule.applies[n] = 1;
  delays_.push_back(std::move(rule));
}

void Network::add_duplicate(const std::string& name, std::vector<int> nodes, double probability) {
  Rule rule{name, std::vector<char>(names_.size(), nodes.empty() ? 1 : 0), probability, 0.0, 0.0};
  for (int n : nodes) rule.applies[n] = 1;
  duplicates_.push_back(std::move(rule));
}

void Network::add_reorder(const std::string& name, std::vector<int> nodes, double probability, double window_s) {
  Rule rule{name, std::vector<char>(names_.size(), nodes.empty() ? 1 : 0), probability, window_s, 0.0};
  for (int n : nodes) rule.applies[n] = 1;
  reorders_.push_back(std::move(rule));
}

void Network::remove_rule(const std::string& name) {
  auto named = [&](const Rule& r) { return r.name == name; };
  drops_.erase(std::remove_if(drops_.begin(), drops_.end(), named), drops_.end());
  delays_.erase(std::remove_if(delays_.begin(), delays_.end(), named), delays_.end());
  duplicates_.erase(std::remove_if(duplicates_.begin(), duplicates_.end(), named), duplicates_.end());
  reorders_.erase(std::remove_if(reorders_.begin(), reorders_.end(), named), reorders_.end());
  heal(name);
}

void Network::set_paused(int node, bool paused) {
  double now = sg4::Engine::get_clock();
  if (paused && !paused_[node]) paused_since_s_[node] = now;
  if (!paused && paused_[node]) paused_total_s_[node] += now - paused_since_s_[node];
  paused_[node] = paused ? 1 : 0;
  if (paused) return;
  resumed_->notify_all(); // the timed waits that woke up during the pause
  auto held = std::make_shared<std::vector<std::pair<std::string, Envelope*>>>(std::move(held_[node]));
  held_[node].clear();
  if (held->empty()) return;
  if (!up_[node]) { // the node crashed while paused: what it held is lost
    for (const auto& [address, raw] : *held) {
      auto owned = std::move(in_flight_.at(raw));
      in_flight_.erase(raw);
      drop(*owned, "node down");
    }
    return;
  }
  // The messages already reached the node; hand them over from its own host
  // (a SimGrid transfer is started by an actor, and the caller here is the
  // fault schedule, which lives elsewhere).
  sg4::Actor::create("release", hosts_[node], [this, held] {
    for (const auto& [address, raw] : *held) transmit(address, raw);
  })->daemonize();
}

bool Network::head_was_cut(const std::string& address) const {
  auto it = queued_.find(address);
  return it != queued_.end() && !it->second.empty() && it->second.front().cut;
}

// `raw` was taken from the mailbox `address`; nullptr: its head failed.
void Network::forget_queued(const std::string& address, const Envelope* raw) {
  auto it = queued_.find(address);
  if (it == queued_.end() || it->second.empty()) return;
  auto& queue = it->second;
  if (raw == nullptr) {
    queue.pop_front();
    return;
  }
  for (auto q = queue.begin(); q != queue.end(); ++q)
    if (q->message == raw) {
      queue.erase(q);
      return;
    }
}

void Network::set_up(int node, bool up) {
  if (!up && up_[node]) {
    // Transfers started from this node's host, or to it, are cut: SimGrid
    // fails them. Only flags are set, so the map's order does not matter.
    for (auto& [address, queue] : queued_)
      for (auto& q : queue)
        if (q.put_node == node || q.to_node == node) q.cut = true;
  }
  if (!up && up_[node]) ++incarnation_[node];
  up_[node] = up ? 1 : 0;
}

} // namespace faultlab::engine
