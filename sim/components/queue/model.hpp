// The queue as SimGrid actors.
//
// Each broker node runs one server that takes requests in turn: a produce
// is written to the node's disk, then appended to its partition's log (so
// an acknowledged message survives a crash of the broker); a fetch returns
// up to `max` messages from an offset; a heartbeat or a commit goes to the
// group's coordinator (the broker group index mod brokers). Between
// requests the broker deletes old segments (retention) and, on the first
// broker, samples each group's lag (log end minus committed offset) for
// the trace, as a monitoring system would.
//
// Each consumer of a group is a process on one of the group's nodes with
// two actors: a heartbeat loop that tells the coordinator it is alive and
// learns which partitions it owns, and a fetch loop that reads them:
//
//   fetch a batch of the partition from its position;
//   for each message: spend `work` of CPU, call the deliver endpoint,
//     record a `deliver` op; stop at the first failure (tried again later);
//   commit the position reached.
//
// The coordinator gives each partition to one member at a time: a
// partition moves to its new owner only after the old owner let go of it
// (it learnt at a heartbeat that it should) or left the group (no
// heartbeat for `session_timeout`). A commit from a member that no longer
// owns the partition is refused, so what it handled since its last commit
// is handled again by the next owner: duplicates, at least once.
#pragma once

#include "components/queue/messages.hpp"
#include "components/queue/spec.hpp"
#include "history/json_line.hpp"
#include "model/callee.hpp"
#include "model/components.hpp"
#include "model/driver.hpp"
#include "model/rpc.hpp"
#include "model/server.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace faultlab::model {

class ServiceModel;

class QueueModel : public ComponentModel, public Callee {
public:
  QueueModel(const scenario::Queue& spec, Components& components, Context& context);
  void start() override;
  void report(ModelStats& stats) const override;
  // A service's call publishes one message: op is the topic, key the message's key.
  CallAnswer call(Rpc& rpc, const CallRequest& request, double deadline_s) override;
  const scenario::Queue& spec() const { return spec_; }

  // The partition a key goes to (FNV-1a of the key, mod the partitions).
  static int partition_for(const std::string& key, int partitions);

private:
  struct Segment {
    std::int64_t base = 0;  // its first offset
    std::int64_t count = 0; // messages in it
    double bytes = 0;
    double newest_s = 0; // when its last message was appended
  };
  struct Partition {
    int broker = 0;              // index in spec.brokers
    std::deque<QueueEntry> log;  // offsets log_start .. log_end - 1
    std::deque<Segment> segments; // the last one is the active segment
    std::int64_t log_start = 0;
    std::int64_t log_end = 0;
    double bytes = 0;
  };
  struct Topic {
    const scenario::Queue::Topic* spec = nullptr;
    std::vector<Partition> partitions;
  };
  static constexpr char kPending = 0, kDelivered = 1, kLost = 2;
  struct Group {
    const scenario::Queue::Group* spec = nullptr;
    int topic = 0;
    int coordinator = 0; // broker index
    std::vector<std::int64_t> committed; // per partition (survives a crash of the coordinator: it is on disk)
    std::vector<std::string> owner;      // per partition, "" for none (in the coordinator's memory)
    std::vector<std::string> target;     // per partition: the member it should go to
    std::map<std::string, double> members; // member -> last heartbeat; ordered by name, never by pointer
    // What happened to each message, per partition and offset (for the metrics).
    std::vector<std::vector<char>> fate;
    std::int64_t delivered = 0, duplicates = 0, lost = 0, commits_refused = 0, lag_max = 0;
    std::vector<double> delivery_lags_s; // append to first delivery
  };
  struct Consumer {
    int group = 0;
    int index = 0;
    int node = -1;
    std::unique_ptr<Server> process; // runs the fetch loop, again after each restart of the node
    std::unique_ptr<Rpc> rpc;        // fetches, commits and deliveries
    std::unique_ptr<Rpc> beat_rpc;   // heartbeats
    util::Rng rng{0};
    int life = 0;                // bumped at each start: a new member id
    std::string member;
    std::vector<int> owned;               // as the last heartbeat answered, revoked ones included
    std::map<int, std::int64_t> position; // next offset to fetch, per owned partition
    std::vector<int> revoking;            // owned, but to give up after the batch in hand
    std::vector<int> released;            // given up, to tell the coordinator at the next heartbeat
  };
  struct Broker {
    int node = -1;
    std::unique_ptr<Server> server;
    double next_retention_s = 0;
  };

  static constexpr std::int64_t kSmallMessage = 128; // a heartbeat, a commit, an answer without messages
  static std::string int_list(const std::vector<int>& values); // "[1,2,3]" for the trace

  // Broker side (broker.cpp).
  void serve(Broker& broker, int index);
  void handle(Broker& broker, int index, std::unique_ptr<engine::Envelope> request);
  void tick(Broker& broker, int index);
  void apply_retention(int broker);
  void expire_members(int broker);
  void sample_lag();
  void assign_targets(Group& group);
  void trace_owned(const Group& group, const std::string& member, const std::string& why);
  // Consumer side (consumer.cpp).
  void consume(Consumer& consumer);
  void heartbeat_loop(Consumer& consumer, int life);
  bool owns(const Consumer& consumer, int partition) const;
  bool deliver(Consumer& consumer, int partition, const QueueEntry& entry);
  void commit(Consumer& consumer, int partition, std::int64_t offset);
  std::int64_t lag(const Group& group) const;
  void trace(history::JsonLine& line);

  const scenario::Queue& spec_;
  Context& context_;
  std::vector<Broker> brokers_;
  std::vector<Topic> topics_;
  std::vector<Group> groups_;
  std::vector<std::unique_ptr<Consumer>> consumers_;
  std::vector<const ServiceModel*> targets_; // per group: where it delivers (nullptr: nowhere)
  std::int64_t produced_ = 0;
  double next_lag_sample_s = 0;
};

// A client group that publishes straight to a topic: one message per
// request (op: the topic, key: the request's key).
class QueueProducerClient : public ClientDriver {
public:
  QueueProducerClient(const scenario::Client& spec, Context& context, int node, util::Rng& rng, QueueModel& queue)
      : ClientDriver(spec, context, node, rng), queue_(queue) {}
  void perform(const ClientRequest& request) override;

private:
  QueueModel& queue_;
};

} // namespace faultlab::model
