#include "explore/schedule.hpp"

#include "util/rng.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace faultlab::explore {

const std::vector<std::string>& fault_families() {
  static const std::vector<std::string> families{"partition", "drop", "delay", "crash", "pause",
                                                 "duplicate", "reorder", "clock", "slow_cpu"};
  return families;
}

std::string duration_text(double seconds) {
  return std::to_string(static_cast<long long>(std::llround(seconds * 1000.0))) + "ms";
}

namespace {

using scenario::Json;
using util::Rng;

// What the generator may touch, from the scenario.
struct Targets {
  std::vector<std::string> nodes;   // every node, in file order
  std::vector<std::string> servers; // nodes that run a component, in file order
  std::vector<std::string> zones;   // distinct zones, in order of first appearance
};

Targets targets_of(const scenario::Scenario& s) {
  Targets t;
  std::set<std::string> serving;
  for (const auto& component : s.components)
    for (const auto& role : component->node_roles())
      serving.insert(role.node);
  for (const auto& node : s.topology.nodes) {
    t.nodes.push_back(node.name);
    if (serving.count(node.name)) t.servers.push_back(node.name);
    if (std::find(t.zones.begin(), t.zones.end(), node.zone) == t.zones.end()) t.zones.push_back(node.zone);
  }
  // A scenario whose components run nowhere in particular: any node will do.
  if (t.servers.empty()) t.servers = t.nodes;
  return t;
}

template <class T> const T& pick(Rng& rng, const std::vector<T>& from) {
  return from[rng.below(from.size())];
}

// A non-empty subset of `from`, each member in with probability 1/2.
std::vector<std::string> some_of(Rng& rng, const std::vector<std::string>& from) {
  std::vector<std::string> out;
  for (const auto& item : from)
    if (rng.chance(0.5)) out.push_back(item);
  if (out.empty()) out.push_back(pick(rng, from));
  return out;
}

// Two sides: one server node alone, a split along zones, or a random cut.
Json partition_groups(Rng& rng, const Targets& t) {
  std::vector<std::string> a, b;
  const auto shape = rng.below(3);
  if (shape == 0 || t.nodes.size() < 2) {
    const std::string& alone = pick(rng, t.servers);
    a = {alone};
    for (const auto& n : t.nodes)
      if (n != alone) b.push_back(n);
  } else if (shape == 1 && t.zones.size() >= 2) {
    std::vector<std::string> side = some_of(rng, t.zones);
    if (side.size() == t.zones.size()) side.erase(side.begin() + static_cast<long>(rng.below(side.size())));
    for (const auto& z : t.zones)
      (std::find(side.begin(), side.end(), z) != side.end() ? a : b).push_back(z);
  } else {
    for (const auto& n : t.nodes)
      (rng.chance(0.5) ? a : b).push_back(n);
    if (a.empty()) a.push_back(b.back()), b.pop_back();
    if (b.empty()) b.push_back(a.back()), a.pop_back();
  }
  Json groups = Json::object();
  if (b.empty()) return groups; // one node in the whole scenario: nothing to cut
  groups["a"] = a;
  groups["b"] = b;
  return groups;
}

} // namespace

