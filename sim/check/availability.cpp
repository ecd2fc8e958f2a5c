// availability: an endpoint answered too few of its requests successfully
// within a time window, below its service-level objective.
//
// A total over the whole run hides outages: 99.9% over an hour is still
// three and a half minutes in which checkout was down for everyone. So ops
// are judged per endpoint (an op's `f`) and per window of `window_s`
// seconds, by invoke time, the way an SLO dashboard or an alert would see
// them. Every op counts as an attempt; only ok ones count as successes, since
// a timeout (info) is a failure from the user's side whatever the server did.
// Windows with fewer than `min_window_ops` ops are not judged: a handful of
// requests says nothing about a success rate.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "check/checker.hpp"
#include "check/describe.hpp"

namespace faultlab::check {
namespace {

using history::Op;
using history::Outcome;

constexpr std::size_t kMaxOpsListed = 20;

struct Window {
  std::int64_t attempts = 0;
  std::int64_t ok = 0;
  std::vector<std::int64_t> failed; // ids of the fail and info ops
};

std::string percent(double fraction, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f%%", decimals, 100.0 * fraction);
  return text;
}

double parse_percent(const std::string& text) {
  return std::strtod(text.c_str(), nullptr) / 100.0;
}

// The target with as few decimals as show it (at least one): 99.0%, 99.95%.
std::string format_target(double slo) {
  int decimals = 1;
  while (decimals < 4 && std::abs(parse_percent(percent(slo, decimals)) - slo) > 1e-9)
    ++decimals;
  return percent(slo, decimals);
}

// The measured rate with one decimal, or more where rounding would make it
// look as high as the target ("99.0% ... below its 99.0% SLO").
std::string format_rate(double rate, const std::string& target) {
  int decimals = 1;
  while (decimals < 6 && !(parse_percent(percent(rate, decimals)) < parse_percent(target)))
    ++decimals;
  return percent(rate, decimals);
}

Violation describe(const std::string& endpoint, double start_s, double window_s, const Window& window,
                   double slo) {
  Violation violation;
  violation.check = "availability";
  violation.time_s = start_s;
  violation.ops = window.failed;
  std::sort(violation.ops.begin(), violation.ops.end());
  if (violation.ops.size() > kMaxOpsListed) violation.ops.resize(kMaxOpsListed);

  const double rate = static_cast<double>(window.ok) / static_cast<double>(window.attempts);
  const std::string target = format_target(slo);
  const std::string requests = window.attempts == 1 ? " request" : " requests";
  violation.message = "endpoint " + endpoint + ": " + format_rate(rate, target) + " of " +
                      std::to_string(window.attempts) + requests + " succeeded between " +
                      format_time(start_s) + " and " + format_time(start_s + window_s) + ", below its " +
                      target + " SLO";
  return violation;
}

} // namespace

std::vector<Violation> check_availability(const history::History& history, const CheckOptions& options) {
  std::vector<Violation> violations;
  // Without a positive, finite window length there are no windows to judge.
  if (!(options.window_s > 0) || !std::isfinite(options.window_s)) return violations;

  // Keyed by (endpoint, window index); the index is a whole number kept as a
  // double so that no invoke time can overflow it.
  std::map<std::pair<std::string, double>, Window> windows;
  for (const Op& op : history.ops) {
    if (op.final_read) continue; // a check of the final state, not a user's request
    Window& window = windows[{op.f, std::floor(op.invoke_s / options.window_s)}];
    ++window.attempts;
    if (op.outcome == Outcome::ok)
      ++window.ok;
    else
      window.failed.push_back(op.id);
  }

  for (const auto& [where, window] : windows) {
    const auto& [endpoint, index] = where;
    if (window.attempts < options.min_window_ops) continue;
    const auto own = options.endpoint_slo.find(endpoint);
    const double slo = own != options.endpoint_slo.end() ? own->second : options.slo;
    const double rate = static_cast<double>(window.ok) / static_cast<double>(window.attempts);
    if (rate < slo)
      violations.push_back(describe(endpoint, index * options.window_s, options.window_s, window, slo));
  }
  sort_violations(violations);
  return violations;
}

} // namespace faultlab::check
