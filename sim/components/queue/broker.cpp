// The queue's brokers: the request loop (produce, fetch, heartbeat,
// commit), partition ownership, members' expiry, retention and lag samples.
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

std::string QueueModel::int_list(const std::vector<int>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + std::to_string(values[i]);
  return out + "]";
}

void QueueModel::serve(Broker& broker, int index) {
  // Timed work (members' expiry, retention, lag samples) runs in an actor of
  // its own on the broker's node, so the request loop never waits with a
  // timeout (a timed receive that expires while a message is on the wire
  // would lose that message).
  sg4::Actor::create(spec_.name + ".tick", sg4::this_actor::get_host(), [this, &broker, index] {
    daemonize_self();
    tick(broker, index);
  });
  broker.server->serve(spec_.service_time_s, [this, &broker, index](std::unique_ptr<Envelope> request) {
    handle(broker, index, std::move(request));
  });
}

void QueueModel::tick(Broker& broker, int index) {
  double tick_s = spec_.lag_sample_interval_s;
  for (const auto& g : groups_)
    if (g.coordinator == index) tick_s = std::min(tick_s, g.spec->heartbeat_interval_s);
  while (true) {
    sg4::this_actor::sleep_for(tick_s);
    const double now = sg4::Engine::get_clock();
    if (now >= broker.next_retention_s) {
      apply_retention(index);
      broker.next_retention_s = now + spec_.retention_check_interval_s;
    }
    expire_members(index);
    if (index == 0 && now >= next_lag_sample_s) {
      sample_lag();
      next_lag_sample_s = now + spec_.lag_sample_interval_s;
    }
  }
}

