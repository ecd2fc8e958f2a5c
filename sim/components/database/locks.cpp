// The database's lock tables: PostgreSQL's table lock modes with a FIFO
// queue per table, and exclusive row locks for updates.
#include "components/database/model.hpp"

#include "history/json_line.hpp"
#include "model/invariant.hpp"

#include <algorithm>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using scenario::Database;
using database_detail::kForever;

DatabaseModel::Acquired DatabaseModel::acquire(LockQueue& queue, const std::string& what, Mode mode,
                                               const std::string& who, double lock_timeout_s, double deadline_s,
                                               Running& running, std::uint64_t epoch) {
  auto request = std::make_shared<LockRequest>();
  request->id = running.id;
  request->mode = mode;
  request->who = who;
  request->since_s = sg4::Engine::get_clock();
  // FIFO: blocked by a conflicting holder, or by a conflicting request already waiting.
  std::vector<std::string> blockers;
  for (const auto& h : queue.held)
    if (scenario::conflicts(h->mode, mode)) blockers.push_back(h->who + " holds " + scenario::to_string(h->mode));
  for (const auto& w : queue.waiting)
    if (scenario::conflicts(w->mode, mode)) blockers.push_back(w->who + " waits for " + scenario::to_string(w->mode));
  if (blockers.empty()) {
    request->granted = true;
    queue.held.push_back(request);
    return {true, ""};
  }
  if (!context_.queue_has_room(queue.waiting.size())) return {false, "too many statements waiting for a lock"};
  request->wake = sg4::Semaphore::create(0);
  queue.waiting.push_back(request);
  running.waiting = request;
  if (context_.trace) {
    const double t = request->since_s;
    std::string behind;
    for (std::size_t i = 0; i < blockers.size() && i < 3; ++i) behind += (i ? "; " : "") + blockers[i];
    if (blockers.size() > 3) behind += "; and " + std::to_string(blockers.size() - 3) + " more";
    context_.trace->add(t, history::JsonLine(t, "lock_wait")
                               .str("node", context_.network.node_name(serving_node()))
                               .str("component", spec_.name)
                               .str("lock", what)
                               .str("mode", scenario::to_string(mode))
                               .str("who", who)
                               .str("behind", behind)
                               .integer("queue", static_cast<std::int64_t>(queue.waiting.size()))
                               .done());
  }
  double wait_s = deadline_s - request->since_s;
  if (lock_timeout_s > 0) wait_s = std::min(wait_s, lock_timeout_s);
  const bool timed_out = wait_s == kForever ? (request->wake->acquire(), false) : request->wake->acquire_timeout(wait_s);
  if (epoch != epoch_) return {false, ""};
  running.waiting = nullptr;
  const double waited_s = sg4::Engine::get_clock() - request->since_s;
  lock_wait_max_s_ = std::max(lock_wait_max_s_, waited_s);
  if (request->granted) return {true, ""};
  // Gave up: out of the queue, which may let those behind it through.
  queue.waiting.erase(std::find(queue.waiting.begin(), queue.waiting.end(), request));
  grant_waiters(queue);
  if (running.cancelled) return {false, "canceling statement due to user request"};
  FAULTLAB_INVARIANT(timed_out, "a lock waiter woke up neither granted, cancelled nor timed out");
  const bool statement = lock_timeout_s <= 0 || deadline_s - request->since_s < lock_timeout_s;
  if (statement) ++statement_timeouts_;
  else ++lock_timeouts_;
  if (context_.trace) {
    const double t = sg4::Engine::get_clock();
    context_.trace->add(t, history::JsonLine(t, "lock_timeout")
                               .str("node", context_.network.node_name(serving_node()))
                               .str("component", spec_.name)
                               .str("lock", what)
                               .str("who", who)
                               .num("waited_s", waited_s)
                               .done());
  }
  return {false, statement ? "canceling statement due to statement timeout (waiting for a lock on " + what + ")"
                           : "canceling statement due to lock timeout (" + what + ")"};
}

void DatabaseModel::release(LockQueue& queue, const std::shared_ptr<LockRequest>& request) {
  auto it = std::find(queue.held.begin(), queue.held.end(), request);
  if (it == queue.held.end()) return;
  queue.held.erase(it);
  grant_waiters(queue);
}

// Grants, in queue order, every waiter that conflicts neither with a holder
// nor with a waiter ahead of it.
void DatabaseModel::grant_waiters(LockQueue& queue) {
  std::vector<std::shared_ptr<LockRequest>> ahead, granted;
  for (auto it = queue.waiting.begin(); it != queue.waiting.end();) {
    const auto& w = *it;
    bool blocked = false;
    for (const auto& h : queue.held) blocked = blocked || scenario::conflicts(h->mode, w->mode);
    for (const auto& a : ahead) blocked = blocked || scenario::conflicts(a->mode, w->mode);
    if (blocked) {
      ahead.push_back(w);
      ++it;
      continue;
    }
    w->granted = true;
    queue.held.push_back(w);
    granted.push_back(w);
    it = queue.waiting.erase(it);
  }
  // Woken only now: a release is a simcall, during which other actors may
  // run and change the queue.
  for (const auto& w : granted) w->wake->release();
}

} // namespace faultlab::model
