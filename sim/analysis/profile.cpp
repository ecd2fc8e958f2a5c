#include "analysis/profile.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

namespace faultlab::analysis {

double nearest_rank(const std::vector<double>& sorted, double percent) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(percent / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

ProfileBuilder::ProfileBuilder(const nlohmann::json& header_nodes) {
  if (!header_nodes.is_array()) return;
  for (const auto& node : header_nodes) {
    const std::string name = node.value("name", "");
    if (!node.contains("components") || !node["components"].is_array()) continue;
    for (const auto& c : node["components"]) {
      const std::string type = c.value("type", "");
      if (type == "service") service_nodes_.insert(name);
      if (type != "clients" && !component_of_.count(name)) component_of_[name] = c.value("component", name);
      components_on_[name].insert(c.value("component", ""));
    }
  }
}

void ProfileBuilder::add_line(const std::string& line) {
  // Only message and query events matter; skip the rest without parsing.
  const bool send = line.find("\"ev\":\"send\"") != std::string::npos;
  const bool deliver = !send && line.find("\"ev\":\"deliver\"") != std::string::npos;
  const bool query = !send && !deliver && line.find("\"ev\":\"query\"") != std::string::npos;
  const bool pool_wait =
      !send && !deliver && !query && line.find("\"ev\":\"pool_wait\"") != std::string::npos;
  if (!send && !deliver && !query && !pool_wait) return;
  const nlohmann::json e = nlohmann::json::parse(line, nullptr, false);
  if (e.is_discarded() || !e.is_object()) return;
  if (pool_wait) { // names no op: it belongs to the call its node sends at this same instant
    if (e.value("outcome", "") == "connection")
      last_pool_wait_[e.value("node", "")] = {e.value("t", 0.0), e.value("pool", ""),
                                              e.value("waited_s", 0.0)};
    return;
  }
  const std::int64_t op = e.value("op", std::int64_t{-1});
  if (op < 0) return;
  const double t = e.value("t", 0.0);
  OpCalls& calls = ops_[op];

  if (query) { // names what the open call to this node asked for
    const std::string node = e.value("node", "");
    for (auto& c : calls.calls)
      // The open call: one its caller gave up on might be named by its
      // retry's statement otherwise.
      if (c.callee == node && c.end_s < 0 && c.detail.empty()) {
        c.detail = e.value("query", "");
        break;
      }
    return;
  }
  const std::int64_t msg = e.value("msg", std::int64_t{-1});
  const std::string from = e.value("from", ""), to = e.value("to", "");
  if (deliver) {
    auto reply = replies_.find(msg);
    if (reply != replies_.end()) {
      Call& c = ops_[reply->second.first].calls[reply->second.second];
      if (c.end_s < 0) {
        c.end_s = t;
        c.answered = true;
      }
    } else {
      calls.serving[to].push_back(from); // a request `to` will answer
    }
    return;
  }
  // A send: the answer to one of this op's open calls, an answer to a
  // request this node serves, or (from a service node) a new call.
  for (std::size_t i = 0; i < calls.calls.size(); ++i) {
    Call& c = calls.calls[i];
    if (c.caller == to && c.callee == from && c.end_s < 0 && !c.reply_sent) {
      c.reply_sent = true;
      replies_[msg] = {op, i};
      auto& served = calls.serving[from];
      if (auto it = std::find(served.begin(), served.end(), to); it != served.end()) served.erase(it);
      return;
    }
  }
  // The caller moved on: calls of its still unanswered from an earlier
  // moment ended (gave up). Sends at the same instant are a fan-out.
  for (auto& c : calls.calls)
    if (c.caller == from && c.end_s < 0 && c.start_s < t) c.end_s = t;
  auto& served = calls.serving[from];
  if (auto it = std::find(served.begin(), served.end(), to); it != served.end()) {
    served.erase(it);
    return;
  }
  if (!service_nodes_.count(from) || from == to) return;
  Call c;
  c.caller = from;
  c.callee = to;
  c.kind = e.value("kind", "");
  c.start_s = t;
  if (auto wait = last_pool_wait_.find(from); wait != last_pool_wait_.end()) {
    if (wait->second.t == t && components_on_[to].count(wait->second.pool)) {
      c.pool = wait->second.pool;
      c.pool_wait_s = wait->second.waited_s;
    }
    last_pool_wait_.erase(wait);
  }
  calls.calls.push_back(std::move(c));
}

Profile ProfileBuilder::finish(const history::History& history,
                               const std::vector<std::string>& client_groups) const {
  struct Acc {
    EndpointProfile p;
    std::vector<double> latencies;
  };
  struct DepAcc {
    DependencyProfile p;
    std::vector<double> durations;
  };
  using Key = std::pair<std::string, std::string>;
  std::map<Key, Acc> endpoints;
  std::map<std::tuple<std::string, std::string, std::string>, DepAcc> deps;
  const std::set<std::string> groups(client_groups.begin(), client_groups.end());
  for (const auto& op : history.ops) {
    if (op.final_read || !groups.count(op.client)) continue;
    Acc& a = endpoints[{op.client, op.f}];
    a.p.client = op.client;
    a.p.endpoint = op.f;
    ++a.p.count;
    if (op.outcome == history::Outcome::ok) ++a.p.ok;
    if (op.outcome == history::Outcome::fail) ++a.p.fail;
    if (op.outcome == history::Outcome::info) ++a.p.info;
    const bool finished = std::isfinite(op.complete_s);
    if (!finished) {
      ++a.p.unfinished;
      continue; // no latency, and its open calls have no end either
    }
    const double latency_s = op.complete_s - op.invoke_s;
    a.latencies.push_back(latency_s);
    a.p.total_s += latency_s;
    auto found = ops_.find(op.id);
    if (found == ops_.end()) continue;
    for (const auto& c : found->second.calls) {
      if (!c.pool.empty()) { // the wait for a pooled connection before the call
        DepAcc& w = deps[{op.client, op.f, c.pool + " (waiting for a connection)"}];
        w.p.client = op.client;
        w.p.endpoint = op.f;
        w.p.dependency = c.pool + " (waiting for a connection)";
        ++w.p.calls;
        w.p.total_s += c.pool_wait_s;
        w.durations.push_back(c.pool_wait_s);
      }
      // Time the client waited on it: an answer after the client gave up
      // counts only up to then.
      const double end_s = std::min(c.end_s < 0 ? op.complete_s : c.end_s, op.complete_s);
      if (end_s < c.start_s) continue;
      auto component = component_of_.find(c.callee);
      const std::string name = component == component_of_.end() ? c.callee : component->second;
      const std::string label = c.detail.empty() ? name + " (" + c.kind + ")" : name + "." + c.detail;
      DepAcc& d = deps[{op.client, op.f, label}];
      d.p.client = op.client;
      d.p.endpoint = op.f;
      d.p.dependency = label;
      ++d.p.calls;
      if (!c.answered) ++d.p.unanswered;
      d.p.total_s += end_s - c.start_s;
      d.durations.push_back(end_s - c.start_s);
    }
  }
  Profile profile;
  for (auto& [key, a] : endpoints) {
    std::sort(a.latencies.begin(), a.latencies.end());
    a.p.error_rate =
        a.p.count ? static_cast<double>(a.p.fail + a.p.info) / static_cast<double>(a.p.count) : 0;
    a.p.p50_s = nearest_rank(a.latencies, 50);
    a.p.p95_s = nearest_rank(a.latencies, 95);
    a.p.p99_s = nearest_rank(a.latencies, 99);
    a.p.max_s = a.latencies.empty() ? 0 : a.latencies.back();
    profile.endpoints.push_back(a.p);
  }
  for (auto& [key, d] : deps) {
    std::sort(d.durations.begin(), d.durations.end());
    d.p.mean_s = d.p.calls ? d.p.total_s / static_cast<double>(d.p.calls) : 0;
    d.p.p99_s = nearest_rank(d.durations, 99);
    const double base = endpoints[{d.p.client, d.p.endpoint}].p.total_s;
    d.p.share = base > 0 ? d.p.total_s / base : 0;
    profile.dependencies.push_back(d.p);
  }
  // Most time first; ties by name (std::stable_sort keeps the map's order).
  std::stable_sort(
      profile.dependencies.begin(), profile.dependencies.end(),
      [](const DependencyProfile& a, const DependencyProfile& b) { return a.total_s > b.total_s; });
  return profile;
}

namespace {
// The slowest class x endpoint (highest p99, ties by order) and its biggest dependency.
const EndpointProfile* slowest(const Profile& profile) {
  const EndpointProfile* worst = nullptr;
  for (const auto& e : profile.endpoints)
    if (e.count > e.unfinished && (!worst || e.p99_s > worst->p99_s)) worst = &e;
  return worst;
}
const DependencyProfile* biggest(const Profile& profile, const EndpointProfile& e) {
  for (const auto& d : profile.dependencies) // sorted: the first one is the biggest
    if (d.client == e.client && d.endpoint == e.endpoint) return &d;
  return nullptr;
}

std::string duration_text(double s) {
  char buffer[32];
  if (s >= 1)
    std::snprintf(buffer, sizeof buffer, "%.2f s", s);
  else
    std::snprintf(buffer, sizeof buffer, "%.1f ms", s * 1000);
  return buffer;
}
std::string percent_text(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f %%", fraction * 100);
  return buffer;
}
} // namespace

nlohmann::ordered_json profile_json(const Profile& profile) {
  nlohmann::ordered_json j;
  j["percentiles"] = "nearest-rank";
  j["endpoints"] = nlohmann::ordered_json::array();
  for (const auto& e : profile.endpoints)
    j["endpoints"].push_back({{"client", e.client},
                              {"endpoint", e.endpoint},
                              {"count", e.count},
                              {"ok", e.ok},
                              {"fail", e.fail},
                              {"info", e.info},
                              {"unfinished", e.unfinished},
                              {"error_rate", e.error_rate},
                              {"p50_s", e.p50_s},
                              {"p95_s", e.p95_s},
                              {"p99_s", e.p99_s},
                              {"max_s", e.max_s},
                              {"total_s", e.total_s}});
  j["dependencies"] = nlohmann::ordered_json::array();
  for (const auto& d : profile.dependencies)
    j["dependencies"].push_back({{"client", d.client},
                                 {"endpoint", d.endpoint},
                                 {"dependency", d.dependency},
                                 {"calls", d.calls},
                                 {"unanswered", d.unanswered},
                                 {"mean_s", d.mean_s},
                                 {"p99_s", d.p99_s},
                                 {"total_s", d.total_s},
                                 {"share", d.share}});
  j["slowest"] = nullptr;
  if (const EndpointProfile* worst = slowest(profile)) {
    nlohmann::ordered_json s = {
        {"client", worst->client}, {"endpoint", worst->endpoint}, {"p99_s", worst->p99_s}};
    const DependencyProfile* d = biggest(profile, *worst);
    s["dependency"] = d ? nlohmann::ordered_json(d->dependency) : nlohmann::ordered_json(nullptr);
    s["share"] = d ? d->share : 0.0;
    j["slowest"] = s;
  }
  return j;
}

void print_profile(std::ostream& out, const Profile& profile) {
  constexpr std::size_t kTopDependencies = 5;
  char row[256];
  out << "  profile (latency of finished ops, nearest-rank; info = the client's wait until it gave up):\n";
  std::snprintf(row, sizeof row, "    %-12s %-14s %7s %7s %7s %7s %9s %9s %9s %9s %9s\n", "class", "endpoint",
                "count", "ok", "fail", "info", "errors", "p50", "p95", "p99", "max");
  out << row;
  for (const auto& e : profile.endpoints) {
    std::snprintf(row, sizeof row, "    %-12s %-14s %7lld %7lld %7lld %7lld %9s %9s %9s %9s %9s\n",
                  e.client.c_str(), e.endpoint.c_str(), static_cast<long long>(e.count),
                  static_cast<long long>(e.ok), static_cast<long long>(e.fail),
                  static_cast<long long>(e.info), percent_text(e.error_rate).c_str(),
                  duration_text(e.p50_s).c_str(), duration_text(e.p95_s).c_str(),
                  duration_text(e.p99_s).c_str(), duration_text(e.max_s).c_str());
    out << row;
  }
  if (!profile.dependencies.empty()) {
    out << "    top dependencies by time:\n";
    for (std::size_t i = 0; i < profile.dependencies.size() && i < kTopDependencies; ++i) {
      const auto& d = profile.dependencies[i];
      out << "      " << d.endpoint << " (" << d.client << ") -> " << d.dependency << ": " << d.calls
          << " calls";
      if (d.unanswered) out << " (" << d.unanswered << " unanswered)";
      out << ", mean " << duration_text(d.mean_s) << ", p99 " << duration_text(d.p99_s) << ", "
          << percent_text(d.share) << " of the endpoint's time\n";
    }
  }
  if (const EndpointProfile* worst = slowest(profile)) {
    out << "    slowest: " << worst->endpoint << " for class " << worst->client << ": p99 "
        << duration_text(worst->p99_s);
    if (const DependencyProfile* d = biggest(profile, *worst))
      out << ", " << percent_text(d->share) << " of it in " << d->dependency;
    out << "\n";
  }
}

} // namespace faultlab::analysis
