#include "explore/shrink.hpp"

#include "explore/schedule.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

namespace faultlab::explore {

using scenario::Json;

namespace {

// Durations below this are not worth halving further.
constexpr double kMinFaultLength_s = 0.05;
constexpr double kMinSettle_s = 0.5;

std::optional<double> duration_at(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return util::parse_duration_s(it->get<std::string>());
}

std::vector<std::string> keys_of(const Json& document, const char* member) {
  std::vector<std::string> keys;
  auto it = document.find(member);
  if (it != document.end() && it->is_object())
    for (auto m = it->begin(); m != it->end(); ++m)
      keys.push_back(m.key());
  return keys;
}

Json without(const Json& document, const char* member, const std::vector<std::string>& names) {
  Json copy = document;
  for (const auto& name : names)
    copy[member].erase(name);
  return copy;
}

// Removes the array elements equal to `name`, at any depth.
void remove_mentions(Json& value, const std::string& name) {
  if (value.is_array()) {
    Json kept = Json::array();
    for (auto& item : value) {
      if (item.is_string() && item.get<std::string>() == name) continue;
      remove_mentions(item, name);
      kept.push_back(std::move(item));
    }
    value = std::move(kept);
  } else if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it)
      remove_mentions(it.value(), name);
  }
}

// The end of the last fault, or its start when it has no duration.
double last_fault_end_s(const Json& document) {
  double end = 0;
  if (document.contains("faults") && document["faults"].is_object())
    for (const auto& f : document["faults"]) {
      double at = duration_at(f, "at").value_or(0);
      end = std::max(end, at + duration_at(f, "duration").value_or(0));
    }
  return end;
}

double first_fault_start_s(const Json& document) {
  double start = HUGE_VAL;
  if (document.contains("faults") && document["faults"].is_object())
    for (const auto& f : document["faults"])
      start = std::min(start, duration_at(f, "at").value_or(0));
  return start;
}

// The workload cut to `duration_s`: faults that would start after it go,
// faults that would last past it end with it.
Json cut_to(const Json& document, double duration_s) {
  Json copy = document;
  copy["workload"]["duration"] = duration_text(duration_s);
  if (copy.contains("faults") && copy["faults"].is_object()) {
    Json kept = Json::object();
    for (auto it = copy["faults"].begin(); it != copy["faults"].end(); ++it) {
      Json f = it.value();
      double at = duration_at(f, "at").value_or(0);
      if (at >= duration_s) continue;
      if (auto length = duration_at(f, "duration"); length && at + *length > duration_s)
        f["duration"] = duration_text(std::max(0.001, duration_s - at));
      kept[it.key()] = f;
    }
    copy["faults"] = kept;
  }
  return copy;
}

// Everything `shift_s` earlier: the workload's start is cut off.
Json shifted(const Json& document, double shift_s) {
  Json copy = document;
  double duration = duration_at(copy["workload"], "duration").value_or(0);
  copy["workload"]["duration"] = duration_text(duration - shift_s);
  for (auto& f : copy["faults"])
    f["at"] = duration_text(duration_at(f, "at").value_or(0) - shift_s);
  return copy;
}

// A whole number at `value` halved (not below `floor`), or nothing to do.
bool halve_integer(Json& value, long long floor) {
  if (!value.is_number_integer() || value.get<long long>() <= floor) return false;
  value = std::max(floor, value.get<long long>() / 2);
  return true;
}

bool halve_rate(Json& arrival) {
  bool changed = false;
  auto halve = [&](Json& rate) {
    if (!rate.is_number() || rate.get<double>() < 0.2) return;
    rate = std::round(rate.get<double>() / 2 * 1000) / 1000;
    changed = true;
  };
  if (arrival.contains("rate_per_s")) halve(arrival["rate_per_s"]);
  if (arrival.contains("steps") && arrival["steps"].is_array())
    for (auto& step : arrival["steps"])
      if (step.is_object() && step.contains("rate_per_s")) halve(step["rate_per_s"]);
  return changed;
}

// Fields of components (and their nested settings), client groups and the
// latency table that may be left out: (JSON pointer, words for the log).
// Never a component's type, a client group's node or target, or a list of
// things (nodes, faults, groups), which the other reductions handle.
std::vector<std::pair<std::string, std::string>> removable_fields(const Json& document,
                                                                  const std::string& section) {
  std::vector<std::pair<std::string, std::string>> out;
  auto members = [&](const Json& object, const std::string& pointer, const std::string& what, int depth,
                     auto&& self) -> void {
    if (!object.is_object()) return;
    for (auto it = object.begin(); it != object.end(); ++it) {
      const std::string& key = it.key();
      if (key == "type" || key == "node" || key == "target") continue;
      const std::string child = scenario::pointer_append(pointer, key);
      out.push_back({child, what + "." + key});
      if (depth > 1 && it->is_object()) self(*it, child, what + "." + key, depth - 1, self);
    }
  };
  if (section == "components") {
    for (auto c = document["components"].begin(); c != document["components"].end(); ++c)
      members(*c, scenario::pointer_append("/components", c.key()), c.key(), 2, members);
  } else if (section == "topology") {
    if (document["topology"].contains("latency"))
      members(document["topology"]["latency"], "/topology/latency", "topology.latency", 1, members);
  } else if (document["workload"].contains("clients")) {
    for (auto c = document["workload"]["clients"].begin(); c != document["workload"]["clients"].end(); ++c)
      members(*c, scenario::pointer_append("/workload/clients", c.key()), "client group " + c.key(), 1,
              members);
  }
  return out;
}

} // namespace

