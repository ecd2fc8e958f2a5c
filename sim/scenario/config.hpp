// The typed form of a scenario, after variants and --set overrides are
// applied and everything is validated. The engine and the models read only
// this; they never see JSON, so every value here is already known to be sane.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace faultlab::scenario {

struct Node {
  std::string name;
  std::string zone;
  double speed_flops = 1e9; // CPU speed; service times are executed as work on it
};

struct Topology {
  std::vector<Node> nodes; // in file order
  double default_latency_s = 0.001;
  // One-way latency between two zones / two nodes, symmetric. Keys are
  // ordered pairs (a <= b).
  std::map<std::pair<std::string, std::string>, double> zone_latency_s;
  std::map<std::pair<std::string, std::string>, double> pair_latency_s;
  double bandwidth_Bps = 125e6; // 1 Gbps

  const Node* find(const std::string& name) const;
  double latency_s(const std::string& a, const std::string& b) const;
};

// A delay drawn per event: fixed, uniform between two bounds, or exponential.
struct Distribution {
  enum class Kind { fixed, uniform, exponential };
  Kind kind = Kind::fixed;
  double a_s = 0.0; // fixed: value; uniform: min; exponential: mean
  double b_s = 0.0; // uniform: max
};

enum class ReadPolicy { primary, any_replica, nearest };

// When the primary answers a write: at once (asynchronous replication), or
// once a majority of the group has it.
enum class Ack { primary, majority };

// Leader failover. Off: the primary is fixed for the whole run.
struct Failover {
  bool enabled = false;
  double heartbeat_interval_s = 0.1;
  double election_timeout_s = 1.0; // each node waits a random time in [t, 2t)
  bool quorum = false;             // promotion needs a majority vote (one vote per term)
  std::optional<double> lease_s;   // the primary steps down without a majority's acks for this long
  // Where the primary checks its lease: only on its heartbeat timer (the
  // request path trusts a "leader" flag), or also before every request.
  bool lease_checked_on_request = false;
  // The clock the lease is measured with: the node's own monotonic clock,
  // which stops while the node is paused, or real time (a clock that keeps
  // counting through a pause, like CLOCK_BOOTTIME or a time service).
  bool lease_real_clock = false;
  bool fencing = false;            // replicas reject messages from an older term
};

// A primary and its asynchronous replicas holding a key-value store.
struct ReplicaGroup {
  std::string name;
  std::string primary;
  std::vector<std::string> replicas;
  Distribution lag;            // time from a write's commit on the primary to its apply on a replica
  ReadPolicy read_policy = ReadPolicy::primary;
  bool read_your_writes = false; // sessions carry their last write position
  Ack ack = Ack::primary;
  Failover failover;
  double service_time_s = 0.0001;
  std::int64_t message_bytes = 512;
};

struct RateStep {
  double at_s = 0.0;
  double rate_per_s = 0.0;
};

struct Client {
  std::string name;
  std::string node;
  std::string target; // a component name
  int sessions = 1;
  // Open-loop arrivals: a Poisson process whose rate follows these steps
  // (one step for a constant rate).
  std::vector<RateStep> rate_steps;
  double read_fraction = 0.5; // the rest are writes
  int key_count = 1;
  bool zipf = false;
  double zipf_s = 1.0;
  std::string key_prefix = "k";
  bool writes_to_own_key = false; // session i writes key i (a user's own profile)
  std::optional<double> reload_after_write_s; // re-read the key this long after an acknowledged write
  double timeout_s = 1.0;
};

struct Workload {
  double duration_s = 10.0;
  double settle_s = 2.0; // quiet time before the final reads
  bool final_reads = true;
  std::vector<Client> clients;
};

struct PartitionGroup {
  std::string name;
  std::vector<std::string> nodes;
};

struct Fault {
  enum class Type { partition, heal, drop, delay, crash, restart, pause };
  std::string name;
  Type type = Type::partition;
  double at_s = 0.0;
  std::optional<double> duration_s; // auto-undo after this long
  // partition
  std::vector<PartitionGroup> groups;
  std::optional<std::pair<std::string, std::string>> one_way; // (from group, to group)
  // heal: which partition (empty: all)
  std::string heals;
  // drop / delay: applies to messages to or from these nodes (empty: all)
  std::vector<std::string> nodes;
  double probability = 0.0;
  double extra_delay_s = 0.0;
  // crash / restart / pause
  std::string node;
};

const char* to_string(Fault::Type type);

struct Check {
  std::string name;
  double stale_bound_s = 0.0;
};

// "violations.<check>" or "metrics.<metric>" must lie within [min, max].
struct Expectation {
  std::string what;
  std::optional<double> min;
  std::optional<double> max;
};

struct Limits {
  std::int64_t max_ops = 2'000'000;
  std::int64_t max_trace_events = 20'000'000;
};

struct Scenario {
  std::string file;    // as given on the command line
  std::string name;    // file name without .json
  std::string variant; // "" for the base scenario
  std::string title;
  std::string lesson;
  std::string design; // what this variant's design is, in a sentence
  // For a facilitator (faultlab explain): what to point at in the viewer,
  // and questions to ask the room.
  std::vector<std::string> look_for;
  std::vector<std::string> questions;
  Topology topology;
  std::vector<ReplicaGroup> replica_groups;
  Workload workload;
  std::vector<Fault> faults; // sorted by time, then name
  std::vector<Check> checks;
  std::vector<Expectation> expect;
  std::vector<std::uint64_t> seeds;
  std::vector<std::string> variant_names; // every variant the file declares
  Limits limits;

  const ReplicaGroup* find_replica_group(const std::string& group) const;
};

} // namespace faultlab::scenario
