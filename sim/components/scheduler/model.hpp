// The scheduler as SimGrid actors: one actor per job on the scheduler's
// node, a short sequential program a student can follow:
//
//   sleep until the run is due; note the run (job_run op, `job` event);
//   ping the heartbeat if it pings at the start;
//   for each batch of the recipient list: ask the mail provider to send it,
//     count what it accepted; on an error (a rejection, no answer in time)
//     write a log line (and ship it, if told to), then carry on or stop;
//   end the run with exit code 0 or 1; ping the heartbeat if it pings after
//     a success and the run exited 0; report the counts if told to.
//
// Everything it says to the provider and the alerting component goes
// through the network, so a partition can cut a ping like anything else.
// A crash of the node kills the run in progress (its op stays open and ends
// as info); after a restart the schedule carries on with the next run due.
#pragma once

#include "components/scheduler/spec.hpp"
#include "model/components.hpp"
#include "model/rpc.hpp"

#include <cstdint>
#include <string>

namespace faultlab::model {

class MailProviderModel;
class AlertingModel;

class SchedulerModel : public ComponentModel {
public:
  SchedulerModel(const scenario::Scheduler& spec, Components& components, Context& context);
  void start() override;

private:
  struct Counts {
    std::int64_t expected = 0;
    std::int64_t done = 0;   // what the provider said it accepted
    std::int64_t errors = 0; // error log lines written
    std::string last_error;
  };
  void launch();
  void run_job(const scenario::Scheduler::Job& job);
  void run_once(const scenario::Scheduler::Job& job, std::int64_t run, Rpc& rpc);
  void tell_alerting(const scenario::Scheduler::Job& job, Rpc& rpc, std::unique_ptr<engine::Envelope> message);
  void trace_job(const scenario::Scheduler::Job& job, std::int64_t run, const char* phase, const Counts& counts,
                 int exit_code, const std::string& why);

  const scenario::Scheduler& spec_;
  Components& components_;
  Context& context_;
  int node_;
};

} // namespace faultlab::model