Schedule make_schedule(const scenario::Scenario& s, std::uint64_t explore_seed) {
  Rng rng = Rng::stream(explore_seed, "explore-schedule");
  const Targets t = targets_of(s);
  Schedule schedule;
  schedule.faults = Json::object();

  for (const auto& family : fault_families())
    if (rng.chance(0.5)) schedule.families.push_back(family);
  if (schedule.families.empty()) schedule.families.push_back(pick(rng, fault_families()));

  const double duration_s = s.workload.duration_s;
  const auto count = 1 + static_cast<int>(rng.below(kMaxFaults));
  for (int i = 1; i <= count; ++i) {
    const std::string& family = pick(rng, schedule.families);
    // Start in [5%, 85%) of the workload; last 3% to 40% of it, and end
    // before the workload does, so the settle time and final reads see the
    // system whole again.
    const double at_s = std::round(rng.uniform(0.05, 0.85) * duration_s * 1000.0) / 1000.0;
    const double length_s = std::min(rng.uniform(0.03, 0.4) * duration_s, duration_s - at_s);
    Json fault;
    fault["type"] = family;
    fault["at"] = duration_text(at_s);
    fault["duration"] = duration_text(std::max(0.001, length_s));
    if (family == "partition") {
      Json groups = partition_groups(rng, t);
      if (groups.empty()) continue;
      fault["groups"] = groups;
      if (rng.chance(0.2)) {
        const bool forward = rng.chance(0.5);
        fault["one_way"] = {{"from", forward ? "a" : "b"}, {"to", forward ? "b" : "a"}};
      }
    } else if (family == "drop" || family == "delay" || family == "duplicate" || family == "reorder") {
      if (family == "drop") fault["probability"] = std::round(rng.uniform(0.05, 0.6) * 100.0) / 100.0;
      // Log-uniform from 10 ms to 1 s: small delays are as interesting as big ones.
      else if (family == "delay")
        fault["extra"] = duration_text(0.01 * std::pow(100.0, rng.uniform()));
      else {
        fault["probability"] = std::round(rng.uniform(0.05, 0.5) * 100.0) / 100.0;
        if (family == "reorder") fault["window"] = duration_text(0.01 * std::pow(100.0, rng.uniform()));
      }
      if (rng.chance(0.7)) fault["nodes"] = some_of(rng, t.servers);
    } else if (family == "clock") {
      // A step of 100 ms to 10 s either way (an NTP correction, a VM
      // restored from a snapshot), sometimes with a drift far worse than a
      // real crystal's (up to 1 %), to make slow leases show.
      fault["node"] = pick(rng, t.servers);
      const double step_s = 0.1 * std::pow(100.0, rng.uniform());
      fault["offset"] = (rng.chance(0.5) ? "-" : "+") + duration_text(step_s);
      if (rng.chance(0.5)) fault["drift"] = std::round(rng.uniform(-0.01, 0.01) * 10000.0) / 10000.0;
    } else if (family == "slow_cpu") {
      fault["node"] = pick(rng, t.servers);
      fault["factor"] = static_cast<int>(2 + rng.below(19)); // 2x to 20x slower
    } else {
      fault["node"] = pick(rng, t.servers);
    }
    schedule.faults["x" + std::to_string(i) + "-" + family] = fault;
  }
  return schedule;
}

} // namespace faultlab::explore

namespace faultlab::explore {

std::string describe_fault(const scenario::Fault& f) {
  std::string text = f.name + ": " + scenario::to_string(f.type);
  auto join = [](const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names)
      out += (out.empty() ? "" : ", ") + n;
    return out;
  };
  if (f.type == scenario::Fault::Type::partition) {
    for (std::size_t g = 0; g < f.groups.size(); ++g)
      text += (g ? " | " : " ") + join(f.groups[g].nodes);
    if (f.one_way) text += " (one way, " + f.one_way->first + " to " + f.one_way->second + ")";
  } else if (f.type == scenario::Fault::Type::drop || f.type == scenario::Fault::Type::delay ||
             f.type == scenario::Fault::Type::duplicate || f.type == scenario::Fault::Type::reorder) {
    auto percent = [](double p) { return std::to_string(static_cast<int>(std::lround(p * 100))) + " %"; };
    if (f.type == scenario::Fault::Type::delay) text += " +" + util::format_duration(f.extra_delay_s);
    else text += " " + percent(f.probability);
    if (f.type == scenario::Fault::Type::reorder) text += " held up to " + util::format_duration(f.extra_delay_s);
    text += f.nodes.empty() ? " of every message" : " to or from " + join(f.nodes);
  } else if (f.type == scenario::Fault::Type::clock) {
    text += " " + f.node;
    if (f.clock_offset_s != 0)
      text += std::string(" steps ") + (f.clock_offset_s < 0 ? "back " : "forward ") +
              util::format_duration(std::fabs(f.clock_offset_s));
    if (f.clock_drift != 0) {
      char drift[64];
      std::snprintf(drift, sizeof drift, " drifts %+.2f %%", f.clock_drift * 100);
      text += drift;
    }
  } else if (f.type == scenario::Fault::Type::slow_cpu || f.type == scenario::Fault::Type::slow_disk) {
    char factor[64];
    std::snprintf(factor, sizeof factor, " %s %gx slower", f.node.c_str(), f.factor);
    text += factor;
  } else if (!f.node.empty()) {
    text += " " + f.node;
  }
  text += (f.duration_s ? " from " : " at ") + util::format_duration(f.at_s);
  if (f.duration_s) text += " to " + util::format_duration(f.at_s + *f.duration_s);
  return text;
}

} // namespace faultlab::explore
