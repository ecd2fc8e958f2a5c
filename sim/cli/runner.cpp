#include "cli/runner.hpp"

#include "history/json_line.hpp"
#include "model/simulation.hpp"
#include "util/input_error.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace faultlab::cli {

nlohmann::ordered_json trace_header(const scenario::Scenario& s, std::uint64_t seed, const char* format) {
  nlohmann::ordered_json h;
  h["format"] = format;
  h["version"] = history::kTraceVersion;
  h["scenario"] = s.name;
  h["file"] = s.file;
  h["variant"] = s.variant;
  // Only when there are any, so a plain run's trace stays as it was.
  if (!s.overrides.empty()) h["overrides"] = s.overrides;
  h["seed"] = seed;
  // Only for explore runs, whose faults come from this seed, not the file.
  if (s.explore_seed) h["explore_seed"] = *s.explore_seed;
  h["title"] = s.title;
  h["lesson"] = s.lesson;
  h["design"] = s.design;
  h["duration_s"] = s.workload.duration_s;
  nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
  for (const auto& n : s.topology.nodes) {
    // Version 2 names each component's type and the node's role in it;
    // "roles" ("<component>:<role>") stays for older readers.
    nlohmann::ordered_json roles = nlohmann::ordered_json::array();
    nlohmann::ordered_json components = nlohmann::ordered_json::array();
    auto add = [&](const std::string& component, const std::string& type, const std::string& role) {
      roles.push_back(component + ":" + role);
      components.push_back({{"component", component}, {"type", type}, {"role", role}});
    };
    for (const auto& component : s.components)
      for (const auto& role : component->node_roles())
        if (role.node == n.name) add(component->name, component->type, role.role);
    for (const auto& c : s.workload.clients)
      if (c.node == n.name) add(c.name, "clients", "clients");
    nodes.push_back({{"name", n.name}, {"zone", n.zone}, {"roles", roles}, {"components", components}});
  }
  h["nodes"] = nodes;
  nlohmann::ordered_json clients = nlohmann::ordered_json::array();
  for (const auto& c : s.workload.clients)
    clients.push_back({{"name", c.name}, {"node", c.node}, {"target", c.target}, {"sessions", c.sessions}});
  h["clients"] = clients;
  nlohmann::ordered_json checks = nlohmann::ordered_json::array();
  for (const auto& c : s.checks) checks.push_back(c.name);
  h["checks"] = checks;
  return h;
}

analysis::RecoveryOptions recovery_options(const scenario::Scenario& scenario) {
  analysis::RecoveryOptions options;
  for (const auto& c : scenario.checks)
    if (c.name == "availability") {
      options.slo = c.options.slo;
      options.endpoint_slo = c.options.endpoint_slo;
    }
  for (const auto& client : scenario.workload.clients) options.client_groups.push_back(client.name);
  return options;
}

std::vector<bool> violations_to_explain(const std::vector<check::Violation>& violations, bool all) {
  std::vector<bool> wanted(violations.size(), all);
  if (all) return wanted;
  std::map<std::string, std::size_t> per_check;
  for (std::size_t i = 0; i < violations.size(); ++i) {
    const bool example = per_check[violations[i].check]++ < kReportExamples;
    if (i < kSummaryListed || example) wanted[i] = true;
  }
  return wanted;
}

namespace {

// The wanted violations' causes, read from the run's trace events before
// the violations are added to them; an empty Cause (no chain) for the others.
std::vector<causality::Cause> explain_violations(const scenario::Scenario& scenario, std::uint64_t seed,
                                                 const history::TraceWriter& trace, const history::History& history,
                                                 const std::vector<check::Violation>& violations,
                                                 const std::vector<bool>& wanted) {
  std::set<std::int64_t> ops;
  for (std::size_t i = 0; i < violations.size(); ++i)
    if (wanted[i]) ops.insert(violations[i].ops.begin(), violations[i].ops.end());
  const nlohmann::json header = nlohmann::json::parse(trace_header(scenario, seed, history::kTraceFormat).dump());
  causality::Evidence evidence(header, history, std::move(ops));
  trace.for_each_in_order([&](double t, const std::string& line) { evidence.add_line(t, line); });
  std::vector<causality::Cause> causes(violations.size());
  for (std::size_t i = 0; i < violations.size(); ++i)
    if (wanted[i]) causes[i] = causality::explain(violations[i], evidence);
  return causes;
}
} // namespace

