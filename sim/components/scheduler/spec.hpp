// A job scheduler (cron, a Kubernetes CronJob, a Sidekiq/Celery beat): jobs
// (its `schedule`, keyed by job name) that run on a schedule on one node and do real work through the network.
// The one kind of work modelled is sending emails through a mail_provider
// (a newsletter, reminders): the job sends its recipient list in batches,
// one request per batch, and counts what the provider accepted.
//
// What a job does when a batch fails is its error handling: `log_and_continue`
// writes the error to a log nobody reads and carries on, so the run ends
// with exit code 0 whatever happened; `fail` stops at the first error and
// the run ends with a non-zero exit code. What it tells an alerting
// component is its monitoring: a heartbeat ping when it starts or only
// after a run that succeeded, its counts at the end, its error log lines.
//
// Every run is recorded in the history as a `job_run` op of the scheduler's
// name (key: "<job>#<run>", value: the work the run had to do, outcome: ok
// when it exited 0, fail otherwise), which `unnoticed_failure` reads with the
// provider's `work_done` ops and the alerting component's `alert` ops.
#pragma once

#include "scenario/component.hpp"
#include "scenario/config.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace faultlab::scenario {

struct Scheduler : ComponentSpec {
  struct Job {
    enum class OnError { log_and_continue, fail };
    enum class Heartbeat { none, start, success };
    std::string name;
    double at_s = 0;               // first run
    std::optional<double> every_s; // then again this often
    // Its work: one email to each recipient, sent in batches through `via`.
    std::string via;                 // a mail_provider
    std::int64_t recipients = 0;     // on the list at the start of the run
    double growth_per_day = 0;       // people who join the list each day
    std::int64_t batch = 1000;       // recipients per request
    double timeout_s = 30;           // per request
    OnError on_error = OnError::log_and_continue;
    // Its monitoring.
    std::string alerting; // an alerting component; "" for none
    Heartbeat heartbeat = Heartbeat::none;
    bool report_counts = false; // send (done, expected) at the end of each run
    bool ship_errors = false;   // send each error log line to the alerting component

    // The recipients on the list at time t (whole people).
    std::int64_t recipients_at(double t_s) const;
  };

  std::string node;
  std::vector<Job> jobs;
  std::int64_t message_bytes = 512; // a ping, a report, a log line

  std::vector<NodeRole> node_roles() const override;
  std::vector<std::string> client_ops() const override;
  ClientRules client_rules() const override;
  void check_references(const Scenario& scenario, const Origin& origin) const override;
  void add_to_design(topo::Design& design, const Scenario& scenario) const override;
  void add_checker_facts(check::CheckOptions& options) const override;
};

const char* to_string(Scheduler::Job::OnError on_error);
const char* to_string(Scheduler::Job::Heartbeat heartbeat);

// Reads one component of this type from `r` (its "type" already read).
std::shared_ptr<ComponentSpec> read_scheduler(const std::string& name, ObjectReader& r, const Topology& topology);

} // namespace faultlab::scenario

namespace faultlab::components {
// Registers the type: its scenario reader and its model.
void register_scheduler();
} // namespace faultlab::components
