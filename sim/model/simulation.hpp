// One run of a scenario on SimGrid: build the platform, start the
// components, the clients and the fault schedule, run to the end, and hand
// back what the clients observed plus the trace of everything that happened.
//
// SimGrid keeps global state, so there is one simulation per process: call
// simulate() at most once per process (the cli forks for verify and tests).
#pragma once

#include "analysis/saturation.hpp"
#include "history/op.hpp"
#include "history/trace_writer.hpp"
#include "scenario/config.hpp"

#include <memory>
#include <string>
#include <vector>

namespace faultlab::model {

struct RunOptions {
  std::uint64_t seed = 1;
  bool record_messages = true;            // message events in the trace (the bulk of it)
  bool record_events = true;              // false: nothing reads the trace, keep no event at all
  std::vector<std::string> simgrid_flags; // --log=... / --cfg=... passed to SimGrid
  std::string reproduce;                  // the command that repeats this run, printed if a model invariant fails
  bool saturation = false;                // measure each resource's busy share (RunOutput::resources)
};

struct RunOutput {
  std::int64_t shed_queue_full = 0; // requests shed by a full model queue (limits.max_queue)
  history::History history;
  std::unique_ptr<history::TraceWriter> trace;
  double sim_time_s = 0.0;
  std::uint64_t messages_sent = 0;
  std::uint64_t messages_delivered = 0;
  std::uint64_t messages_dropped = 0;
  // Measurements the models made beyond the history (summary "metrics").
  std::vector<std::pair<std::string, double>> model_metrics;
  std::int64_t refused_in_flight = 0; // requests refused at limits.max_in_flight
  // With RunOptions::saturation: every CPU, link with traffic and pool, over [0, sim_time_s].
  std::vector<analysis::ResourceUse> resources;

};

RunOutput simulate(const scenario::Scenario& scenario, const RunOptions& options);

} // namespace faultlab::model