void QueueModel::handle(Broker& broker, int index, std::unique_ptr<Envelope> request) {
  const double now = sg4::Engine::get_clock();
  if (request->kind == queue_kinds::produce) {
    const auto& m = request->payload_as<QueueProduce>();
    Topic& topic = topics_[static_cast<std::size_t>(m.topic)];
    Partition& part = topic.partitions[static_cast<std::size_t>(m.partition)];
    auto reply = std::make_unique<QueueProduceReply>();
    if (!context_.queue_has_room(part.log.size())) {
      reply->error = "queue full: partition " + std::to_string(m.partition) + " holds " +
                     std::to_string(part.log.size()) + " messages (limits.max_queue)";
      broker.server->reply(*request, queue_kinds::produce_reply, std::move(reply), kSmallMessage);
      return;
    }
    // Written to the broker's disk before it is acknowledged.
    const double bytes = static_cast<double>(topic.spec->message_bytes);
    sg4::this_actor::get_host()->get_disks().front()->write(static_cast<sg_size_t>(bytes));
    const double appended_s = sg4::Engine::get_clock();
    if (part.segments.empty() || part.segments.back().bytes + bytes > topic.spec->segment_bytes)
      part.segments.push_back(Segment{part.log_end, 0, 0, appended_s});
    Segment& active = part.segments.back();
    ++active.count;
    active.bytes += bytes;
    active.newest_s = appended_s;
    part.bytes += bytes;
    part.log.push_back(QueueEntry{part.log_end, m.key, m.produce_op, appended_s});
    reply->offset = part.log_end++;
    ++produced_;
    FAULTLAB_INVARIANT(part.log_end - part.log_start == static_cast<std::int64_t>(part.log.size()),
                       "a partition's log holds every offset from its start to its end");
    broker.server->reply(*request, queue_kinds::produce_reply, std::move(reply), kSmallMessage);
    return;
  }
  if (request->kind == queue_kinds::fetch) {
    const auto& m = request->payload_as<QueueFetch>();
    const Topic& topic = topics_[static_cast<std::size_t>(m.topic)];
    const Partition& part = topic.partitions[static_cast<std::size_t>(m.partition)];
    auto reply = std::make_unique<QueueFetchReply>();
    reply->log_start = part.log_start;
    reply->log_end = part.log_end;
    if (m.offset < part.log_start) {
      reply->out_of_range = true;
    } else {
      for (std::int64_t o = m.offset; o < part.log_end && o < m.offset + m.max; ++o)
        reply->entries.push_back(part.log[static_cast<std::size_t>(o - part.log_start)]);
    }
    // A fetch of n messages carries n messages on the link.
    const std::int64_t size =
        kSmallMessage + static_cast<std::int64_t>(reply->entries.size()) * topic.spec->message_bytes;
    broker.server->reply(*request, queue_kinds::fetch_reply, std::move(reply), size);
    return;
  }
  if (request->kind == queue_kinds::heartbeat) {
    const auto& m = request->payload_as<QueueHeartbeat>();
    Group& g = groups_[static_cast<std::size_t>(m.group)];
    FAULTLAB_INVARIANT(g.coordinator == index, "a heartbeat goes to its group's coordinator");
    const bool joined = g.members.count(m.member) == 0;
    g.members[m.member] = now;
    if (joined) assign_targets(g);
    // What it let go of is free; what is free and meant for it is its own.
    // A partition changes hands only once its owner released it (after its
    // last commit) or left the group.
    bool changed = joined;
    for (int p : m.released)
      if (g.owner[static_cast<std::size_t>(p)] == m.member) g.owner[static_cast<std::size_t>(p)] = "", changed = true;
    for (std::size_t p = 0; p < g.owner.size(); ++p)
      if (g.owner[p].empty() && g.target[p] == m.member) g.owner[p] = m.member, changed = true;
    auto reply = std::make_unique<QueueHeartbeatReply>();
    for (std::size_t p = 0; p < g.owner.size(); ++p) {
      if (g.owner[p] != m.member) continue;
      if (g.target[p] != m.member) {
        reply->revoke.push_back(static_cast<int>(p));
        continue;
      }
      reply->owned.push_back(static_cast<int>(p));
      reply->committed.push_back(g.committed[p]);
    }
    if (changed) trace_owned(g, m.member, joined ? "joined the group" : "the group rebalanced");
    broker.server->reply(*request, queue_kinds::heartbeat_reply, std::move(reply), kSmallMessage);
    return;
  }
  if (request->kind == queue_kinds::commit) {
    const auto& m = request->payload_as<QueueCommit>();
    Group& g = groups_[static_cast<std::size_t>(m.group)];
    auto reply = std::make_unique<QueueCommitReply>();
    const auto p = static_cast<std::size_t>(m.partition);
    if (g.owner[p] == m.member) {
      g.committed[p] = m.offset;
    } else {
      ++g.commits_refused;
      reply->error = "commit refused: partition " + std::to_string(m.partition) + " is no longer owned by " +
                     m.member + " (the group rebalanced)";
      if (context_.trace) {
        history::JsonLine line(now, "queue_commit_refused");
        line.str("node", context_.network.node_name(broker.node))
            .str("component", spec_.name)
            .str("group", g.spec->name)
            .str("member", m.member)
            .integer("partition", m.partition)
            .integer("offset", m.offset)
            .integer("committed", g.committed[p])
            .str("why", reply->error + ": the messages from " + std::to_string(g.committed[p]) + " to " +
                            std::to_string(m.offset - 1) + " will be handled again by the next owner");
        trace(line);
      }
    }
    broker.server->reply(*request, queue_kinds::commit_reply, std::move(reply), kSmallMessage);
  }
}

// Range assignment over the live members, in name order (Kafka's range
// assignor): member i of m gets a contiguous run of the partitions.
void QueueModel::assign_targets(Group& g) {
  std::vector<std::string> members;
  for (const auto& [member, heard] : g.members) members.push_back(member);
  const std::size_t n = g.target.size();
  const std::size_t m = members.size();
  for (std::size_t p = 0; p < n; ++p) g.target[p] = "";
  if (m == 0) return;
  std::size_t p = 0;
  for (std::size_t i = 0; i < m; ++i) {
    const std::size_t share = n / m + (i < n % m ? 1 : 0);
    for (std::size_t k = 0; k < share; ++k) g.target[p++] = members[i];
  }
}

void QueueModel::trace_owned(const Group& g, const std::string& member, const std::string& why) {
  if (!context_.trace) return;
  std::vector<int> owned;
  for (std::size_t p = 0; p < g.owner.size(); ++p)
    if (g.owner[p] == member) owned.push_back(static_cast<int>(p));
  const double now = sg4::Engine::get_clock();
  history::JsonLine line(now, "queue_assign");
  line.str("node", context_.network.node_name(brokers_[static_cast<std::size_t>(g.coordinator)].node))
      .str("component", spec_.name)
      .str("group", g.spec->name)
      .str("member", member)
      .raw("partitions", int_list(owned))
      .integer("members", static_cast<std::int64_t>(g.members.size()))
      .str("why", why);
  trace(line);
}

