#include "analysis/saturation.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <ostream>

namespace faultlab::analysis {

namespace {
std::string percent_text(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f %%", fraction * 100);
  return buffer;
}

// Links are many (one per pair of nodes) and nearly always idle: the report
// lists those at least this busy and counts the others.
constexpr double kLinkListedFrom = 0.01;

bool busier(const ResourceUse& a, const ResourceUse& b) {
  if (a.utilization != b.utilization) return a.utilization > b.utilization;
  return a.id < b.id;
}
} // namespace

void judge(Saturation& saturation) {
  for (auto& r : saturation.resources) {
    r.saturated = false;
    r.why.clear();
    if (r.utilization >= kSaturatedAt) {
      r.saturated = true;
      r.why = percent_text(r.utilization) + (r.kind == "pool"   ? " of its connections in use"
                                             : r.kind == "link" ? " of its bandwidth used"
                                                                : " busy");
    } else if (r.kind == "pool" && r.wait_timeouts > 0) {
      r.saturated = true;
      r.why = std::to_string(r.wait_timeouts) + " call" + (r.wait_timeouts == 1 ? "" : "s") +
              " gave up waiting for a connection";
    } else if (r.kind == "pool" && r.mean_waiting >= 1) {
      char buffer[96];
      std::snprintf(buffer, sizeof buffer, "on average %.1f calls waiting for a connection", r.mean_waiting);
      r.saturated = true;
      r.why = buffer;
    }
  }
  std::stable_sort(saturation.resources.begin(), saturation.resources.end(), busier);
}

nlohmann::ordered_json saturation_json(const Saturation& saturation) {
  nlohmann::ordered_json j;
  j["threshold"] = kSaturatedAt;
  j["measured_s"] = saturation.measured_s;
  j["resources"] = nlohmann::ordered_json::array();
  nlohmann::ordered_json saturated = nlohmann::ordered_json::array();
  for (const auto& r : saturation.resources) {
    nlohmann::ordered_json row = {{"id", r.id},
                                  {"kind", r.kind},
                                  {"capacity", r.capacity},
                                  {"utilization", r.utilization},
                                  {"saturated", r.saturated},
                                  {"why", r.why}};
    if (r.kind == "pool") {
      row["peak_in_use"] = r.peak_in_use;
      row["mean_waiting"] = r.mean_waiting;
      row["max_waiting"] = r.max_waiting;
      row["wait_timeouts"] = r.wait_timeouts;
    }
    j["resources"].push_back(row);
    if (r.saturated) saturated.push_back(r.id);
  }
  j["saturated"] = saturated;
  return j;
}

std::vector<ResourceUse> resources_from_json(const nlohmann::json& resources) {
  std::vector<ResourceUse> out;
  if (!resources.is_array()) return out;
  for (const auto& row : resources) {
    ResourceUse r;
    r.id = row.value("id", "");
    r.kind = row.value("kind", "");
    r.capacity = row.value("capacity", "");
    r.utilization = row.value("utilization", 0.0);
    r.peak_in_use = row.value("peak_in_use", std::int64_t{0});
    r.mean_waiting = row.value("mean_waiting", 0.0);
    r.max_waiting = row.value("max_waiting", std::int64_t{0});
    r.wait_timeouts = row.value("wait_timeouts", std::int64_t{0});
    r.saturated = row.value("saturated", false);
    r.why = row.value("why", "");
    out.push_back(std::move(r));
  }
  return out;
}

void print_saturation(std::ostream& out, const Saturation& saturation) {
  char row[256];
  std::snprintf(row, sizeof row, "%.1f s", saturation.measured_s);
  out << "  saturation (share of each resource busy over the " << row << " run; saturated at "
      << percent_text(kSaturatedAt) << ", or a pool with calls queueing):\n";
  std::snprintf(row, sizeof row, "    %-26s %-20s %8s %8s %15s %8s\n", "resource", "capacity", "busy", "peak",
                "waiting mean/max", "gave up");
  out << row;
  std::size_t quiet_links = 0;
  double quiet_max = 0;
  for (const auto& r : saturation.resources) {
    if (r.kind == "link" && r.utilization < kLinkListedFrom && !r.saturated) {
      ++quiet_links;
      quiet_max = std::max(quiet_max, r.utilization);
      continue;
    }
    if (r.kind == "pool") {
      char waiting[48];
      std::snprintf(waiting, sizeof waiting, "%.1f/%lld", r.mean_waiting,
                    static_cast<long long>(r.max_waiting));
      std::snprintf(row, sizeof row, "    %-26s %-20s %8s %8lld %15s %8lld\n", r.id.c_str(),
                    r.capacity.c_str(), percent_text(r.utilization).c_str(),
                    static_cast<long long>(r.peak_in_use), waiting, static_cast<long long>(r.wait_timeouts));
    } else {
      std::snprintf(row, sizeof row, "    %-26s %-20s %8s\n", r.id.c_str(), r.capacity.c_str(),
                    percent_text(r.utilization).c_str());
    }
    out << row;
  }
  if (quiet_links)
    out << "    (" << quiet_links << " more link" << (quiet_links == 1 ? "" : "s") << ", each below "
        << percent_text(kLinkListedFrom) << "; the busiest of them at " << percent_text(quiet_max) << ")\n";
  out << "    saturated: ";
  bool any = false;
  for (const auto& r : saturation.resources)
    if (r.saturated) {
      out << (any ? "; " : "") << r.id << " (" << r.why << ")";
      any = true;
    }
  out << (any ? "" : "none") << "\n";
}

std::vector<std::string> sweep_saturation_lines(const std::vector<SweepPoint>& points) {
  // Per point, each resource at its worst seed (the highest share; saturated
  // if it was on any seed, with that seed's reason).
  std::vector<std::string> order; // resource ids in order of first appearance
  std::vector<std::map<std::string, ResourceUse>> worst(points.size());
  for (std::size_t p = 0; p < points.size(); ++p)
    for (const auto& seed : points[p].seeds)
      for (const auto& r : seed) {
        auto [it, added] = worst[p].emplace(r.id, r);
        if (added) {
          if (std::find(order.begin(), order.end(), r.id) == order.end()) order.push_back(r.id);
          continue;
        }
        ResourceUse& w = it->second;
        const bool was_saturated = w.saturated;
        const std::string why = w.why;
        if (r.utilization > w.utilization) w = r;
        if (was_saturated && !w.saturated) {
          w.saturated = true;
          w.why = why;
        }
      }
  struct Verdict {
    std::string id, kind;
    std::size_t first = 0; // point index where it first saturated
    bool saturated = false;
    ResourceUse at_first; // its measurement there
    double highest = 0;   // highest share over the sweep, and where
    std::size_t highest_at = 0;
  };
  std::vector<Verdict> verdicts;
  for (const auto& id : order) {
    Verdict v;
    v.id = id;
    bool seen = false;
    for (std::size_t p = 0; p < points.size(); ++p) {
      auto it = worst[p].find(id);
      if (it == worst[p].end()) continue;
      v.kind = it->second.kind;
      if (!seen || it->second.utilization > v.highest) {
        v.highest = it->second.utilization;
        v.highest_at = p;
        seen = true;
      }
      if (it->second.saturated && !v.saturated) {
        v.saturated = true;
        v.first = p;
        v.at_first = it->second;
      }
    }
    verdicts.push_back(std::move(v));
  }
  std::vector<const Verdict*> saturated, never;
  for (const auto& v : verdicts)
    (v.saturated ? saturated : never).push_back(&v);
  std::stable_sort(saturated.begin(), saturated.end(), [](const Verdict* a, const Verdict* b) {
    if (a->first != b->first) return a->first < b->first;
    return a->at_first.utilization > b->at_first.utilization;
  });
  std::stable_sort(never.begin(), never.end(), [](const Verdict* a, const Verdict* b) {
    if (a->highest != b->highest) return a->highest > b->highest;
    return a->id < b->id;
  });
  std::vector<std::string> lines;
  lines.push_back("saturation (README \"Saturation\"): a resource saturates at " +
                  percent_text(kSaturatedAt) + " busy, or a pool when calls queue for its connections");
  if (saturated.empty()) {
    std::string line = "first to saturate: none";
    if (!never.empty())
      line += " (the busiest, " + never.front()->id + ", reached " + percent_text(never.front()->highest) +
              " at " + points[never.front()->highest_at].label + ")";
    lines.push_back(line);
  }
  for (std::size_t i = 0; i < saturated.size(); ++i) {
    const Verdict& v = *saturated[i];
    lines.push_back(std::string(i == 0 ? "first to saturate: " : "then:              ") + v.id + " at " +
                    points[v.first].label + " (" + v.at_first.why + ")");
  }
  // What does not need to change: every other resource and its highest
  // share; the links summed up in one line unless one of them saturated.
  std::string stays;
  std::size_t links = 0;
  const Verdict* busiest_link = nullptr;
  for (const Verdict* v : never) {
    if (v->kind == "link") {
      ++links;
      if (!busiest_link) busiest_link = v;
      continue;
    }
    stays += (stays.empty() ? "" : ", ") + v->id + " (at most " + percent_text(v->highest) + ")";
  }
  if (links)
    stays += (stays.empty() ? "" : ", ") + std::to_string(links) + " link" + (links == 1 ? "" : "s") +
             " (at most " + percent_text(busiest_link->highest) + ", " + busiest_link->id + ")";
  if (!stays.empty() && !points.empty())
    lines.push_back("never saturated up to " + points.back().label + ": " + stays);
  return lines;
}

} // namespace faultlab::analysis