CheckedRun run_checked(const scenario::Scenario& scenario, const RunRequest& request) {
  model::RunOptions options;
  options.seed = request.seed;
  const bool explain = request.causes || !request.trace_path.empty();
  options.record_messages = explain || request.profile;
  // Only these read the trace's events: with none of them (verify, sweep,
  // explore's runs, the bench's untraced run) no event is built or kept.
  options.record_events = explain || request.profile || !request.history_path.empty() || !scenario.faults.empty();
  options.reproduce = reproduce_command(scenario, request.seed);
  options.simgrid_flags = request.simgrid_flags;
  options.saturation = request.saturation;
  model::RunOutput out = model::simulate(scenario, options);

  CheckedRun result;
  std::vector<std::string> client_groups;
  for (const auto& client : scenario.workload.clients) client_groups.push_back(client.name);
  result.metrics = compute_metrics(out.history, &client_groups);
  result.violations = run_checks(scenario, out.history);
  nlohmann::ordered_json messages = {
      {"sent", out.messages_sent}, {"delivered", out.messages_delivered}, {"dropped", out.messages_dropped}};
  result.summary = make_summary(scenario, request.seed, out.sim_time_s, result.metrics, result.violations, messages);
  for (const auto& [name, value] : out.model_metrics) result.summary["metrics"][name] = value;
  result.summary["refused_in_flight"] = out.refused_in_flight;
  result.summary["shed_queue_full"] = out.shed_queue_full;

  if (explain) {
    result.causes = explain_violations(scenario, request.seed, *out.trace, out.history, result.violations,
                                       violations_to_explain(result.violations, !request.trace_path.empty()));
    auto& listed = result.summary["violations"];
    for (std::size_t i = 0; i < listed.size() && i < result.causes.size(); ++i)
      listed[i]["cause"] = causality::to_json(result.causes[i]);
  }
  if (request.profile) {
    // From the events as the models recorded them (before recovery and
    // violation events are added), in time order.
    analysis::ProfileBuilder builder(trace_header(scenario, request.seed, history::kTraceFormat)["nodes"]);
    out.trace->for_each_in_order([&](double, const std::string& line) { builder.add_line(line); });
    result.profile = builder.finish(out.history, client_groups);
    result.summary["profile"] = analysis::profile_json(*result.profile);
  }
  if (request.saturation) {
    analysis::Saturation saturation;
    saturation.measured_s = out.sim_time_s;
    saturation.resources = out.resources;
    analysis::judge(saturation);
    result.summary["saturation"] = analysis::saturation_json(saturation);
    result.saturation = std::move(saturation);
  }
  // Recovery per fault, from the history and the trace as recorded so far
  // (without faults there is nothing to recover from, and nothing to read).
  result.summary["recovery"] = nlohmann::ordered_json::array();
  if (!scenario.faults.empty()) {
    analysis::TraceFacts facts(trace_header(scenario, request.seed, history::kTraceFormat)["nodes"]);
    out.trace->for_each_line([&](const std::string& line) { facts.add_line(line); });
    result.recovery = analysis::analyze_recovery(out.history, facts, recovery_options(scenario),
                                                 scenario.workload.duration_s, out.sim_time_s);
    result.summary["recovery"] = analysis::recovery_json(result.recovery);
    for (auto& e : analysis::recovered_events(result.recovery, out.sim_time_s)) out.trace->add(e.t, std::move(e.line));
  }

  // Violations go into the trace at their time, so a viewer can mark them.
  for (std::size_t i = 0; i < result.violations.size() && out.trace->recording(); ++i) {
    const auto& v = result.violations[i];
    std::string ops = "[";
    for (std::size_t k = 0; k < v.ops.size(); ++k) ops += (k ? "," : "") + std::to_string(v.ops[k]);
    ops += "]";
    history::JsonLine line(v.time_s, "violation");
    line.str("check", v.check).raw("ops", ops).str("message", v.message);
    if (i < result.causes.size()) line.raw("cause", causality::to_json(result.causes[i]).dump());
    out.trace->add(v.time_s, line.done());
  }
  nlohmann::ordered_json end = {{"t", out.sim_time_s},
                                {"ev", "end"},
                                {"ops", result.summary["ops"]},
                                {"counts", result.summary["counts"]},
                                {"messages", messages}};
  if (!request.trace_path.empty()) {
    out.trace->write_file(request.trace_path, trace_header(scenario, request.seed, history::kTraceFormat), end);
  }
  if (!request.history_path.empty()) {
    out.trace->write_file(request.history_path, trace_header(scenario, request.seed, history::kHistoryFormat), end,
                          true);
  }
  return result;
}

