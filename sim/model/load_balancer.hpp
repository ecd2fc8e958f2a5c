// The load balancer in front of a service's instances: how a request picks
// an instance, and how many requests it has sent to each that are not yet
// answered (what it "sees" of an instance's load).
//
//  - random: a uniform draw (what faultlab did before the policies were
//    there; the default, so older traces stay the same);
//  - round_robin: the instances in rotation in turn;
//  - least_connections: the instance with the fewest requests in flight as
//    the balancer counts them (sent, not yet answered or given up on); ties
//    go to the next one in turn, as nginx's least_conn does.
//
// The counts are the balancer's own: it knows nothing of what an instance
// does with a request, only that it has not answered yet.
#pragma once

#include "components/service/spec.hpp"
#include "util/rng.hpp"

#include <cstdint>
#include <map>
#include <vector>

namespace faultlab::model {

class LoadBalancer {
public:
  explicit LoadBalancer(scenario::Service::Balancer policy) : policy_(policy) {}

  // One of `candidates` (the nodes in rotation, in the service's order).
  int pick(const std::vector<int>& candidates, util::Rng& rng);
  std::int64_t in_flight(int node) const;

  // Counts a request to `node` from its sending until it goes out of scope
  // (an answer, a timeout, or the caller's actor killed).
  class InFlight {
  public:
    InFlight(LoadBalancer& balancer, int node) : balancer_(balancer), node_(node) { ++balancer_.in_flight_[node_]; }
    ~InFlight() { --balancer_.in_flight_[node_]; }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

  private:
    LoadBalancer& balancer_;
    int node_;
  };

private:
  scenario::Service::Balancer policy_;
  std::uint64_t next_ = 0;                // round robin's turn
  std::map<int, std::int64_t> in_flight_; // by node index
};

} // namespace faultlab::model
