#include "model/load_balancer.hpp"

#include "model/invariant.hpp"

namespace faultlab::model {

int LoadBalancer::pick(const std::vector<int>& candidates, util::Rng& rng) {
  FAULTLAB_INVARIANT(!candidates.empty(), "a load balancer picks among at least one instance");
  const std::size_t n = candidates.size();
  switch (policy_) {
  case scenario::Service::Balancer::random: return candidates[rng.below(n)];
  case scenario::Service::Balancer::round_robin: return candidates[next_++ % n];
  case scenario::Service::Balancer::least_connections: {
    // Starting at the next one in turn, so ties spread instead of all
    // going to the first instance.
    const std::size_t start = next_++ % n;
    int best = candidates[start];
    for (std::size_t k = 1; k < n; ++k) {
      const int node = candidates[(start + k) % n];
      if (in_flight(node) < in_flight(best)) best = node;
    }
    return best;
  }
  }
  return candidates.front();
}

std::int64_t LoadBalancer::in_flight(int node) const {
  auto it = in_flight_.find(node);
  return it == in_flight_.end() ? 0 : it->second;
}

} // namespace faultlab::model
