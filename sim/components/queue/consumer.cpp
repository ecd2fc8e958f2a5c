// The queue's consumers: the heartbeat loop, the fetch loop, deliveries
// and commits.
#include "components/queue/model.hpp"

#include "history/json_line.hpp"
#include "model/invariant.hpp"
#include "model/service.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <cmath>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;

bool QueueModel::owns(const Consumer& c, int partition) const {
  return c.position.count(partition) != 0;
}

void QueueModel::heartbeat_loop(Consumer& c, int life) {
  daemonize_self();
  const Group& g = groups_[static_cast<std::size_t>(c.group)];
  const Broker& coordinator = brokers_[static_cast<std::size_t>(g.coordinator)];
  while (c.life == life) {
    const double next_s = sg4::Engine::get_clock() + g.spec->heartbeat_interval_s;
    auto beat = std::make_unique<QueueHeartbeat>();
    beat->group = c.group;
    beat->member = c.member;
    beat->released = c.released;
    const std::vector<int> sent = c.released;
    std::unique_ptr<Envelope> reply = c.beat_rpc->call(
        coordinator.node, spec_.name, engine::envelope(queue_kinds::heartbeat, std::move(beat), kSmallMessage), next_s);
    if (reply && c.life == life) {
      const auto& r = reply->payload_as<QueueHeartbeatReply>();
      for (int p : sent) // the coordinator has these (more may have come meanwhile)
        c.released.erase(std::find(c.released.begin(), c.released.end(), p));
      std::map<int, std::int64_t> position;
      for (std::size_t i = 0; i < r.owned.size(); ++i) {
        auto kept = c.position.find(r.owned[i]);
        // A partition it kept goes on where it was; a new one starts at the
        // group's committed offset.
        position[r.owned[i]] = kept != c.position.end() ? kept->second : r.committed[i];
      }
      // One to give up goes on until the fetch loop is done with its batch.
      for (int p : r.revoke)
        if (auto kept = c.position.find(p); kept != c.position.end()) position[p] = kept->second;
      c.position = std::move(position);
      c.owned = r.owned;
      c.owned.insert(c.owned.end(), r.revoke.begin(), r.revoke.end());
      c.revoking = r.revoke;
    }
    const double left = next_s - sg4::Engine::get_clock();
    if (left > 0) sg4::this_actor::sleep_for(left);
  }
}

void QueueModel::consume(Consumer& c) {
  const Group& g = groups_[static_cast<std::size_t>(c.group)];
  const Topic& topic = topics_[static_cast<std::size_t>(g.topic)];
  // A new process: a new member, owning nothing until the coordinator says so.
  const int life = ++c.life;
  c.member = g.spec->name + "-" + std::to_string(c.index + 1) + "/" + std::to_string(life);
  c.owned.clear();
  c.position.clear();
  c.revoking.clear();
  c.released.clear();
  sg4::Actor::create(c.member + ".heartbeat", sg4::this_actor::get_host(), [this, &c, life] { heartbeat_loop(c, life); });
  while (true) {
    bool fetched = false;
    const std::vector<int> owned = c.owned;
    for (int p : owned) {
      if (!owns(c, p)) continue;
      if (std::find(c.revoking.begin(), c.revoking.end(), p) != c.revoking.end()) {
        // Asked to give it up: the last batch is committed, so let go.
        c.position.erase(p);
        c.revoking.erase(std::find(c.revoking.begin(), c.revoking.end(), p));
        c.released.push_back(p);
        continue;
      }
      const Partition& part = topic.partitions[static_cast<std::size_t>(p)];
      auto fetch = std::make_unique<QueueFetch>();
      fetch->topic = g.topic;
      fetch->partition = p;
      fetch->offset = c.position[p];
      fetch->max = g.spec->fetch_max;
      std::unique_ptr<Envelope> reply = c.rpc->call(
          brokers_[static_cast<std::size_t>(part.broker)].node, spec_.name,
          engine::envelope(queue_kinds::fetch, std::move(fetch), kSmallMessage),
          sg4::Engine::get_clock() + g.spec->heartbeat_interval_s);
      if (!reply || !owns(c, p)) continue;
      const auto& r = reply->payload_as<QueueFetchReply>();
      if (r.out_of_range) {
        // Retention deleted what it had not read: start again at the oldest
        // message kept (auto.offset.reset = earliest). Those are lost.
        const std::int64_t from = c.position[p];
        Group& group = groups_[static_cast<std::size_t>(c.group)];
        auto& fate = group.fate[static_cast<std::size_t>(p)];
        if (fate.size() < static_cast<std::size_t>(r.log_start)) fate.resize(static_cast<std::size_t>(r.log_start), kPending);
        std::int64_t lost = 0;
        for (std::int64_t o = from; o < r.log_start; ++o)
          if (fate[static_cast<std::size_t>(o)] == kPending) fate[static_cast<std::size_t>(o)] = kLost, ++lost;
        group.lost += lost;
        c.position[p] = r.log_start;
        if (context_.trace) {
          const double now = sg4::Engine::get_clock();
          history::JsonLine line(now, "queue_lost");
          line.str("node", context_.network.node_name(c.node))
              .str("component", spec_.name)
              .str("group", g.spec->name)
              .str("member", c.member)
              .integer("partition", p)
              .integer("from", from)
              .integer("log_start", r.log_start)
              .integer("messages", lost)
              .str("why", "offsets " + std::to_string(from) + " to " + std::to_string(r.log_start - 1) +
                              " were deleted by retention before the group read them");
          trace(line);
        }
        continue;
      }
      if (r.entries.empty()) continue;
      fetched = true;
      if (g.spec->commit == scenario::Queue::Group::Commit::before_processing)
        commit(c, p, r.entries.back().offset + 1);
      const std::int64_t before = c.position[p];
      for (const QueueEntry& entry : r.entries) {
        if (!owns(c, p)) break; // taken away at a heartbeat: the new owner starts at the commit
        compute(g.spec->work_s);
        if (!deliver(c, p, entry)) {
          sg4::this_actor::sleep_for(g.spec->retry_backoff_s); // then fetched again from this message
          break;
        }
        if (owns(c, p)) c.position[p] = entry.offset + 1;
      }
      if (g.spec->commit == scenario::Queue::Group::Commit::after_processing && owns(c, p) &&
          c.position[p] > before)
        commit(c, p, c.position[p]);
    }
    if (!fetched) sg4::this_actor::sleep_for(g.spec->poll_interval_s);
  }
}

