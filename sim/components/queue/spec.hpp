// A Kafka-like message queue: brokers holding topics, each topic split in
// partitions, each partition an append-only log of messages with offsets;
// producers (a service's endpoint calls the queue with the topic as its
// operation) append to the partition their key hashes to; consumer groups
// read each partition in order, one consumer of the group owning a
// partition at a time, and commit the offset they have processed up to.
// Retention deletes whole old segments of a log, by age or by size; a
// group whose committed offset fell behind the log start loses those
// messages. Delivery is at least once: a consumer fetches a batch, handles
// each message (CPU, then an optional call to a service's endpoint), and
// commits after the batch, so a crash between handling and commit means the
// next owner handles those messages again.
#pragma once

#include "scenario/component.hpp"
#include "scenario/config.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace faultlab::scenario {

struct Queue : ComponentSpec {
  struct Topic {
    std::string name;
    int partitions = 3;
    double retention_s = 7 * 86400.0;    // segments whose newest message is older are deleted; 0: no limit
    double retention_bytes = 0;          // per partition: oldest segments go while the log is larger; 0: no limit
    double segment_bytes = 1024.0 * 1024; // a segment is closed (and may be deleted) once this big
    std::int64_t message_bytes = 1024;   // one message on the wire and on disk
  };
  struct Group {
    enum class Commit { after_processing, before_processing };
    std::string name;
    std::string topic;
    std::vector<std::string> nodes; // where its consumers run, in turn
    int consumers = 0;              // consumer processes, spread over nodes (default: one per node)
    std::int64_t fetch_max = 100;   // messages per fetch at most
    double poll_interval_s = 0.1;   // wait after a fetch that brought nothing
    double work_s = 0.001;          // CPU per message on the consumer's node
    Commit commit = Commit::after_processing;
    double heartbeat_interval_s = 1.0;
    double session_timeout_s = 10.0; // a consumer not heard from for this long leaves the group
    // Where each message goes: a service's endpoint, called with the
    // message's key as its user ("" for none: the CPU work is the handling).
    std::string deliver_to;
    std::string deliver_op;
    double deliver_timeout_s = 1.0;
    double retry_backoff_s = 1.0; // after a failed delivery, before the message is tried again
  };
  std::vector<std::string> brokers; // partition p of a topic lives on brokers[p % n]
  std::vector<Topic> topics;
  std::vector<Group> groups;
  double service_time_s = 0.00005;        // broker CPU per request
  double retention_check_interval_s = 300; // how often a broker looks for segments to delete
  double lag_sample_interval_s = 1.0;      // how often consumer lag is traced (monitoring's view)

  const Topic* find_topic(const std::string& topic) const;

  std::vector<NodeRole> node_roles() const override;
  std::vector<std::string> client_ops() const override;
  std::vector<std::string> call_ops() const override; // the topics: a call publishes to one
  ClientRules client_rules() const override;
  void check_references(const Scenario& scenario, const Origin& origin) const override;
  void add_to_design(topo::Design& design, const Scenario& scenario) const override;
  std::string analyze_note() const override;
  std::vector<std::string> metric_names() const override;
  std::string report_line(const std::map<std::string, double>& metrics) const override;
};

// Reads one component of this type from `r` (its "type" already read).
std::shared_ptr<ComponentSpec> read_queue(const std::string& name, ObjectReader& r, const Topology& topology);

// The metrics the model reports, in order.
const std::vector<std::string>& queue_metric_names();

} // namespace faultlab::scenario

namespace faultlab::components {
// Registers the type: its scenario reader and its model.
void register_queue();
} // namespace faultlab::components
