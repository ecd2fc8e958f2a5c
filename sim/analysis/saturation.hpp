// The saturation report (`faultlab run --saturation`, `faultlab sweep
// --saturation`): how busy each resource of the system was over a run, and
// which ones were saturated.
//
// The model measures (model/saturation.hpp): each node's CPU (the flops its
// SimGrid executions computed over the flops its cores could have computed
// in the run's time), each link's bytes as the network layer sent them over
// its bandwidth, and each service's connection pools from the
// service model itself (connections in use and calls waiting for one, time
// weighted). This file judges and prints them, and finds the first resource
// to saturate in a sweep; it knows nothing of SimGrid.
//
// A resource is saturated when it was busy at least kSaturatedAt (90 %) of
// its capacity over the run, or (a pool) a queue formed: on average at
// least one call was waiting for a connection, or a call gave up waiting.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace faultlab::analysis {

constexpr double kSaturatedAt = 0.9;

struct ResourceUse {
  std::string id;         // "cpu:db-1", "pool:app.db", "link:app-1<->db-1"
  std::string kind;       // "cpu", "pool", "link"
  std::string capacity;   // "4 cores", "3 x 20 connections", "125 MB/s"
  double utilization = 0; // busy share of the capacity over the run, 0..1
  // Pools only: most connections in use at once, the mean and the most
  // calls waiting for one, and the calls that gave up waiting.
  std::int64_t peak_in_use = 0;
  double mean_waiting = 0;
  std::int64_t max_waiting = 0;
  std::int64_t wait_timeouts = 0;
  bool saturated = false;
  std::string why; // why it counts as saturated ("" when it does not)
};

struct Saturation {
  double measured_s = 0;              // the run's simulated time, over which the shares are taken
  std::vector<ResourceUse> resources; // busiest first after judge()
};

// Marks the saturated resources (and why) and sorts the busiest first
// (ties: by id).
void judge(Saturation& saturation);

nlohmann::ordered_json saturation_json(const Saturation& saturation);
// Reads what saturation_json wrote back (the sweep's children send it).
std::vector<ResourceUse> resources_from_json(const nlohmann::json& resources);
// The report's block: one row per resource (links: only the busiest few).
void print_saturation(std::ostream& out, const Saturation& saturation);

// The sweep's verdict. One point per combination of parameter values, in
// the sweep's order; `resources` holds every seed's measurements at it.
struct SweepPoint {
  std::string label; // "workload.clients.shoppers.arrival.rate_per_s=400"
  std::vector<std::vector<ResourceUse>> seeds;
};
// The lines printed after a sweep: the first resource to saturate and
// where, the ones after it, and the ones that never did (with their
// highest share), so a planner sees what needs to change and what does not.
std::vector<std::string> sweep_saturation_lines(const std::vector<SweepPoint>& points);

} // namespace faultlab::analysis
