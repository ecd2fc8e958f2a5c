// The queue's model: building it, producing (a service's call or a client
// group), and the summary metrics. The brokers are in broker.cpp, the
// consumers in consumer.cpp; model.hpp says how they work together.
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
