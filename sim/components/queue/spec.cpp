#include "components/queue/spec.hpp"

#include "scenario/read_helpers.hpp"
#include "util/input_error.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <cstdio>

namespace faultlab::scenario {

using namespace detail; // the shared readers (read_helpers.hpp)
using util::quote;

namespace {

constexpr int kMaxPartitions = 1000;
constexpr int kMaxConsumers = 1000;

Queue::Topic read_topic(const std::string& name, ObjectReader& r) {
  r.describe({{"partitions", "how many logs the topic is split in; a message goes to the one its key hashes to"},
              {"retention", "{time, bytes}: old segments are deleted once older than time, or while a partition "
                            "holds more than bytes"},
              {"segment_size", "a partition's log is kept in segments of this size; only whole, closed segments "
                               "are deleted"},
              {"message_size", "one message, on the wire and on the broker's disk"}});
  check_name(r.origin(), name, r.pointer());
  Queue::Topic t;
  t.name = name;
  t.partitions = static_cast<int>(r.integer_or("partitions", t.partitions, 1, kMaxPartitions));
  if (r.find("retention")) {
    ObjectReader ret = r.object("retention");
    ret.describe({{"time", "a closed segment whose newest message is older than this is deleted (default 7d)"},
                  {"bytes", "per partition: the oldest closed segments are deleted while the log is larger "
                            "(default: no limit)"}});
    t.retention_s = positive_duration(ret, "time", t.retention_s, "a retention time");
    t.retention_bytes = read_size(ret, "bytes", 0);
    ret.finish();
  }
  t.segment_bytes = read_size(r, "segment_size", t.segment_bytes);
  t.message_bytes = read_message_size(r, t.message_bytes);
  if (!r.probing() && t.segment_bytes < static_cast<double>(t.message_bytes))
    r.origin().fail("bad-value", r.child("segment_size"),
                    "a segment of " + util::format_bytes(t.segment_bytes) + " cannot hold one message of " +
                        util::format_bytes(static_cast<double>(t.message_bytes)));
  if (!r.probing() && t.retention_bytes > 0 && t.retention_bytes < t.segment_bytes)
    r.origin().fail("bad-value", r.child("retention") + "/bytes",
                    "retention of " + util::format_bytes(t.retention_bytes) + " is smaller than one segment (" +
                        util::format_bytes(t.segment_bytes) +
                        "): only whole closed segments are deleted, so it would never act");
  r.finish();
  return t;
}

Queue::Group read_group(const std::string& name, ObjectReader& r, const Queue& queue, const Topology& topology) {
  r.describe({{"topic", "the topic it reads"},
              {"nodes", "the nodes its consumers run on, in turn"},
              {"consumers", "consumer processes in the group (default: one per node); each partition is owned by "
                            "one of them at a time"},
              {"fetch_max", "messages one fetch brings at most (the batch handled before a commit)"},
              {"poll_interval", "how long a consumer waits after a fetch that brought nothing"},
              {"work", "CPU time a consumer spends on each message"},
              {"commit", "after_processing (at least once: a crash before the commit handles the batch again) "
                         "or before_processing (at most once: a crash loses the rest of the batch)"},
              {"heartbeat_interval", "how often a consumer tells the group coordinator it is alive"},
              {"session_timeout", "a consumer not heard from for this long leaves the group; its partitions go "
                                  "to the others"},
              {"deliver", "{to, op, timeout, retry_backoff}: the service endpoint each message is sent to"}});
  check_name(r.origin(), name, r.pointer());
  Queue::Group g;
  g.name = name;
  g.topic = r.string("topic");
  if (!r.probing() && queue.find_topic(g.topic) == nullptr) {
    std::vector<std::string> names;
    for (const auto& t : queue.topics) names.push_back(t.name);
    r.origin().fail("unknown-field", r.child("topic"),
                    quote(g.topic) + " is not a topic of this queue (topics: " + join(names) + ")");
  }
  g.nodes = read_node_list(r, topology, "nodes", r.probing());
  g.consumers = static_cast<int>(
      r.integer_or("consumers", std::max<long long>(1, static_cast<long long>(g.nodes.size())), 1, kMaxConsumers));
  g.fetch_max = r.integer_or("fetch_max", g.fetch_max, 1, 100'000);
  g.poll_interval_s = positive_duration(r, "poll_interval", g.poll_interval_s, "a poll interval");
  g.work_s = r.duration_s_or("work", g.work_s);
  g.commit = r.choice("commit", {"after_processing", "before_processing"}, "after_processing") == "before_processing"
                 ? Queue::Group::Commit::before_processing
                 : Queue::Group::Commit::after_processing;
  g.heartbeat_interval_s = positive_duration(r, "heartbeat_interval", g.heartbeat_interval_s, "a heartbeat interval");
  g.session_timeout_s = positive_duration(r, "session_timeout", g.session_timeout_s, "a session timeout");
  if (!r.probing() && g.session_timeout_s <= g.heartbeat_interval_s)
    r.origin().fail("bad-value", r.child("session_timeout"),
                    "expected a session timeout longer than heartbeat_interval (" +
                        util::format_duration(g.heartbeat_interval_s) +
                        "), or a healthy consumer leaves the group between two heartbeats");
  if (r.find("deliver")) {
    ObjectReader d = r.object("deliver");
    d.describe({{"to", "a service"},
                {"op", "the endpoint called for each message, with the message's key as the user"},
                {"timeout", "how long a consumer waits for the endpoint's answer"},
                {"retry_backoff", "after a failed delivery, the wait before the message is tried again"}});
    g.deliver_to = d.string("to");
    g.deliver_op = d.string("op");
    g.deliver_timeout_s = positive_duration(d, "timeout", g.deliver_timeout_s, "a timeout");
    g.retry_backoff_s = positive_duration(d, "retry_backoff", g.retry_backoff_s, "a backoff");
    d.finish();
  }
  r.finish();
  return g;
}

} // namespace

const Queue::Topic* Queue::find_topic(const std::string& topic) const {
  for (const auto& t : topics)
    if (t.name == topic) return &t;
  return nullptr;
}

const std::vector<std::string>& queue_metric_names() {
  static const std::vector<std::string> names{
      "queue_produced",          "queue_delivered",           "queue_duplicates",
      "queue_lost",              "queue_skipped",             "queue_commits_refused",
      "queue_lag_max",           "queue_lag_end",             "queue_delivery_lag_p50_s",
      "queue_delivery_lag_p99_s", "queue_delivery_lag_max_s"};
  return names;
}

std::shared_ptr<ComponentSpec> read_queue(const std::string& name, ObjectReader& r, const Topology& topology) {
  r.describe({{"brokers", "the broker nodes; partition p of a topic lives on broker p mod their number"},
              {"topics", "{name: {partitions, retention, segment_size, message_size}}"},
              {"consumer_groups", "{name: {topic, nodes, consumers, fetch_max, poll_interval, work, commit, "
                                  "heartbeat_interval, session_timeout, deliver}}"},
              {"retention_check_interval", "how often a broker looks for segments to delete (Kafka: 5 minutes)"},
              {"lag_sample_interval", "how often each group's lag is traced, as a monitoring system samples it"}});
  auto spec = std::make_shared<Queue>();
  Queue& q = *spec;
  q.name = name;
  q.type = "queue";
  // (A schema probe reads an empty object: let it go on to the metrics.)
  q.brokers = read_node_list(r, topology, "brokers", r.probing());
  for (auto& [topic, tr] : r.members("topics")) q.topics.push_back(read_topic(topic, tr));
  if (q.topics.empty() && !r.probing()) r.origin().fail("missing-field", r.child("topics"), "a queue needs at least one topic");
  for (auto& [group, gr] : r.members("consumer_groups")) q.groups.push_back(read_group(group, gr, q, topology));
  q.service_time_s = r.duration_s_or("service_time", q.service_time_s);
  q.retention_check_interval_s =
      positive_duration(r, "retention_check_interval", q.retention_check_interval_s, "an interval");
  q.lag_sample_interval_s = positive_duration(r, "lag_sample_interval", q.lag_sample_interval_s, "an interval");
  return spec;
}

std::vector<NodeRole> Queue::node_roles() const {
  std::vector<NodeRole> roles;
  for (const auto& b : brokers) roles.push_back({b, "broker"});
  for (const auto& g : groups)
    for (const auto& n : g.nodes)
      if (std::none_of(roles.begin(), roles.end(), [&](const NodeRole& x) { return x.node == n; }))
        roles.push_back({n, "consumer"});
  return roles;
}

// A client group may publish straight to a topic too (a producer program):
// its mix names topics, its keys are the messages' keys.
std::vector<std::string> Queue::client_ops() const {
  return call_ops();
}

std::vector<std::string> Queue::call_ops() const {
  std::vector<std::string> ops;
  for (const auto& t : topics) ops.push_back(t.name);
  return ops;
}

ClientRules Queue::client_rules() const {
  ClientRules rules;
  rules.default_key_prefix = "key-";
  return rules;
}

void Queue::check_references(const Scenario& scenario, const Origin& origin) const {
  if (origin.probe != nullptr) return; // a schema probe names no real components
  for (const auto& g : groups) {
    if (g.deliver_to.empty()) continue;
    const std::string at = pointer_append(pointer_append("/components", name) + "/consumer_groups", g.name) + "/deliver";
    const ComponentSpec* target = scenario.component(g.deliver_to);
    if (target == nullptr || target->type != "service")
      origin.fail("unknown-component", at + "/to",
                  quote(g.deliver_to) + " is not a service of this scenario (services: " +
                      [&] {
                        const auto names = scenario.names_of_type("service");
                        return names.empty() ? std::string("none") : join(names);
                      }() +
                      ")");
    const std::vector<std::string> ops = target->call_ops();
    if (std::find(ops.begin(), ops.end(), g.deliver_op) == ops.end())
      origin.fail("bad-value", at + "/op",
                  quote(g.deliver_op) + " is not an endpoint of " + quote(g.deliver_to) + " (endpoints: " + join(ops) +
                      ")");
  }
}

void Queue::add_to_design(topo::Design& design, const Scenario& scenario) const {
  (void)scenario;
  // Producers need the brokers of the partitions they write: all of them,
  // since keys spread over every partition.
  design.components.push_back(topo::Component{name, type, brokers, topo::Needs::all, {}});
}

std::string Queue::analyze_note() const {
  return "producers need every broker (a partition lives on one, without replicas); consumers read at their own "
         "pace: when they or what they deliver to are down, consumer lag grows instead of requests failing";
}

std::vector<std::string> Queue::metric_names() const {
  return queue_metric_names();
}

std::string Queue::report_line(const std::map<std::string, double>& metrics) const {
  auto value = [&](const char* metric) {
    auto it = metrics.find(metric);
    return it == metrics.end() ? 0.0 : it->second;
  };
  char line[512];
  std::snprintf(line, sizeof line,
                "queues: %.0f produced, %.0f delivered (%.0f duplicates), %.0f lost to retention, %.0f skipped; "
                "consumer lag at most %.0f messages, %.0f at the end; delivery lag p50 %s, p99 %s, max %s",
                value("queue_produced"), value("queue_delivered"), value("queue_duplicates"), value("queue_lost"),
                value("queue_skipped"), value("queue_lag_max"), value("queue_lag_end"),
                util::format_duration(value("queue_delivery_lag_p50_s")).c_str(),
                util::format_duration(value("queue_delivery_lag_p99_s")).c_str(),
                util::format_duration(value("queue_delivery_lag_max_s")).c_str());
  return line;
}

} // namespace faultlab::scenario
