// The profile of a finished run (`faultlab run --profile`): latency and
// error rate per user class (client group) and endpoint (an op's `f`), and
// the time each endpoint spent waiting on each dependency of a service.
//
// Everything comes from the history and the trace's message events (no
// timing code in the models). A dependency call is a message a service node
// sends for an op, paired with the answer that comes back to it:
//   start = the request's send, end = the answer's delivery.
// A call with no answer before the caller moves on (its next send for the
// same op) or before the op completes is "unanswered": its time runs until
// then, which is a lower bound of how long the dependency would have taken.
#pragma once

#include "history/op.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <iosfwd>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace faultlab::analysis {

// Nearest-rank percentile of ascending `sorted` values: the smallest value
// with at least p % of the values at or below it (0 when empty).
double nearest_rank(const std::vector<double>& sorted, double percent);

struct EndpointProfile {
  std::string client, endpoint;
  std::int64_t count = 0, ok = 0, fail = 0, info = 0;
  std::int64_t unfinished = 0; // info ops still waiting when the run ended (no latency)
  double error_rate = 0;       // (fail + info) / count
  // Over ops with a completion time: ok, fail and info. An info op's latency
  // is how long the client waited before giving up (its timeout).
  double p50_s = 0, p95_s = 0, p99_s = 0, max_s = 0;
  double total_s = 0; // summed latency, the base of a dependency's share
};

struct DependencyProfile {
  std::string client, endpoint;
  std::string dependency; // "<component>.<query>" or "<component> (<message kind>)"
  std::int64_t calls = 0, unanswered = 0;
  double total_s = 0, mean_s = 0, p99_s = 0;
  double share = 0; // total_s / the endpoint's total_s
};

struct Profile {
  std::vector<EndpointProfile> endpoints;      // by client, then endpoint
  std::vector<DependencyProfile> dependencies; // most total time first
};

// Reads trace event lines (in time order) and pairs dependency calls.
class ProfileBuilder {
public:
  // `header_nodes`: the trace header's "nodes" (which components each hosts).
  explicit ProfileBuilder(const nlohmann::json& header_nodes);
  void add_line(const std::string& line);
  // `client_groups`: the classes to report (final reads and other ops are left out).
  Profile finish(const history::History& history, const std::vector<std::string>& client_groups) const;

private:
  struct Call {
    std::string caller, callee, kind, detail;
    double start_s = 0, end_s = -1;
    bool answered = false;
    bool reply_sent = false;
    std::string pool;       // the pool it waited for a connection from, if it did
    double pool_wait_s = 0; // (the trace's pool_wait event, just before the send)
  };
  struct OpCalls {
    std::vector<Call> calls;
    std::map<std::string, std::vector<std::string>> serving; // node -> who it answers to
  };
  std::set<std::string> service_nodes_;
  std::map<std::string, std::string> component_of_; // node -> its first non-client component
  std::map<std::string, std::set<std::string>> components_on_;
  struct PoolWait {
    double t = 0;
    std::string pool;
    double waited_s = 0;
  };
  std::map<std::string, PoolWait> last_pool_wait_; // node -> its latest wait that got a connection
  std::map<std::int64_t, OpCalls> ops_;
  std::map<std::int64_t, std::pair<std::int64_t, std::size_t>> replies_; // msg id -> (op, call index)
};

nlohmann::ordered_json profile_json(const Profile& profile);
// The workshop block: a table, the top dependencies, the slowest pair.
void print_profile(std::ostream& out, const Profile& profile);

} // namespace faultlab::analysis
