// Recovery: for each fault of a run, how long the system took to be healthy
// again, judged by signals the history and the trace support:
//
//   availability  the clients' requests succeed again: in every sliding
//                 window of `window_s` (by invoke time, started every
//                 `step_s`), each endpoint (an op's `f`) with at least
//                 `min_window_ops` requests has its SLO's share of them ok
//                 (the scenario's availability check's SLO, else 99 %);
//   leader        every replica group has exactly one primary on a node that
//                 is up and not paused;
//   replicas      every replica-group member that is not down has applied
//                 everything the (single) primary had applied when the fault
//                 ended;
//   database      every database serves statements again (a statement ended
//                 ok, or its standby was promoted, after an out-of-memory
//                 crash, a full disk, or its node going down or pausing).
//
// Each signal also says when the fault first harmed it (impact) and how
// long that harm lasted (outage), from the fault's own start: a design that
// fails over mends itself during a long fault, which the time after the
// end alone would not show.
//
// Recovery from a fault is measured from its end (for an instantaneous
// fault, heal or restart, and for one that never ends, from its start) to
// the first moment the signal is healthy and stays so for `hold_s` (the
// replicas signal: the first moment they are caught up). A fault after
// which that never happens before the run ends has no number (nullopt),
// never a made-up one. Faults whose effects overlap are measured together:
// two faults overlap when one starts before the other has ended, or before
// the system recovered from it; each is then measured from the end of the
// last of them, and lists the others.
//
// The analysis reads only the trace's lines and the history, so it judges
// a run as a trace file describes it. It never includes SimGrid.
#pragma once

#include "history/op.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultlab::analysis {

struct RecoveryOptions {
  double window_s = 1.0;             // availability: the length of a window
  double step_s = 0.1;               // availability: a window starts every step
  std::int64_t min_window_ops = 5;   // availability: fewer requests of an endpoint in a window say nothing
  double slo = 0.99;                 // availability: the share of ok requests per endpoint and window
  std::map<std::string, double> endpoint_slo;
  double hold_s = 1.0;               // healthy this long to count as recovered
  std::vector<std::string> client_groups; // whose ops count (empty: every op)
};

// What the analysis keeps of a trace: the faults, node statuses, replica
// groups' roles and positions, databases' incidents and served statements.
class TraceFacts {
public:
  // `header_nodes`: the trace header's "nodes" (each with its "components",
  // or version 1 "roles"), which says which nodes form each replica group
  // and which run each database.
  explicit TraceFacts(const nlohmann::json& header_nodes);
  // One trace line (an event, compact JSON as faultlab writes it), in the
  // order they were recorded; lines about anything else are ignored.
  void add_line(std::string_view line);

  struct Event {
    double t = 0;
    std::size_t seq = 0;
    enum Kind { fault_start, fault_end, node_status, role, applied, discard, db_stop, db_promoted, db_served } kind;
    std::string name;      // fault: its name; node_status: the status; role: the role
    std::string type;      // fault: its type
    std::string node;      // the node it is about
    std::string component; // role, applied, discard, db_*: the component
    std::string heals;     // a heal: the partition it heals ("" all)
    std::int64_t position = 0; // applied: the position; discard: the position thrown away
  };
  const std::vector<Event>& events() const { return events_; } // in recording order
  const std::map<std::string, std::vector<std::string>>& groups() const { return groups_; }
  const std::map<std::string, std::string>& databases() const { return databases_; } // component -> its node

private:
  std::vector<Event> events_;
  std::size_t next_seq_ = 0;
  std::map<std::string, std::vector<std::string>> groups_; // replica group -> member nodes
  std::map<std::string, std::string> databases_;
};

// Every signal, in the order entries list them.
inline const char* const kSignalNames[] = {"availability", "leader", "replicas", "database"};

struct SignalRecovery {
  std::string signal; // availability, leader, replicas, database
  // Seconds from `from_s` until healthy again; nullopt: not before the run ended.
  std::optional<double> recovered_s;
  // Seconds from the fault's own start to the first moment the signal was
  // unhealthy (before it recovered); nullopt: it never was.
  std::optional<double> impact_s;
  // How long that first harm lasted: from it to the first moment the signal
  // was healthy (for the hold) again, during the fault (a failover) or after
  // it. 0 when there was no harm; nullopt when it never was healthy again.
  std::optional<double> outage_s = 0.0;
};

struct Recovery {
  std::string fault, type, node;
  double start_s = 0;
  std::optional<double> end_s;  // nullopt: it never ended (a crash nobody restarted)
  double from_s = 0;            // where recovery is measured from
  std::string from;             // "end", "start" (instantaneous, or never ended), or "end of <fault>"
  std::vector<std::string> overlaps; // faults measured together with this one
  std::vector<SignalRecovery> signals; // only the signals this design has
};

// `workload_end_s`: when clients stop (the availability windows end there);
// `run_end_s`: the end of the run (the other signals are followed until then).
std::vector<Recovery> analyze_recovery(const history::History& history, const TraceFacts& facts,
                                       const RecoveryOptions& options, double workload_end_s, double run_end_s);

// The summary's "recovery" list (README "Summary").
nlohmann::ordered_json recovery_json(const std::vector<Recovery>& recoveries);

// Trace lines: one "recovered" event per fault and signal, at the moment it
// recovered (or, never recovered, at `run_end_s` with "after_s": null).
struct RecoveredEvent {
  double t;
  std::string line;
};
std::vector<RecoveredEvent> recovered_events(const std::vector<Recovery>& recoveries, double run_end_s);

} // namespace faultlab::analysis
