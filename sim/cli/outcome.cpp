#include "cli/outcome.hpp"

#include "check/checker.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <map>

namespace faultlab::cli {

using history::Outcome;

namespace {
double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}
} // namespace

Metrics compute_metrics(const history::History& history, const std::vector<std::string>* client_groups) {
  Metrics m;
  std::vector<double> latencies;
  auto counted = [&](const history::Op& op) {
    return client_groups == nullptr ||
           std::find(client_groups->begin(), client_groups->end(), op.client) != client_groups->end();
  };
  for (const auto& op : history.ops) {
    if (!counted(op)) continue;
    if (op.final_read) {
      ++m.final_reads;
      continue;
    }
    switch (op.outcome) {
    case Outcome::ok:
      ++m.ok;
      latencies.push_back(op.complete_s - op.invoke_s);
      break;
    case Outcome::fail: ++m.fail; break;
    case Outcome::info: ++m.info; break;
    }
  }
  std::sort(latencies.begin(), latencies.end());
  m.latency_p50_s = percentile(latencies, 0.50);
  m.latency_p99_s = percentile(latencies, 0.99);
  m.latency_max_s = latencies.empty() ? 0 : latencies.back();
  std::map<std::string, std::pair<Metrics::NodeLoad, std::vector<double>>> by_node;
  for (const auto& op : history.ops) {
    if (op.final_read || op.node.empty() || !counted(op)) continue;
    auto& [load, ok_latencies] = by_node[op.node];
    load.node = op.node;
    ++load.ops;
    if (op.outcome == Outcome::ok) ++load.ok, ok_latencies.push_back(op.complete_s - op.invoke_s);
  }
  for (auto& [name, entry] : by_node) {
    std::sort(entry.second.begin(), entry.second.end());
    entry.first.latency_p99_s = percentile(entry.second, 0.99);
    m.nodes.push_back(entry.first);
  }
  std::int64_t all = m.ok + m.fail + m.info;
  m.availability = all == 0 ? 1.0 : static_cast<double>(m.ok) / static_cast<double>(all);
  return m;
}

std::vector<check::Violation> run_checks(const scenario::Scenario& scenario, const history::History& history) {
  std::vector<check::Violation> all;
  for (const auto& c : scenario.checks) {
    const check::CheckerInfo* checker = check::find_checker(c.name);
    auto found = checker->run(history, c.options);
    all.insert(all.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const check::Violation& a, const check::Violation& b) { return a.time_s < b.time_s; });
  return all;
}

std::string shell_quote(const std::string& word) {
  bool plain = !word.empty();
  for (char c : word)
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || std::strchr("_./:=,+-@%", c) != nullptr);
  if (plain) return word;
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string reproduce_command(const scenario::Scenario& scenario, std::uint64_t seed) {
  // ./faultlab: the wrapper at the root of the checkout, where the file
  // names of the catalog are relative to.
  std::string command = "./faultlab run " + shell_quote(scenario.file);
  command += " --variant " + shell_quote(scenario.variant.empty() ? "base" : scenario.variant);
  // An explore run's seed draws its faults too; --explore-seed says both.
  if (scenario.explore_seed) command += " --explore-seed " + std::to_string(*scenario.explore_seed);
  else command += " --seed " + std::to_string(seed);
  for (const auto& set : scenario.overrides) command += " --set " + shell_quote(set);
  return command;
}

nlohmann::ordered_json make_summary(const scenario::Scenario& scenario, std::uint64_t seed, double sim_time_s,
                                    const Metrics& metrics, const std::vector<check::Violation>& violations,
                                    const nlohmann::ordered_json& messages) {
  nlohmann::ordered_json s;
  s["scenario"] = scenario.name;
  s["file"] = scenario.file;
  s["variant"] = scenario.variant;
  s["overrides"] = scenario.overrides;
  s["seed"] = seed;
  if (scenario.explore_seed) s["explore_seed"] = *scenario.explore_seed; // only for explore runs
  s["sim_time_s"] = sim_time_s;
  s["ops"] = {{"ok", metrics.ok}, {"fail", metrics.fail}, {"info", metrics.info},
              {"total", metrics.ok + metrics.fail + metrics.info}};
  s["final_reads"] = metrics.final_reads;
  s["messages"] = messages;
  nlohmann::ordered_json counts = nlohmann::ordered_json::object();
  for (const auto& c : scenario.checks) counts[c.name] = 0;
  for (const auto& v : violations) counts[v.check] = counts[v.check].get<std::int64_t>() + 1;
  s["counts"] = counts;
  s["metrics"] = {{"latency_p50_s", metrics.latency_p50_s},
                  {"latency_p99_s", metrics.latency_p99_s},
                  {"latency_max_s", metrics.latency_max_s},
                  {"availability", metrics.availability},
                  {"ops_ok", metrics.ok},
                  {"ops_fail", metrics.fail},
                  {"ops_info", metrics.info},
                  {"ops_total", metrics.ok + metrics.fail + metrics.info}};
  nlohmann::ordered_json nodes = nlohmann::ordered_json::object();
  for (const auto& n : metrics.nodes)
    nodes[n.node] = {{"ops", n.ops}, {"ok", n.ok}, {"latency_p99_s", n.latency_p99_s}};
  s["nodes"] = nodes;
  // Every violation is in the trace; the summary keeps the first ones so it
  // stays small enough to read.
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < violations.size() && i < kSummaryListed; ++i) {
    const auto& v = violations[i];
    list.push_back({{"check", v.check}, {"time_s", v.time_s}, {"ops", v.ops}, {"message", v.message}});
  }
  s["violations"] = list;
  s["violations_listed"] = list.size();
  s["violations_total"] = violations.size();
  s["reproduce"] = reproduce_command(scenario, seed);
  return s;
}

double summary_value(const nlohmann::ordered_json& summary, const std::string& what) {
  std::size_t dot = what.find('.');
  std::string section = what.substr(0, dot), name = what.substr(dot + 1);
  if (section == "violations") return summary.at("counts").value(name, 0.0);
  return summary.at("metrics").at(name).get<double>();
}

std::vector<ExpectationResult> evaluate_expectations(const scenario::Scenario& scenario,
                                                     const nlohmann::ordered_json& summary) {
  std::vector<ExpectationResult> results;
  for (const auto& e : scenario.expect) {
    ExpectationResult r{e, summary_value(summary, e.what), true};
    if (e.min && r.actual < *e.min) r.ok = false;
    if (e.max && r.actual > *e.max) r.ok = false;
    results.push_back(r);
  }
  return results;
}

} // namespace faultlab::cli
