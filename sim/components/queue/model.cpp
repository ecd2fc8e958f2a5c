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

namespace {
constexpr std::int64_t kSmallMessage = 128; // a heartbeat, a commit, an answer without messages

std::string int_list(const std::vector<int>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + std::to_string(values[i]);
  return out + "]";
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}
} // namespace

int QueueModel::partition_for(const std::string& key, int partitions) {
  std::uint64_t h = 1469598103934665603ULL; // FNV-1a: the same on every machine
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return static_cast<int>(h % static_cast<std::uint64_t>(partitions));
}

QueueModel::QueueModel(const scenario::Queue& spec, Components& components, Context& context)
    : spec_(spec), context_(context) {
  const int n_brokers = static_cast<int>(spec_.brokers.size());
  for (const auto& name : spec_.brokers) {
    Broker b;
    b.node = context_.network.node_index(name);
    b.server = std::make_unique<Server>(context_, b.node, spec_.name);
    b.next_retention_s = spec_.retention_check_interval_s;
    brokers_.push_back(std::move(b));
  }
  for (const auto& t : spec_.topics) {
    Topic topic;
    topic.spec = &t;
    topic.partitions.resize(static_cast<std::size_t>(t.partitions));
    for (int p = 0; p < t.partitions; ++p) topic.partitions[static_cast<std::size_t>(p)].broker = p % n_brokers;
    topics_.push_back(std::move(topic));
  }
  for (std::size_t gi = 0; gi < spec_.groups.size(); ++gi) {
    const auto& g = spec_.groups[gi];
    Group group;
    group.spec = &g;
    for (std::size_t t = 0; t < spec_.topics.size(); ++t)
      if (spec_.topics[t].name == g.topic) group.topic = static_cast<int>(t);
    group.coordinator = static_cast<int>(gi) % n_brokers;
    const auto partitions = static_cast<std::size_t>(spec_.topics[static_cast<std::size_t>(group.topic)].partitions);
    group.committed.assign(partitions, 0);
    group.owner.assign(partitions, "");
    group.target.assign(partitions, "");
    group.fate.resize(partitions);
    groups_.push_back(std::move(group));
    targets_.push_back(g.deliver_to.empty() ? nullptr : &components.get<ServiceModel>(g.deliver_to));
    for (int i = 0; i < g.consumers; ++i) {
      auto c = std::make_unique<Consumer>();
      c->group = static_cast<int>(gi);
      c->index = i;
      c->node = context_.network.node_index(g.nodes[static_cast<std::size_t>(i) % g.nodes.size()]);
      const std::string port = spec_.name + "." + g.name + "#" + std::to_string(i + 1);
      c->process = std::make_unique<Server>(context_, c->node, port);
      c->rpc = std::make_unique<Rpc>(context_, c->node, port + ".out");
      c->beat_rpc = std::make_unique<Rpc>(context_, c->node, port + ".beat");
      c->rng = context_.rng("queue/" + spec_.name + "/" + port);
      consumers_.push_back(std::move(c));
    }
  }
}

void QueueModel::start() {
  for (std::size_t i = 0; i < brokers_.size(); ++i) {
    Broker* b = &brokers_[i];
    const int index = static_cast<int>(i);
    b->server->start([this, b, index] { serve(*b, index); },
                     [this, index] {
                       // Group membership lives in the coordinator's memory;
                       // the logs and the committed offsets are on its disk.
                       for (auto& g : groups_)
                         if (g.coordinator == index) {
                           g.members.clear();
                           std::fill(g.owner.begin(), g.owner.end(), "");
                           std::fill(g.target.begin(), g.target.end(), "");
                         }
                     });
  }
  for (auto& c : consumers_) {
    Consumer* consumer = c.get();
    consumer->process->start([this, consumer] { consume(*consumer); },
                             [consumer] {
                               consumer->rpc->reset();
                               consumer->beat_rpc->reset();
                             });
  }
}

void QueueModel::trace(history::JsonLine& line) {
  const double now = sg4::Engine::get_clock();
  context_.trace->add(now, line.done());
}

// ---------------------------------------------------------------- producers

