#include "components/scheduler/model.hpp"

#include "components/alerting/messages.hpp"
#include "components/alerting/model.hpp"
#include "components/mail_provider/messages.hpp"
#include "components/mail_provider/model.hpp"
#include "history/json_line.hpp"
#include "model/server.hpp"

#include <algorithm>
#include <cmath>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;
using Job = scenario::Scheduler::Job;

SchedulerModel::SchedulerModel(const scenario::Scheduler& spec, Components& components, Context& context)
    : spec_(spec), components_(components), context_(context), node_(context.network.node_index(spec.node)) {}

void SchedulerModel::start() {
  context_.hooks.on_restart[node_].push_back([this] { launch(); });
  launch();
}

// Job actors are not daemons: a run due after the clients' last request
// still happens; each actor ends when its next run would be past the
// workload's end.
void SchedulerModel::launch() {
  for (const auto& job : spec_.jobs)
    sg4::Actor::create(job.name, context_.network.host(node_), [this, &job] { run_job(job); });
}

void SchedulerModel::run_job(const Job& job) {
  Rpc rpc(context_, node_, job.name);
  const double end_s = context_.scenario.workload.duration_s;
  // The first run due from now (after a restart, the ones missed are gone).
  std::int64_t run = 0;
  const double now = sg4::Engine::get_clock();
  if (job.every_s && now > job.at_s) run = static_cast<std::int64_t>(std::ceil((now - job.at_s) / *job.every_s));
  else if (!job.every_s && now > job.at_s) run = 1; // a one-off job that already ran
  while (true) {
    const double due = job.at_s + (job.every_s ? static_cast<double>(run) * *job.every_s : 0.0);
    if (due >= end_s || (!job.every_s && run > 0)) break;
    sg4::this_actor::sleep_until(due);
    run_once(job, run, rpc);
    ++run;
  }
  // The scheduler is there until the workload ends: what the last run sent
  // (a ping, a report) is still delivered and acted on.
  sg4::this_actor::sleep_until(end_s);
}

void SchedulerModel::run_once(const Job& job, std::int64_t run, Rpc& rpc) {
  const auto& provider = components_.get<MailProviderModel>(job.via);
  const double start_s = sg4::Engine::get_clock();
  const std::string campaign = job.name + "#" + std::to_string(run);
  Counts counts;
  counts.expected = job.recipients_at(start_s);
  const std::int64_t op = context_.recorder.invoke(start_s, run, spec_.name, "job_run", campaign, counts.expected);
  trace_job(job, run, "start", counts, 0, "run " + std::to_string(run) + " of " + job.name + " started: " +
                                              std::to_string(counts.expected) + " emails to send");
  if (job.heartbeat == Job::Heartbeat::start) {
    auto ping = std::make_unique<HeartbeatPing>();
    ping->job = job.name;
    ping->run = run;
    tell_alerting(job, rpc, engine::envelope(alerting_kinds::ping, std::move(ping), spec_.message_bytes));
  }

  const std::int64_t batches = (counts.expected + job.batch - 1) / job.batch;
  for (std::int64_t b = 0; b < batches; ++b) {
    const std::int64_t size = std::min(job.batch, counts.expected - b * job.batch);
    auto send = std::make_unique<MailSend>();
    send->recipients = size;
    send->campaign = campaign;
    send->sender = job.name; // the job's own API key
    std::unique_ptr<Envelope> answer =
        rpc.call(provider.node(), provider.spec().name,
                 engine::envelope(mail_kinds::send, std::move(send), size * provider.spec().message_bytes),
                 sg4::Engine::get_clock() + job.timeout_s);
    std::string error;
    if (!answer) {
      error = "batch " + std::to_string(b) + ": no answer from " + provider.spec().name + " within " +
              std::to_string(static_cast<long long>(job.timeout_s)) + " s";
    } else {
      const auto& reply = answer->payload_as<MailSendReply>();
      counts.done += reply.accepted;
      if (reply.rejected > 0)
        error = "batch " + std::to_string(b) + ": " + std::to_string(reply.rejected) + " of " +
                std::to_string(size) + " rejected: " + reply.error;
    }
    if (error.empty()) continue;
    // The error handling: a log line, then carry on or stop.
    ++counts.errors;
    counts.last_error = error;
    if (job.ship_errors) {
      auto line = std::make_unique<ErrorLog>();
      line->job = job.name;
      line->run = run;
      line->text = error;
      tell_alerting(job, rpc, engine::envelope(alerting_kinds::error_log, std::move(line), spec_.message_bytes));
    }
    if (job.on_error == Job::OnError::fail) break;
  }

  const bool exit_ok = counts.errors == 0 || job.on_error == Job::OnError::log_and_continue;
  const std::string summary =
      "exit " + std::string(exit_ok ? "0" : "1") + ": " + std::to_string(counts.done) + " of " +
      std::to_string(counts.expected) + " emails accepted" +
      (counts.errors > 0 ? ", " + std::to_string(counts.errors) + " error" + (counts.errors == 1 ? "" : "s") +
                               " logged, the last: " + counts.last_error
                         : std::string());
  context_.recorder.complete(op, sg4::Engine::get_clock(), exit_ok ? history::Outcome::ok : history::Outcome::fail,
                             counts.expected, spec_.node, summary);
  trace_job(job, run, "end", counts, exit_ok ? 0 : 1, "run " + std::to_string(run) + " of " + job.name + " ended, " + summary);
  if (job.heartbeat == Job::Heartbeat::success && exit_ok) {
    auto ping = std::make_unique<HeartbeatPing>();
    ping->job = job.name;
    ping->run = run;
    tell_alerting(job, rpc, engine::envelope(alerting_kinds::ping, std::move(ping), spec_.message_bytes));
  }
  if (job.report_counts) {
    auto report = std::make_unique<JobReport>();
    report->job = job.name;
    report->run = run;
    report->done = counts.done;
    report->expected = counts.expected;
    report->unit = "emails";
    tell_alerting(job, rpc, engine::envelope(alerting_kinds::report, std::move(report), spec_.message_bytes));
  }
}

void SchedulerModel::tell_alerting(const Job& job, Rpc& rpc, std::unique_ptr<Envelope> message) {
  if (job.alerting.empty()) return;
  const auto& alerting = components_.get<AlertingModel>(job.alerting);
  rpc.send(alerting.node(), alerting.spec().name, std::move(message));
}

void SchedulerModel::trace_job(const Job& job, std::int64_t run, const char* phase, const Counts& counts,
                               int exit_code, const std::string& why) {
  if (!context_.trace) return;
  const double now = sg4::Engine::get_clock();
  history::JsonLine line(now, "job");
  line.str("node", spec_.node)
      .str("component", spec_.name)
      .str("job", job.name)
      .integer("run", run)
      .str("phase", phase)
      .integer("expected", counts.expected)
      .integer("done", counts.done)
      .integer("errors", counts.errors);
  if (std::string(phase) == "end") line.integer("exit", exit_code);
  line.str("why", why);
  context_.trace->add(now, line.done());
}

} // namespace faultlab::model
