// A replica group: a primary and its replicas holding a key-value store
// (a database, or a Redis), with replication lag, read policies and
// optional failover.
#pragma once

#include "scenario/component.hpp"
#include "scenario/config.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace faultlab::scenario {

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
  // which stops while the node is paused (and runs fast or slow with a clock
  // fault's drift); real time (a clock that keeps counting through a pause,
  // like CLOCK_BOOTTIME or a time service); or the node's wall clock, which
  // also follows a clock fault's steps (an NTP correction, an operator
  // setting the date) — a lease measured on it can last too long.
  enum class LeaseClock { local, real, wall };
  LeaseClock lease_clock = LeaseClock::local;
  bool fencing = false;            // replicas reject messages from an older term
};

// A primary and its asynchronous replicas holding a key-value store.
struct ReplicaGroup : ComponentSpec {
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

  std::vector<NodeRole> node_roles() const override;
  std::vector<std::string> client_ops() const override;
  std::vector<std::string> call_ops() const override { return client_ops(); }
  ClientRules client_rules() const override;
  void add_to_design(topo::Design& design, const Scenario& scenario) const override;
  topo::Endpoint endpoint_for(const std::string& op, const Scenario& scenario) const override;
  // Replicas may serve reads: what `analyze` treats as a component of its own.
  bool replicas_serve_reads() const { return read_policy != ReadPolicy::primary && !replicas.empty(); }
};

// Reads one component of this type from `r` (its "type" already read).
std::shared_ptr<ComponentSpec> read_replica_group(const std::string& name, ObjectReader& r, const Topology& topology);

} // namespace faultlab::scenario

namespace faultlab::components {
// Registers the type: its scenario reader, its model and its client driver.
void register_replica_group();
} // namespace faultlab::components