CallAnswer QueueModel::call(Rpc& rpc, const CallRequest& request, double deadline_s) {
  CallAnswer answer;
  int topic = 0;
  const int topics = static_cast<int>(spec_.topics.size());
  while (topic < topics && spec_.topics[static_cast<std::size_t>(topic)].name != request.op) ++topic;
  FAULTLAB_INVARIANT(topic < topics, "a service publishes only to a topic of the queue (validation checked its op)");
  const auto& t = spec_.topics[static_cast<std::size_t>(topic)];
  auto produce = std::make_unique<QueueProduce>();
  produce->topic = topic;
  produce->partition = partition_for(request.key, t.partitions);
  produce->key = request.key;
  produce->produce_op = request.history_op;
  const Broker& broker =
      brokers_[static_cast<std::size_t>(topics_[static_cast<std::size_t>(topic)]
                                            .partitions[static_cast<std::size_t>(produce->partition)]
                                            .broker)];
  std::unique_ptr<Envelope> reply = rpc.call(
      broker.node, spec_.name,
      engine::envelope(queue_kinds::produce, std::move(produce), t.message_bytes + kSmallMessage, request.history_op),
      deadline_s);
  if (!reply) {
    answer.outcome = history::Outcome::info; // appended or not: the producer cannot tell
    answer.error = "timeout";
    return answer;
  }
  const auto& r = reply->payload_as<QueueProduceReply>();
  answer.node = context_.network.node_name(reply->from);
  answer.outcome = r.error.empty() ? history::Outcome::ok : history::Outcome::fail;
  answer.error = r.error;
  return answer;
}

// ------------------------------------------------------------------ brokers

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

// ---------------------------------------------------------------- consumers

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

void QueueModel::report(ModelStats& stats) const {
  auto& v = stats.values;
  v["queue_produced"] += static_cast<double>(produced_);
  for (const auto& g : groups_) {
    const Topic& topic = topics_[static_cast<std::size_t>(g.topic)];
    std::int64_t lost = g.lost, skipped = 0;
    for (std::size_t p = 0; p < g.committed.size(); ++p) {
      const auto& fate = g.fate[p];
      const std::int64_t log_start = topic.partitions[p].log_start;
      for (std::int64_t o = 0; o < std::max(g.committed[p], log_start); ++o) {
        const char f = static_cast<std::size_t>(o) < fate.size() ? fate[static_cast<std::size_t>(o)] : kPending;
        if (f != kPending) continue;
        // Deleted before anyone read it: lost; committed past without
        // being delivered: skipped (at most once).
        if (o < g.committed[p]) ++skipped;
        else ++lost;
      }
    }
    v["queue_delivered"] += static_cast<double>(g.delivered);
    v["queue_duplicates"] += static_cast<double>(g.duplicates);
    v["queue_lost"] += static_cast<double>(lost);
    v["queue_skipped"] += static_cast<double>(skipped);
    v["queue_commits_refused"] += static_cast<double>(g.commits_refused);
    v["queue_lag_max"] = std::max(v["queue_lag_max"], static_cast<double>(std::max(g.lag_max, lag(g))));
    v["queue_lag_end"] += static_cast<double>(lag(g));
    v["queue_delivery_lag_p50_s"] = std::max(v["queue_delivery_lag_p50_s"], percentile(g.delivery_lags_s, 0.50));
    v["queue_delivery_lag_p99_s"] = std::max(v["queue_delivery_lag_p99_s"], percentile(g.delivery_lags_s, 0.99));
    v["queue_delivery_lag_max_s"] = std::max(v["queue_delivery_lag_max_s"], percentile(g.delivery_lags_s, 1.0));
  }
}

void QueueProducerClient::perform(const ClientRequest& request) {
  const double start_s = now();
  const std::int64_t op =
      context_.recorder.invoke(start_s, request.session, spec_.name, request.f, request.key, std::nullopt);
  CallRequest call;
  call.op = request.f;
  call.key = request.key;
  call.caller = spec_.name;
  call.history_op = op;
  const double deadline_s = start_s + spec_.timeout_s;
  CallAnswer answer = queue_.call(rpc_, call, deadline_s);
  const double end_s = answer.outcome == history::Outcome::info ? deadline_s : now();
  context_.recorder.complete(op, end_s, answer.outcome, std::nullopt, answer.node, answer.error);
}

} // namespace faultlab::model