Json strip_to_check(const Json& document, const std::string& check) {
  Json copy = document;
  // "$schema" is a path relative to the catalog, wrong wherever the file goes.
  for (const char* key : {"$schema", "variants", "expect", "workshop", "design", "seeds"})
    copy.erase(key);
  Json checks = Json::object();
  if (copy.contains("checks") && copy["checks"].contains(check)) checks[check] = copy["checks"][check];
  copy["checks"] = checks;
  return copy;
}

std::vector<Reduction> reductions(const Json& document) {
  std::vector<Reduction> out;
  auto add = [&](std::string what, Json candidate) {
    if (candidate != document) out.push_back({std::move(what), std::move(candidate)});
  };

  // Faults: all, then halves, then one at a time (ddmin over names).
  const auto faults = keys_of(document, "faults");
  if (!faults.empty()) add("remove every fault", without(document, "faults", faults));
  for (std::size_t chunk = faults.size() / 2; chunk >= 2; chunk /= 2)
    for (std::size_t start = 0; start < faults.size(); start += chunk) {
      std::vector<std::string> part(faults.begin() + static_cast<long>(start),
                                    faults.begin() +
                                        static_cast<long>(std::min(faults.size(), start + chunk)));
      add("remove faults " + part.front() + ".." + part.back(), without(document, "faults", part));
    }
  for (const auto& f : faults)
    add("remove fault " + f, without(document, "faults", {f}));

  // Client groups, components and nodes, one at a time.
  const auto clients =
      document.contains("workload") ? keys_of(document["workload"], "clients") : std::vector<std::string>{};
  for (const auto& c : clients) {
    Json candidate = document;
    candidate["workload"]["clients"].erase(c);
    add("remove client group " + c, candidate);
  }
  for (const auto& c : keys_of(document, "components"))
    add("remove component " + c, without(document, "components", {c}));
  if (document.contains("topology"))
    for (const auto& node : keys_of(document["topology"], "nodes")) {
      Json candidate = document;
      candidate["topology"]["nodes"].erase(node);
      for (const char* member : {"components", "faults"})
        if (candidate.contains(member)) remove_mentions(candidate[member], node);
      // A crash or pause of the node goes with it.
      if (candidate.contains("faults"))
        for (const auto& f : keys_of(candidate, "faults"))
          if (candidate["faults"][f].value("node", "") == node) candidate["faults"].erase(f);
      add("remove node " + node, candidate);
    }

  // Settings: every optional field of a component, a client group or the
  // latency table, one at a time (a default is smaller than a setting, and
  // often shows that the setting did not matter).
  for (const char* section : {"components", "topology", "workload"}) {
    if (!document.contains(section)) continue;
    for (const auto& [pointer, what] : removable_fields(document, section))
      add("remove " + what, [&] {
        Json candidate = document;
        Json::json_pointer p(pointer);
        candidate[p.parent_pointer()].erase(p.back());
        return candidate;
      }());
  }

  // Time: end with the last fault; drop the quiet start; halve what lasts.
  if (document.contains("workload") && document["workload"].is_object()) {
    const Json& workload = document["workload"];
    if (auto duration = duration_at(workload, "duration")) {
      double end = last_fault_end_s(document);
      if (end > 0 && end + 0.5 < *duration)
        add("end the workload when the last fault ends", cut_to(document, end + 0.5));
      if (*duration >= 1.0) add("halve the workload", cut_to(document, std::round(*duration * 500) / 1000));
      double start = first_fault_start_s(document);
      if (std::isfinite(start) && start >= 1.0) {
        add("start the workload at the first fault's time",
            shifted(document, std::floor(start * 1000) / 1000));
        add("start the workload halfway to the first fault",
            shifted(document, std::floor(start * 500) / 1000));
      }
    }
    if (auto settle = duration_at(workload, "settle"); settle && *settle > kMinSettle_s) {
      Json candidate = document;
      candidate["workload"]["settle"] = duration_text(std::max(kMinSettle_s, *settle / 2));
      add("halve the settle time", candidate);
    }
  }
  for (const auto& f : faults) {
    auto length = duration_at(document["faults"][f], "duration");
    if (!length || *length / 2 < kMinFaultLength_s) continue;
    Json candidate = document;
    candidate["faults"][f]["duration"] = duration_text(*length / 2);
    add("halve fault " + f, candidate);
  }

  // Load: rates, sessions, keys.
  for (const auto& c : clients) {
    Json candidate = document;
    Json& group = candidate["workload"]["clients"][c];
    if (group.contains("arrival") && halve_rate(group["arrival"]))
      add("halve the rate of client group " + c, candidate);
    candidate = document;
    if (candidate["workload"]["clients"][c].contains("sessions") &&
        halve_integer(candidate["workload"]["clients"][c]["sessions"], 1))
      add("halve the sessions of client group " + c, candidate);
    candidate = document;
    Json& keys = candidate["workload"]["clients"][c];
    if (keys.contains("keys") && keys["keys"].contains("count") && halve_integer(keys["keys"]["count"], 1))
      add("halve the keys of client group " + c, candidate);
  }
  return out;
}

} // namespace faultlab::explore
