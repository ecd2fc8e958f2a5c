// Accumulates events while a trace is read, then sorts and indexes them
// (lanes, per-lane arrays, op rows, violation windows) in finish().
#pragma once

#include "trace_model/trace.hpp"

#include <map>
#include <string>
#include <unordered_map>

namespace faultlab::viz {

class TraceBuilder {
public:
  explicit TraceBuilder(std::string name);

  void set_header(TraceHeader h);
  LaneId node_lane(const std::string& name);
  LaneId client_lane(const std::string& name);
  std::uint16_t message_kind(const std::string& kind);
  std::uint16_t drop_reason(const std::string& reason);

  void invoke(Op op);
  Op* open_op(std::int64_t id);
  Message* send(Message m);
  Message* open_message(std::int64_t id);
  void close_message(std::int64_t id);
  void state(StateEvent s) {
    if (!open_lock_waits_.empty()) end_lock_waits_of(s.component, s.t_s, s.why);
    t_.states.push_back(std::move(s));
    ++t_.event_count;
  }
  void node_status(LaneId lane, const std::string& status, double t_s);
  void start_fault(Fault f, bool lasting);
  void end_fault(const Fault& f, double t_s);
  void violation(Violation v) {
    t_.violations.push_back(std::move(v));
    ++t_.event_count;
  }
  void recovered(Recovered r) {
    t_.recoveries.push_back(std::move(r));
    ++t_.event_count;
  }
  void ignored_event() { ++t_.ignored_events; }
  // The database's events (builder_database.cpp). A lock wait stays open
  // until its statement ends: end_lock_waits() with the same component and who.
  void lock_wait(LockWait w);
  void end_lock_waits(const std::string& component, const std::string& who, double t_s, LockWait::End end,
                      const std::string& ended, std::int64_t query);
  void query(QueryEvent q);
  void pool_wait(PoolWait p) {
    t_.pool_waits.push_back(std::move(p));
    ++t_.event_count;
  }
  void level(const std::string& component, const LevelSample& s);
  // A scheduler's job events: a run opens at its start and closes at its end.
  void job_start(JobRun r);
  void job_end(const std::string& component, const std::string& job, std::int64_t run, double t_s,
               const JobRun& counts);
  void alert(AlertEvent a) {
    t_.alerts.push_back(std::move(a));
    ++t_.event_count;
  }
  // An autoscaler's event: a sample, a decision, or an instance changing
  // phase; finish() turns the phase changes into spans (builder_scaling.cpp).
  void autoscale(ScalingEvent e, const ScalingSample& sample);
  // A service's event loop and logger, a queue's events (builder_runtime.cpp).
  void note(NoteEvent n) {
    t_.notes.push_back(std::move(n));
    ++t_.event_count;
  }
  void log_buffer(LaneId lane, const std::string& component, const std::string& state, double t_s,
                  std::int64_t buffer, std::int64_t dropped, std::int64_t dropped_while_full);
  void loop_lag(const std::string& component, const std::string& node, double t_s, double lag_s) {
    lag(t_.loop_lags, component, "", node, t_s, lag_s);
  }
  void queue_lag(const std::string& component, const std::string& group, double t_s, double lag) {
    this->lag(t_.queue_lags, component, group, "", t_s, lag);
  }
  EndSummary& end_summary() {
    ++t_.event_count;
    return t_.end;
  }

  Trace finish();

private:
  void index_lanes();
  void assign_op_rows();
  void fill_violation_windows();
  void end_lock_waits_of(const std::string& component, double t_s, const std::string& why);
  void finish_database(); // sorts and indexes the database's events (builder_database.cpp)
  void finish_scaling();  // the instances' phases, from the autoscalers' events (builder_scaling.cpp)
  void finish_runtime();  // notes, log buffers, lags (builder_runtime.cpp)
  void lag(std::vector<LagSeries>& into, const std::string& component, const std::string& group,
           const std::string& node, double t_s, double value);

  Trace t_;
  std::unordered_map<std::string, LaneId> node_lanes_;
  std::unordered_map<std::string, LaneId> client_lanes_;
  std::unordered_map<std::int64_t, std::uint32_t> open_messages_;
  std::map<LaneId, std::uint32_t> open_status_;           // lane -> open span
  std::multimap<std::string, std::uint32_t> open_faults_; // name -> open fault
  // "component\nwho" -> its open lock waits: a statement waits for one lock at a time.
  std::map<std::string, std::vector<std::uint32_t>> open_lock_waits_;
  // "component\njob\nrun" -> its open run in t_.job_runs.
  std::map<std::string, std::uint32_t> open_job_runs_;
  // An instance's lane and its phase change (provisioning, joined, provision_failed, left), in trace order.
  std::vector<std::pair<LaneId, ScalingEvent>> phase_changes_;
  std::map<std::string, std::uint32_t> open_log_buffers_; // "node\ncomponent" -> its full buffer in t_.log_buffers
};

} // namespace faultlab::viz
