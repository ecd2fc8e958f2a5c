#include "components/scheduler/spec.hpp"

#include "scenario/read_helpers.hpp"
#include "util/input_error.hpp"

#include <cmath>

namespace faultlab::scenario {

using namespace detail; // the shared readers (read_helpers.hpp)
using util::quote;

namespace {

constexpr std::int64_t kMaxBatchesPerRun = 100'000; // requests one run may send

Scheduler::Job read_job(const std::string& name, ObjectReader& r) {
  r.describe({{"at", "when it first runs"},
              {"every", "then it runs again this often (absent: once)"},
              {"send_emails", "its work: {via, recipients, growth_per_day, batch, timeout}"},
              {"on_error", "log_and_continue (log the error, carry on, exit 0) or fail (stop, exit non-zero)"},
              {"monitoring", "{alerting, heartbeat: none|start|success, report_counts, ship_errors}"}});
  check_name(r.origin(), name, r.pointer());
  Scheduler::Job j;
  j.name = name;
  j.at_s = r.duration_s_or("at", 0);
  if (r.find("every")) j.every_s = positive_duration(r, "every", 86400, "a period");
  {
    ObjectReader s = r.object("send_emails");
    s.describe({{"via", "the mail_provider it sends through"},
                {"recipients", "people on the list at the start of the run"},
                {"growth_per_day", "people who join the list each day"},
                {"batch", "recipients per request"},
                {"timeout", "how long it waits for each request's answer"}});
    j.via = s.string("via");
    j.recipients = s.integer_or("recipients", 0, 0, 1'000'000'000);
    j.growth_per_day = s.number_or("growth_per_day", 0, 0, 1e9);
    j.batch = s.integer_or("batch", j.batch, 1, 100'000);
    j.timeout_s = positive_duration(s, "timeout", j.timeout_s, "a timeout");
    s.finish();
  }
  j.on_error = r.choice("on_error", {"log_and_continue", "fail"}, "log_and_continue") == "fail"
                   ? Scheduler::Job::OnError::fail
                   : Scheduler::Job::OnError::log_and_continue;
  if (r.find("monitoring")) {
    ObjectReader m = r.object("monitoring");
    m.describe({{"alerting", "the alerting component it reports to"},
                {"heartbeat", "none, start (ping when a run starts) or success (ping after a run that exited 0)"},
                {"report_counts", "send the run's counts (done, expected) at its end"},
                {"ship_errors", "send each error log line to the alerting component"}});
    j.alerting = m.string("alerting");
    const std::string heartbeat = m.choice("heartbeat", {"none", "start", "success"}, "none");
    j.heartbeat = heartbeat == "start"     ? Scheduler::Job::Heartbeat::start
                  : heartbeat == "success" ? Scheduler::Job::Heartbeat::success
                                           : Scheduler::Job::Heartbeat::none;
    j.report_counts = m.boolean_or("report_counts", false);
    j.ship_errors = m.boolean_or("ship_errors", false);
    m.finish();
  }
  r.finish();
  return j;
}

} // namespace

const char* to_string(Scheduler::Job::OnError on_error) {
  return on_error == Scheduler::Job::OnError::fail ? "fail" : "log_and_continue";
}

const char* to_string(Scheduler::Job::Heartbeat heartbeat) {
  switch (heartbeat) {
  case Scheduler::Job::Heartbeat::none: return "none";
  case Scheduler::Job::Heartbeat::start: return "start";
  case Scheduler::Job::Heartbeat::success: return "success";
  }
  return "none";
}

std::int64_t Scheduler::Job::recipients_at(double t_s) const {
  return recipients + static_cast<std::int64_t>(std::floor(growth_per_day * t_s / 86400.0));
}

std::shared_ptr<ComponentSpec> read_scheduler(const std::string& name, ObjectReader& r, const Topology& topology) {
  r.describe({{"node", "the node the jobs run on"},
              {"schedule", "{job name: {at, every, send_emails, on_error, monitoring}}: the jobs it runs"},
              {"message_size", "the size of a ping, a report or a log line"}});
  auto spec = std::make_shared<Scheduler>();
  Scheduler& s = *spec;
  s.name = name;
  s.type = "scheduler";
  s.node = read_node(r, topology);
  for (auto& [job, jr] : r.members("schedule")) s.jobs.push_back(read_job(job, jr));
  if (s.jobs.empty() && !r.probing()) r.origin().fail("missing-field", r.child("schedule"), "a scheduler needs at least one job");
  s.message_bytes = read_message_size(r, s.message_bytes);
  return spec;
}

std::vector<NodeRole> Scheduler::node_roles() const {
  return {{node, "jobs"}};
}

std::vector<std::string> Scheduler::client_ops() const {
  return {};
}

ClientRules Scheduler::client_rules() const {
  ClientRules rules;
  rules.not_a_target = quote(name) + " is a scheduler; its jobs run on their own schedule";
  return rules;
}

void Scheduler::check_references(const Scenario& scenario, const Origin& origin) const {
  auto list = [&](const std::string& of_type) {
    const auto names = scenario.names_of_type(of_type);
    return names.empty() ? std::string("none") : join(names);
  };
  for (const auto& j : jobs) {
    const std::string at = pointer_append(pointer_append("/components", name) + "/schedule", j.name);
    if (scenario.component_type(j.via) != "mail_provider")
      origin.fail("unknown-component", at + "/send_emails/via",
                  quote(j.via) + " is not a mail_provider of this scenario (mail providers: " +
                      list("mail_provider") + ")");
    if (!j.alerting.empty() && scenario.component_type(j.alerting) != "alerting")
      origin.fail("unknown-component", at + "/monitoring/alerting",
                  quote(j.alerting) + " is not an alerting component of this scenario (alerting: " +
                      list("alerting") + ")");
    // Bound the work of one run: the first run's list, in batches (the
    // workload is not read yet; a list that grows past it is bounded by
    // limits.max_ops, since every request is an op of the provider).
    const std::int64_t batches = (j.recipients_at(j.at_s) + j.batch - 1) / j.batch;
    if (batches > kMaxBatchesPerRun)
      origin.fail("over-limit", at + "/send_emails/batch",
                  "the first run would send " + std::to_string(batches) + " requests (at most " +
                      std::to_string(kMaxBatchesPerRun) + "); use bigger batches");
  }
}

void Scheduler::add_to_design(topo::Design& design, const Scenario& scenario) const {
  (void)scenario;
  design.components.push_back(topo::Component{name, type, {node}, topo::Needs::all, {}});
}

void Scheduler::add_checker_facts(check::CheckOptions& options) const {
  for (const auto& j : jobs) options.job_units[j.name] = "emails";
}

} // namespace faultlab::scenario
