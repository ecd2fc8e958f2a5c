// The typed form of a scenario, after variants and --set overrides are
// applied and everything is validated. The engine and the models read only
// this; they never see JSON, so every value here is already known to be sane.
#pragma once

#include "check/checker.hpp"
#include "scenario/component.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace faultlab::scenario {

struct Node {
  std::string name;
  std::string zone;
  double speed_flops = 1e9; // CPU speed of one core; service times are executed as work on it
  // The rest of the machine, for components that use it (a database): cores
  // run that many computations at full speed at once; memory and disk size
  // are 0 when the scenario does not say (nothing is limited by them); the
  // disk's bandwidths are shared by every read or write on the node.
  int cores = 1;
  double memory_bytes = 0;
  double disk_bytes = 0;
  double disk_read_Bps = 500e6;
  double disk_write_Bps = 300e6;
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
  enum class Type { partition, heal, drop, delay, crash, restart, pause, duplicate, reorder, clock, slow_cpu, slow_disk, disk_fill };
  std::string name;
  Type type = Type::partition;
  double at_s = 0.0;
  std::optional<double> duration_s; // auto-undo after this long
  bool until_end = false;           // undone when the workload ends (duration_s is then set to that)
  // partition
  std::vector<PartitionGroup> groups;
  std::optional<std::pair<std::string, std::string>> one_way; // (from group, to group)
  // heal: which partition (empty: all)
  std::string heals;
  // drop / delay / duplicate / reorder: applies to messages to or from these nodes (empty: all)
  std::vector<std::string> nodes;
  double probability = 0.0;   // drop, duplicate, reorder: per message
  double extra_delay_s = 0.0; // delay: added to each message; reorder: the most a held-back message waits
  double jitter_s = 0.0;      // delay: plus a uniform draw in [0, jitter]
  // crash / restart / pause / clock / slow_cpu / slow_disk / disk_fill
  std::string node;
  // clock: the node's clock steps by offset_s at the start (and back at the
  // end) and runs (1 + drift) times as fast meanwhile
  double clock_offset_s = 0.0;
  double clock_drift = 0.0;
  // slow_cpu / slow_disk: the CPU or the disk runs `factor` times slower
  double factor = 1.0;
  // disk_fill: bytes that other files take on the node's disk (freed at the end)
  double fill_bytes = 0.0;
};

const char* to_string(Fault::Type type);

struct Check {
  std::string name;
  check::CheckOptions options; // what the checker takes, read from the scenario (and the components' facts)
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
  // Entries one queue inside a model may hold: a shard's backlog, the
  // waiters for a row lock or a lease, the messages held for a paused node.
  // Past it new entries are shed (counted in the summary as shed_queue_full,
  // or dropped with reason "queue full"), as a bounded queue would.
  std::int64_t max_queue = 100'000;
};

struct Scenario {
  std::string file;    // as given on the command line
  std::string name;    // file name without .json
  std::string variant; // "" for the base scenario
  std::vector<std::string> overrides; // the --set arguments applied, in order ("PATH=VALUE")
  // Set when the fault timeline is the one `faultlab explore` draws from this
  // seed (sim/explore/), replacing the file's own; the run seed is the same.
  std::optional<std::uint64_t> explore_seed;
  std::string title;
  std::string lesson;
  std::string design; // what this variant's design is, in a sentence
  // For a facilitator (faultlab explain): what to point at in the viewer,
  // and questions to ask the room.
  std::vector<std::string> look_for;
  std::vector<std::string> questions;
  Topology topology;
  // Every component, in file order. Specs are immutable once validated, so
  // copies of a Scenario share them.
  std::vector<std::shared_ptr<const ComponentSpec>> components;
  Workload workload;
  std::vector<Fault> faults; // sorted by time, then name
  std::vector<Check> checks;
  std::vector<Expectation> expect;
  std::vector<std::uint64_t> seeds;
  std::vector<std::string> variant_names; // every variant the file declares
  Limits limits;

  // The component named `name`, nullptr if there is none.
  const ComponentSpec* component(const std::string& component_name) const;
  // Its type name; "" when no component has this name.
  std::string component_type(const std::string& component_name) const;
  // The component named `name` if it is of type T, else nullptr.
  template <class T> const T* component_as(const std::string& component_name) const {
    return dynamic_cast<const T*>(component(component_name));
  }
  // Every component of type T, in file order.
  template <class T> std::vector<const T*> components_of() const {
    std::vector<const T*> found;
    for (const auto& c : components)
      if (const T* typed = dynamic_cast<const T*>(c.get())) found.push_back(typed);
    return found;
  }
  // Summary metrics the components' models add, in component order.
  std::vector<std::string> component_metric_names() const;
  // The names of every component whose type is `type`, in file order.
  std::vector<std::string> names_of_type(const std::string& type) const;
  template <class T> static const T* find_in(const std::vector<T>& list, const std::string& name) {
    for (const auto& item : list)
      if (item.name == name) return &item;
    return nullptr;
  }
};

} // namespace faultlab::scenario