// Hands one message on. A delivery the endpoint accepted is an op
// `deliver` of the group in the history, at the moment the answer came
// (key: where the message sits, value: the op of the request that produced
// it); a failed one is a `queue_deliver_failed` event, and the message is
// tried again.
bool QueueModel::deliver(Consumer& c, int partition, const QueueEntry& entry) {
  Group& g = groups_[static_cast<std::size_t>(c.group)];
  const ServiceModel* target = targets_[static_cast<std::size_t>(c.group)];
  std::string node = context_.network.node_name(c.node);
  if (target != nullptr) {
    const double deadline_s = sg4::Engine::get_clock() + g.spec->deliver_timeout_s;
    std::unique_ptr<Envelope> answer =
        call_service(*c.rpc, c.rng, *target, g.spec->deliver_op, entry.key, entry.produce_op, deadline_s);
    const auto* reply = answer ? &answer->payload_as<CallReply>() : nullptr;
    if (!reply || !reply->ok) {
      if (context_.trace) {
        history::JsonLine line(sg4::Engine::get_clock(), "queue_deliver_failed");
        line.str("node", node)
            .str("component", spec_.name)
            .str("group", g.spec->name)
            .str("member", c.member)
            .integer("partition", partition)
            .integer("offset", entry.offset)
            .str("error", reply ? reply->error : "timeout")
            .str("why", "the message stays uncommitted and is tried again after " +
                            util::format_duration(g.spec->retry_backoff_s));
        trace(line);
      }
      return false;
    }
    node = context_.network.node_name(answer->from);
  }
  const double now = sg4::Engine::get_clock();
  const std::string key = g.spec->topic + "/" + std::to_string(partition) + "@" + std::to_string(entry.offset);
  const std::int64_t op = context_.recorder.invoke(now, c.index + 1, g.spec->name, "deliver", key, entry.produce_op);
  context_.recorder.complete(op, now, history::Outcome::ok, std::nullopt, node);
  auto& fate = g.fate[static_cast<std::size_t>(partition)];
  const auto at = static_cast<std::size_t>(entry.offset);
  if (fate.size() <= at) fate.resize(at + 1, kPending);
  if (fate[at] == kDelivered) {
    ++g.duplicates;
    if (context_.trace) {
      history::JsonLine line(now, "queue_duplicate");
      line.str("node", context_.network.node_name(c.node))
          .str("component", spec_.name)
          .str("group", g.spec->name)
          .str("member", c.member)
          .integer("partition", partition)
          .integer("offset", entry.offset)
          .str("why", "delivered again: an earlier owner handled it but its commit did not get through");
      trace(line);
    }
  } else {
    fate[at] = kDelivered;
    ++g.delivered;
    g.delivery_lags_s.push_back(now - entry.appended_s);
  }
  return true;
}

void QueueModel::commit(Consumer& c, int partition, std::int64_t offset) {
  const Group& g = groups_[static_cast<std::size_t>(c.group)];
  auto m = std::make_unique<QueueCommit>();
  m->group = c.group;
  m->member = c.member;
  m->partition = partition;
  m->offset = offset;
  std::unique_ptr<Envelope> reply =
      c.rpc->call(brokers_[static_cast<std::size_t>(g.coordinator)].node, spec_.name,
                  engine::envelope(queue_kinds::commit, std::move(m), kSmallMessage),
                  sg4::Engine::get_clock() + g.spec->heartbeat_interval_s);
  // No answer, or refused: the next owner starts from the last commit that
  // got through, and handles the rest again.
  (void)reply;
}

} // namespace faultlab::model
