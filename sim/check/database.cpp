// Checkers for what happens inside a database: an endpoint too slow for its
// latency SLO, a disk that filled up, a node that ran out of memory.
//
// latency_slo judges each endpoint (an op's `f`) per window, like
// availability, but counts a request as good only if it succeeded within
// the bound: the window's p-th percentile latency, with failed and
// timed-out requests counted as slower than any bound. So "p99 <= 300 ms"
// fails when more than 1% of the window's requests were slow or failed.
//
// disk_full and oom read the database's incidents, which its model records
// in the history as ops of the database's own name (f "disk_full" or
// "oom"), the way a provider's ledger records charges; each violation also
// names the requests that failed while the database was down because of it.
#include "check/checker.hpp"
#include "check/describe.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace faultlab::check {
namespace {

using history::Op;
using history::Outcome;

constexpr std::size_t kMaxOpsListed = 20;

std::string ms(double seconds) {
  char text[64];
  if (seconds >= 10) std::snprintf(text, sizeof text, "%.1f s", seconds);
  else std::snprintf(text, sizeof text, "%.0f ms", seconds * 1e3);
  return text;
}

std::string percent(double fraction) {
  char text[64];
  std::snprintf(text, sizeof text, "%g%%", 100.0 * fraction);
  return text;
}

struct Window {
  std::vector<double> latencies_s; // ok ops
  std::vector<std::int64_t> bad;   // slow, failed or timed out, in id order
  std::int64_t attempts = 0;
};

// Failed requests are counted from the incident up to `horizon_s` after it.
std::vector<Violation> incidents(const history::History& history, const std::string& f, const char* check,
                                 const std::string& what, double horizon_s) {
  std::vector<Violation> violations;
  for (const Op& incident : history.ops) {
    if (incident.f != f || incident.outcome != Outcome::ok) continue;
    // The database's own ops carry its name as client and its node as key.
    const std::string& database = incident.client;
    Violation v;
    v.check = check;
    v.time_s = incident.invoke_s;
    std::int64_t failed_after = 0;
    for (const Op& op : history.ops) {
      if (op.client == database || op.final_read || op.invoke_s < incident.invoke_s ||
          op.invoke_s > incident.invoke_s + horizon_s)
        continue;
      if (op.outcome == Outcome::ok) continue;
      ++failed_after;
      if (v.ops.size() < kMaxOpsListed) v.ops.push_back(op.id);
    }
    v.ops.push_back(incident.id);
    v.message = "database " + database + " " + what + " at " + format_time(incident.invoke_s) + " (" +
                incident.error + "); " + std::to_string(failed_after) + " request" +
                (failed_after == 1 ? "" : "s") + " failed " +
                (std::isfinite(horizon_s) ? "in the " + ms(horizon_s) + " after it" : "from then on");
    violations.push_back(std::move(v));
  }
  return violations;
}

} // namespace

std::vector<Violation> check_latency_slo(const history::History& history, const CheckOptions& options) {
  std::vector<Violation> violations;
  if (!(options.window_s > 0) || !std::isfinite(options.window_s)) return violations;
  std::map<std::pair<std::string, double>, Window> windows;
  for (const Op& op : history.ops) {
    if (op.final_read || op.complete_s == history::kNever) continue;
    auto own = options.endpoint_latency_s.find(op.f);
    if (!options.endpoint_latency_s.empty() && own == options.endpoint_latency_s.end()) continue;
    const double bound_s = own != options.endpoint_latency_s.end() ? own->second : options.latency_bound_s;
    Window& w = windows[{op.f, std::floor(op.invoke_s / options.window_s)}];
    ++w.attempts;
    const double latency_s = op.complete_s - op.invoke_s;
    if (op.outcome == Outcome::ok) w.latencies_s.push_back(latency_s);
    if (op.outcome != Outcome::ok || latency_s > bound_s) w.bad.push_back(op.id);
  }
  for (auto& [where, w] : windows) {
    const auto& [endpoint, index] = where;
    if (w.attempts < options.min_window_ops) continue;
    auto own = options.endpoint_latency_s.find(endpoint);
    const double bound_s = own != options.endpoint_latency_s.end() ? own->second : options.latency_bound_s;
    const double good = static_cast<double>(w.attempts - static_cast<std::int64_t>(w.bad.size()));
    if (good / static_cast<double>(w.attempts) >= options.latency_percentile - 1e-12) continue;
    // The percentile itself, with failures at the slow end.
    std::sort(w.latencies_s.begin(), w.latencies_s.end());
    const auto rank = static_cast<std::size_t>(
        std::ceil(options.latency_percentile * static_cast<double>(w.attempts))) - 1;
    const std::string observed =
        rank < w.latencies_s.size() ? ms(w.latencies_s[rank]) : std::string("a failure (failed or timed out)");
    Violation v;
    v.check = "latency_slo";
    v.time_s = index * options.window_s;
    v.ops = w.bad;
    if (v.ops.size() > kMaxOpsListed) v.ops.resize(kMaxOpsListed);
    const std::int64_t failed = static_cast<std::int64_t>(w.attempts) - static_cast<std::int64_t>(w.latencies_s.size());
    std::string p = percent(options.latency_percentile);
    p.pop_back(); // "99%" -> "99": the label is p99
    v.message = "endpoint " + endpoint + ": p" + p + " was " + observed + " between " + format_time(v.time_s) + " and " +
                format_time(v.time_s + options.window_s) + ", above its " + ms(bound_s) + " SLO (" +
                std::to_string(w.bad.size()) + " of " + std::to_string(w.attempts) + " requests slow or failed, " +
                std::to_string(failed) + " of them failed)";
    violations.push_back(std::move(v));
  }
  sort_violations(violations);
  return violations;
}

std::vector<Violation> check_disk_full(const history::History& history, const CheckOptions& options) {
  (void)options;
  auto violations = incidents(history, "disk_full", "disk_full", "ran out of disk", history::kNever);
  sort_violations(violations);
  return violations;
}

std::vector<Violation> check_oom(const history::History& history, const CheckOptions& options) {
  auto violations = incidents(history, "oom", "oom", "was killed for running out of memory", options.window_s);
  sort_violations(violations);
  return violations;
}

} // namespace faultlab::check