void QueueModel::expire_members(int broker) {
  const double now = sg4::Engine::get_clock();
  for (auto& g : groups_) {
    if (g.coordinator != broker) continue;
    std::vector<std::string> gone;
    for (const auto& [member, heard] : g.members)
      if (now - heard > g.spec->session_timeout_s) gone.push_back(member);
    if (gone.empty()) continue;
    for (const auto& member : gone) {
      g.members.erase(member);
      std::vector<int> freed;
      for (std::size_t p = 0; p < g.owner.size(); ++p)
        if (g.owner[p] == member) g.owner[p] = "", freed.push_back(static_cast<int>(p));
      if (context_.trace) {
        history::JsonLine line(now, "queue_member_left");
        line.str("node", context_.network.node_name(brokers_[static_cast<std::size_t>(broker)].node))
            .str("component", spec_.name)
            .str("group", g.spec->name)
            .str("member", member)
            .raw("partitions", int_list(freed))
            .str("why", "no heartbeat for " + util::format_duration(g.spec->session_timeout_s) +
                            ": its partitions go to the other members");
        trace(line);
      }
    }
    assign_targets(g);
  }
}

void QueueModel::apply_retention(int broker) {
  const double now = sg4::Engine::get_clock();
  for (auto& topic : topics_)
    for (std::size_t p = 0; p < topic.partitions.size(); ++p) {
      Partition& part = topic.partitions[p];
      if (part.broker != broker) continue;
      std::int64_t segments = 0, messages = 0;
      std::string why;
      // Never the active segment: only whole closed ones go.
      while (part.segments.size() > 1) {
        const Segment& s = part.segments.front();
        const bool old = now - s.newest_s > topic.spec->retention_s;
        const bool big = topic.spec->retention_bytes > 0 && part.bytes - s.bytes >= topic.spec->retention_bytes;
        if (!old && !big) break;
        if (why.empty()) why = old ? "older than the retention time" : "the partition is over its retention size";
        for (std::int64_t i = 0; i < s.count; ++i) part.log.pop_front();
        part.log_start += s.count;
        part.bytes -= s.bytes;
        messages += s.count;
        ++segments;
        part.segments.pop_front();
      }
      if (segments == 0 || !context_.trace) continue;
      history::JsonLine line(now, "queue_retention");
      line.str("node", context_.network.node_name(brokers_[static_cast<std::size_t>(broker)].node))
          .str("component", spec_.name)
          .str("topic", topic.spec->name)
          .integer("partition", static_cast<std::int64_t>(p))
          .integer("segments", segments)
          .integer("messages", messages)
          .integer("log_start", part.log_start)
          .str("why", "deleted " + std::to_string(segments) + " segment(s), " + why);
      trace(line);
    }
}

std::int64_t QueueModel::lag(const Group& g) const {
  const Topic& topic = topics_[static_cast<std::size_t>(g.topic)];
  std::int64_t total = 0;
  for (std::size_t p = 0; p < g.committed.size(); ++p) total += topic.partitions[p].log_end - g.committed[p];
  return total;
}

// What a lag monitor (Burrow, a Grafana panel) would plot: per group, the
// messages appended that the group has not committed yet.
void QueueModel::sample_lag() {
  const double now = sg4::Engine::get_clock();
  for (auto& g : groups_) {
    const std::int64_t total = lag(g);
    g.lag_max = std::max(g.lag_max, total);
    if (!context_.trace) continue;
    const Topic& topic = topics_[static_cast<std::size_t>(g.topic)];
    std::string by_partition = "[";
    for (std::size_t p = 0; p < g.committed.size(); ++p)
      by_partition += (p ? "," : "") + std::to_string(topic.partitions[p].log_end - g.committed[p]);
    by_partition += "]";
    history::JsonLine line(now, "queue_lag");
    line.str("component", spec_.name)
        .str("group", g.spec->name)
        .integer("lag", total)
        .raw("by_partition", by_partition)
        .integer("members", static_cast<std::int64_t>(g.members.size()));
    trace(line);
  }
}

} // namespace faultlab::model
