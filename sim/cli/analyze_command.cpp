#include "cli/analyze_command.hpp"

#include "cli/commands.hpp"
#include "cli/design_graph.hpp"
#include "cli/runner.hpp"
#include "model/simulation.hpp"
#include "scenario/loader.hpp"
#include "topo/render.hpp"
#include "util/input_error.hpp"
#include "util/units.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>
#include <ostream>
#include <set>
#include <stdexcept>

namespace faultlab::cli {

namespace {

std::string percent(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f %%", fraction * 100.0);
  return buffer;
}

// Per endpoint: ok and all ops invoked in [from_s, to_s), in one run with
// `crashed` (if any) down over that window and no other fault.
std::string measure(scenario::Scenario s, const std::string& crashed, std::uint64_t seed, double from_s,
                    double to_s) {
  s.faults.clear();
  if (!crashed.empty()) {
    scenario::Fault f;
    f.name = "analyze-crash";
    f.type = scenario::Fault::Type::crash;
    f.node = crashed;
    f.at_s = from_s;
    f.duration_s = to_s - from_s;
    s.faults.push_back(f);
  }
  model::RunOptions options;
  options.seed = seed;
  options.record_messages = false;
  model::RunOutput run = model::simulate(s, options);
  std::map<std::string, std::string> target_of;
  for (const auto& c : s.workload.clients) target_of[c.name] = c.target;
  nlohmann::json result = nlohmann::json::object();
  for (const auto& op : run.history.ops) {
    if (op.final_read || op.invoke_s < from_s || op.invoke_s >= to_s) continue;
    auto& counts = result[target_of[op.client] + ":" + op.f];
    if (counts.is_null()) counts = {0, 0};
    counts[1] = counts[1].get<int>() + 1;
    if (op.outcome == history::Outcome::ok) counts[0] = counts[0].get<int>() + 1;
  }
  return result.dump();
}

void simulate_failures(const scenario::Scenario& s, const topo::DependencyGraph& graph, const AnalyzeArgs& args,
                       std::ostream& out) {
  std::vector<std::string> crashed{""}; // first: no failure
  std::map<std::string, std::vector<std::string>> predicted;
  for (const auto& spof : graph.single_points_of_failure()) {
    if (spof.kind != topo::Kind::node) continue; // a component alone is crashed through its node
    crashed.push_back(spof.name);
    for (const auto& impact : spof.endpoints) predicted[spof.name].push_back(impact.endpoint);
  }
  const double from_s = s.workload.duration_s / 3, to_s = 2 * s.workload.duration_s / 3;
  out << "\nMeasured: each single point of failure crashed in turn from " << util::format_duration(from_s) << " to "
      << util::format_duration(to_s) << " (seed " << args.seed
      << ", the scenario's own faults left out); availability of the ops invoked meanwhile:\n";
  if (crashed.size() == 1) out << "  (no single point of failure to crash; the run without failures:)\n";
  std::vector<std::function<std::string()>> tasks;
  for (const auto& node : crashed) tasks.push_back([&, node] { return measure(s, node, args.seed, from_s, to_s); });
  std::vector<ChildResult> results = run_in_children(tasks, args.jobs);
  for (std::size_t i = 0; i < crashed.size(); ++i) {
    out << "  " << (crashed[i].empty() ? "no failure" : crashed[i] + " down") << ":\n";
    if (!results[i].ok) {
      out << "    " << results[i].output << "\n";
      continue;
    }
    nlohmann::json counts = nlohmann::json::parse(results[i].output);
    for (const auto& e : graph.design().endpoints) {
      auto it = counts.find(e.name);
      if (it == counts.end()) continue;
      double ok = (*it)[0].get<double>(), all = (*it)[1].get<double>();
      const auto& down = predicted[crashed[i]];
      bool expected_down = std::find(down.begin(), down.end(), e.name) != down.end();
      char line[160];
      std::snprintf(line, sizeof line, "    %-28s %9s of %6.0f ops%s", e.name.c_str(), percent(all ? ok / all : 1).c_str(),
                    all, expected_down ? "   (predicted down)" : "");
      out << line << "\n";
    }
  }
}

} // namespace

int command_analyze(const AnalyzeArgs& args, std::ostream& out, std::ostream& err) {
  try {
    scenario::Scenario s = scenario::load_scenario(args.scenario, scenario::LoadOptions{args.variant, args.sets});
    std::unique_ptr<topo::DependencyGraph> graph;
    try {
      graph = std::make_unique<topo::DependencyGraph>(design_of(s));
    } catch (const std::invalid_argument& e) {
      throw util::InputError("bad-value", s.file + ": /components", e.what());
    }
    if (args.format == "dot") {
      out << topo::render_dot(*graph);
      // Data graphs follow as digraphs of their own (`dot -O` writes one file each).
      for (const auto& component : s.components) out << component->analyze_data_dot();
      return kExitOk;
    }
    out << s.name << (s.variant.empty() ? "" : " / " + s.variant) << " — " << s.title << "\n";
    if (!s.design.empty()) out << "  design: " << s.design << "\n";
    out << "\n" << topo::render_text(*graph);
    std::set<std::string> notes; // once per type, in component order
    for (const auto& component : s.components) {
      const std::string note = component->analyze_note();
      if (!note.empty() && notes.insert(note).second) out << "\n" << note << "\n";
    }
    for (const auto& component : s.components) {
      const std::string data = component->analyze_data_text();
      if (!data.empty()) out << "\n" << data;
    }
    for (const auto& f : s.faults) {
      if (f.type != scenario::Fault::Type::partition) continue;
      std::vector<std::vector<std::string>> groups;
      for (const auto& g : f.groups) groups.push_back(g.nodes);
      out << "\nPartition \"" << f.name << "\" at " << util::format_duration(f.at_s) << ":\n"
          << topo::render_partition_text(graph->partition(groups));
    }
    if (args.simulate) simulate_failures(s, *graph, args, out);
    return kExitOk;
  } catch (const util::InputError& e) {
    err << e.what() << "\n";
    return kExitBadInput;
  }
}

} // namespace faultlab::cli
