#include "cli/report.hpp"

#include "explore/schedule.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <ostream>

namespace faultlab::cli {

namespace {
std::string percent(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f %%", fraction * 100.0);
  return buffer;
}
} // namespace

void print_report(std::ostream& out, const scenario::Scenario& s, const CheckedRun& run) {
  const auto& m = run.metrics;
  const auto& summary = run.summary;
  out << s.name << (s.variant.empty() ? "" : " / " + s.variant) << " — " << s.title << "\n";
  if (!s.design.empty()) out << "  design:  " << s.design << "\n";
  if (!s.overrides.empty()) {
    // The design sentence is the variant's; say what this run changed on top.
    out << "  changed:";
    for (const auto& set : s.overrides) out << " --set " << shell_quote(set);
    out << " (on top of the design above)\n";
  }
  out << "  run:     seed " << summary["seed"].get<std::uint64_t>() << ", "
      << util::format_duration(summary["sim_time_s"].get<double>()) << " simulated, "
      << summary["messages"]["sent"].get<std::uint64_t>() << " messages ("
      << summary["messages"]["dropped"].get<std::uint64_t>() << " dropped)\n";
  if (s.explore_seed) {
    out << "  faults:  drawn from explore seed " << *s.explore_seed << " (instead of the file's)\n";
    for (const auto& fault : s.faults) out << "           " << explore::describe_fault(fault) << "\n";
  }
  out << "  ops:     " << (m.ok + m.fail + m.info) << " total: " << m.ok << " ok, " << m.fail << " fail, " << m.info
      << " info (outcome unknown)";
  if (m.final_reads) out << "; then " << m.final_reads << " final reads";
  out << "\n";
  out << "  latency: p50 " << util::format_duration(m.latency_p50_s) << ", p99 "
      << util::format_duration(m.latency_p99_s) << ", max " << util::format_duration(m.latency_max_s)
      << "; availability " << percent(m.availability) << "\n";
  for (const auto& component : s.components) {
    // Where the load went, for a component that splits it (the shards of a
    // sharded store): the lesson of such a design.
    const std::string label = component->load_split_label();
    if (label.empty()) continue;
    const auto roles = component->node_roles();
    auto load_of = [&](const std::string& node) -> const Metrics::NodeLoad* {
      for (const auto& n : m.nodes)
        if (n.node == node) return &n;
      return nullptr;
    };
    std::int64_t routed = 0;
    for (const auto& role : roles)
      if (const auto* load = load_of(role.node)) routed += load->ops;
    char head[16];
    std::snprintf(head, sizeof head, "  %-8s", (label + ":").c_str());
    out << head;
    for (std::size_t i = 0; i < roles.size(); ++i) {
      const Metrics::NodeLoad* load = load_of(roles[i].node);
      double share = load && routed ? static_cast<double>(load->ops) / static_cast<double>(routed) : 0.0;
      out << (i ? "; " : "") << roles[i].node << " " << percent(share) << " of requests, p99 "
          << util::format_duration(load ? load->latency_p99_s : 0.0);
    }
    out << "\n";
  }
  std::map<std::string, double> metric_values;
  for (auto it = summary["metrics"].begin(); it != summary["metrics"].end(); ++it)
    if (it.value().is_number()) metric_values[it.key()] = it.value().get<double>();
  std::vector<std::string> type_lines_done;
  for (const auto& component : s.components) {
    if (std::find(type_lines_done.begin(), type_lines_done.end(), component->type) != type_lines_done.end()) continue;
    type_lines_done.push_back(component->type);
    const std::string line = component->report_line(metric_values);
    if (!line.empty()) out << "  " << line << "\n";
  }
  out << "  checks:\n";
  std::map<std::string, std::vector<const check::Violation*>> by_check;
  for (const auto& v : run.violations) by_check[v.check].push_back(&v);
  for (const auto& c : s.checks) {
    const auto& found = by_check[c.name];
    char line[128];
    std::snprintf(line, sizeof line, "    %-18s %6zu %s", c.name.c_str(), found.size(),
                  found.empty() ? "ok" : (found.size() == 1 ? "violation" : "violations"));
    out << line << "\n";
    for (std::size_t i = 0; i < found.size() && i < kReportExamples; ++i) {
      out << "        - " << found[i]->message << "\n";
      // Its cause, when the run explained its violations: the chain back to the fault.
      const auto index = static_cast<std::size_t>(found[i] - run.violations.data());
      if (index < run.causes.size() && !run.causes[index].chain.empty())
        out << "          why: " << causality::one_line(run.causes[index]) << "\n";
    }
    if (found.size() > kReportExamples) out << "        ... and " << found.size() - kReportExamples << " more\n";
  }
  if (!run.recovery.empty()) {
    // One line per fault: how long after its end each signal was healthy again.
    out << "  recovery: (time after each fault's end until healthy for "
        << util::format_duration(analysis::RecoveryOptions{}.hold_s)
        << " again; down: how long the fault's first harm lasted; README \"Recovery\")\n";
    for (const auto& r : run.recovery) {
      out << "    " << r.fault << " (" << r.type << (r.node.empty() ? "" : " " + r.node) << ", "
          << util::format_duration(r.start_s) << ".."
          << (r.end_s ? util::format_duration(*r.end_s) : std::string("never ended")) << "):";
      for (std::size_t i = 0; i < r.signals.size(); ++i) {
        const auto& sig = r.signals[i];
        out << (i ? ", " : " ") << sig.signal << " "
            << (sig.recovered_s ? util::format_duration(*sig.recovered_s) : std::string("not recovered"));
        if (sig.impact_s)
          out << " (down " << (sig.outage_s ? util::format_duration(*sig.outage_s) : std::string("for good"))
              << " from " << util::format_duration(r.start_s + *sig.impact_s) << ")";
      }
      if (r.signals.empty()) out << " nothing to measure";
      if (r.from != "end") out << " (measured from the " << r.from << ")";
      out << "\n";
    }
  }
  if (run.profile) analysis::print_profile(out, *run.profile);
  if (run.saturation) analysis::print_saturation(out, *run.saturation);
  if (summary.value("refused_in_flight", 0) > 0)
    out << "  limit:   " << summary["refused_in_flight"].get<std::int64_t>() << " requests were refused because "
        << s.limits.max_in_flight << " were already in flight (limits.max_in_flight)\n";
  if (summary.value("shed_queue_full", 0) > 0)
    out << "  limit:   " << summary["shed_queue_full"].get<std::int64_t>() << " requests were shed because a queue held "
        << s.limits.max_queue << " already (limits.max_queue)\n";
  out << "  reproduce: " << summary["reproduce"].get<std::string>() << "\n";
}

} // namespace faultlab::cli
