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
  Distribution lag; // time from shipping an entry to its apply on a replica
  // How often the primary's WAL sender ships the entries written since its
  // last round; until then they are only on the primary. 0: each entry is
  // shipped the moment it is written (then `lag` runs from the commit).
  double ship_interval_s = 0.0;
  ReadPolicy read_policy = ReadPolicy::primary;
  bool read_your_writes = false; // sessions carry their last write position
  Ack ack = Ack::primary;
  Failover failover;
  double service_time_s = 0.0001;
  std::int64_t message_bytes = 512;
};

// A cache-aside cache in front of a database (a replica group). The
// application, not the cache, does the work: on a read it asks the cache,
// and on a miss reads the database and puts what it read into the cache; on
// a write it writes the database, then invalidates the cache entry.
struct Cache {
  enum class Invalidation { none, delete_key, update };
  // How a reader's fill is guarded: not at all; by version (the database's
  // log position the value was read at; an older one never replaces a newer
  // one or a newer delete); or by a lease the cache hands out on a miss and
  // a delete revokes (memcached's leases).
  enum class Fill { plain, versioned, lease };
  std::string name;
  std::string node;
  std::string database; // a replica_group component
  double ttl_s = 60.0;
  Invalidation invalidation = Invalidation::delete_key;
  Fill fill = Fill::plain;
  Distribution fill_delay;   // the application's work between reading the database and filling the cache
  double lease_wait_s = 0.02;    // lease: a reader told to wait sleeps this long, then asks again
  int lease_retries = 10;        // lease: after this many waits the reader reads the database without filling
  double lease_timeout_s = 2.0;  // lease: an unused lease lapses after this long
  double service_time_s = 0.00005;
  double timeout_s = 0.1; // the application's timeout for one cache request
  std::int64_t message_bytes = 512;
};

// A call an endpoint makes to one of its dependencies.
struct Call {
  enum class Fallback { none, fail_open, fallback_default };
  std::string name;
  std::string to;       // a component
  std::string op;       // "read" / "write" for stores; an endpoint name for a service
  std::string key;      // template: {user} is the session number
  double timeout_s = 0.5;
  int retries = 0;
  double backoff_s = 0.0;     // wait before the first retry
  double backoff_max_s = 1.0; // exponential: doubles per retry up to this
  bool jitter = false;        // "full jitter": a uniform draw in [0, backoff]
  Fallback fallback = Fallback::none;
};

struct Endpoint {
  std::string name;
  std::vector<Call> calls; // in file order, one after the other
};

// A stateless service: identical instances behind a load balancer, each
// request handled by calling the endpoint's dependencies in turn.
struct Service {
  std::string name;
  std::vector<std::string> instances; // nodes
  std::vector<Endpoint> endpoints;
  double work_s = 0.0005; // CPU work per request, on the instance's node
  std::int64_t message_bytes = 512;

  const Endpoint* find(const std::string& endpoint) const;
};

// Records spread over shard nodes by a placement rule; each shard is a
// single server with finite speed, so load beyond it queues.
struct ShardedStore {
  enum class Placement { hash, range, directory };
  enum class ShardKey { tenant, tenant_and_record, date };
  struct Shard {
    std::string name;
    std::string node;
  };
  std::string name;
  std::vector<Shard> shards; // in file order (range placement follows it)
  Placement placement = Placement::hash;
  ShardKey shard_key = ShardKey::tenant;
  double period_s = 10.0; // range on date: each shard holds this long a stretch of dates, in shard order
  // directory: tenants placed by hand (on one or several shards); the rest by hash.
  std::vector<std::pair<std::string, std::vector<int>>> directory;
  double service_time_s = 0.001;
  int records_per_tenant = 1000;
  std::int64_t message_bytes = 512;
};

// A stock table and the way buyers take a unit from it.
struct Inventory {
  enum class Buy { read_then_write, row_lock, conditional, lease_lock };
  std::string name;
  std::string node;
  std::vector<std::pair<std::string, std::int64_t>> items; // item -> units in stock, in file order
  Buy buy = Buy::read_then_write;
  Distribution think; // the shop's work between checking the stock and writing it
  std::string lock_service; // lease_lock
  bool fencing = false;     // lease_lock: the database refuses tokens older than one it has seen
  double service_time_s = 0.0002;
  double lock_timeout_s = 5.0; // row_lock: a lock held this long is broken (the holder is presumed dead)
  std::int64_t message_bytes = 256;
};

// A lock service that grants leases with a fencing token (increasing).
struct LockService {
  std::string name;
  std::string node;
  double lease_s = 1.0;
  double service_time_s = 0.0001;
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
  // The operations and their weights, in file order. For a store: read and
  // write; for a service: its endpoints; for an inventory: buy.
  std::vector<std::pair<std::string, double>> mix{{"read", 0.5}, {"write", 0.5}};
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
  double stale_bound_s = 0.0; // stale_read, stale_cache
  // availability, shard_skew
  double window_s = 5.0;
  std::int64_t min_window_ops = 10;
  double slo = 0.99;
  std::vector<std::pair<std::string, double>> endpoint_slo;
  double skew_bound = 2.0;
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
  // Requests being worked on at once, over all client groups and services.
  // Each is a SimGrid actor with a stack of its own, and beyond ~30,000 the
  // process runs out of memory mappings; past the limit a client refuses
  // new requests and a service sheds them, as a bounded pool would.
  std::int64_t max_in_flight = 10'000;
};

struct Scenario {
  std::string file;    // as given on the command line
  std::string name;    // file name without .json
  std::string variant; // "" for the base scenario
  std::vector<std::string> overrides; // the --set arguments applied, in order ("PATH=VALUE")
  std::string title;
  std::string lesson;
  std::string design; // what this variant's design is, in a sentence
  // For a facilitator (faultlab explain): what to point at in the viewer,
  // and questions to ask the room.
  std::vector<std::string> look_for;
  std::vector<std::string> questions;
  Topology topology;
  std::vector<ReplicaGroup> replica_groups;
  std::vector<Cache> caches;
  std::vector<Service> services;
  std::vector<ShardedStore> sharded_stores;
  std::vector<Inventory> inventories;
  std::vector<LockService> lock_services;
  Workload workload;
  std::vector<Fault> faults; // sorted by time, then name
  std::vector<Check> checks;
  std::vector<Expectation> expect;
  std::vector<std::uint64_t> seeds;
  std::vector<std::string> variant_names; // every variant the file declares
  Limits limits;

  const ReplicaGroup* find_replica_group(const std::string& group) const;
  // "replica_group", "cache", "service", "sharded_store", "inventory",
  // "lock_service"; "" when no component has this name.
  std::string component_type(const std::string& component) const;
  template <class T> static const T* find_in(const std::vector<T>& list, const std::string& name) {
    for (const auto& item : list)
      if (item.name == name) return &item;
    return nullptr;
  }
};

} // namespace faultlab::scenario