std::vector<ChildResult> run_in_children(const std::vector<std::function<std::string()>>& tasks, int jobs,
                                         const std::function<void(std::size_t, const ChildResult&)>& on_done) {
  std::vector<ChildResult> results(tasks.size());
  struct Running {
    pid_t pid;
    std::size_t task;
    std::string file;
  };
  std::vector<Running> running;
  std::size_t next = 0;
  std::fflush(nullptr);
  auto reap_one = [&] {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) return;
      // No children left to wait for: whatever is still listed is lost.
      for (auto& r : running) results[r.task] = ChildResult{false, "error: the run's process disappeared"};
      running.clear();
      return;
    }
    for (std::size_t i = 0; i < running.size(); ++i) {
      if (running[i].pid != pid) continue;
      std::ifstream in(running[i].file);
      std::stringstream text;
      text << in.rdbuf();
      std::remove(running[i].file.c_str());
      ChildResult& r = results[running[i].task];
      std::string body = text.str();
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        r.ok = true;
        r.output = body;
      } else {
        r.ok = false;
        r.output = !body.empty() ? body
                   : WIFSIGNALED(status) ? "error: the run crashed (signal " + std::to_string(WTERMSIG(status)) + ")"
                                         : "error: the run failed";
      }
      const std::size_t task = running[i].task;
      running.erase(running.begin() + static_cast<long>(i));
      if (on_done) on_done(task, r);
      return;
    }
  };
  while (next < tasks.size() || !running.empty()) {
    if (next < tasks.size() && static_cast<int>(running.size()) < std::max(1, jobs)) {
      char name[] = "/tmp/faultlab-child-XXXXXX";
      int fd = ::mkstemp(name);
      if (fd < 0) throw std::runtime_error(std::string("cannot create a temporary file: ") + std::strerror(errno));
      ::close(fd);
      pid_t pid = ::fork();
      if (pid < 0) throw std::runtime_error(std::string("cannot fork: ") + std::strerror(errno));
      if (pid == 0) {
        int code = 0;
        std::string output;
        try {
          output = tasks[next]();
        } catch (const std::exception& e) {
          output = std::string("error: ") + e.what();
          code = 1;
        }
        std::FILE* f = std::fopen(name, "wb");
        if (f) {
          std::fwrite(output.data(), 1, output.size(), f);
          std::fclose(f);
        }
        std::fflush(nullptr);
        ::_exit(code);
      }
      running.push_back(Running{pid, next, name});
      ++next;
    } else {
      reap_one();
    }
  }
  return results;
}

ChildResult summary_in_child(const scenario::Scenario& scenario, std::uint64_t seed) {
  auto results = run_in_children({[&] {
                                   RunRequest request;
                                   request.seed = seed;
                                   return run_checked(scenario, request).summary.dump();
                                 }},
                                 1);
  return results.front();
}

} // namespace faultlab::cli
