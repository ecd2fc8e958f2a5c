// shard_skew: within a time window, one shard got far more of the requests
// than its share, and its users paid for it in latency.
//
// Sharding spreads load only if the keys spread: a celebrity account, a
// flash-sale item or a bad hash puts most requests on one shard, which
// saturates while the others idle, and adding shards does not help. So the
// load of each shard (ops routed to it, by invoke time, timed out or not) is
// compared per window of `window_s` seconds with the mean over all declared
// shards, idle ones included; beyond `skew_bound` times the mean the window
// is reported, with the hot shard's p99 latency next to the other shards'.
//
// Without `shard_nodes` it finds nothing: an idle shard leaves no op behind,
// and the history alone cannot tell shards from the other nodes that answer.
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

constexpr std::size_t kMaxOpsListed = 10;

// One window: the ops routed to each shard (indexes into the shard list).
struct Window {
  std::vector<std::vector<const Op*>> by_shard;
  std::int64_t total = 0;
};

double latency_s(const Op* op) {
  return op->complete_s - op->invoke_s;
}

// Nearest-rank p99 of the ok ops' latencies; std::nullopt without any.
std::optional<double> p99_s(const std::vector<const Op*>& ops) {
  std::vector<double> latencies;
  for (const Op* op : ops) {
    if (op->outcome == Outcome::ok) latencies.push_back(latency_s(op));
  }
  if (latencies.empty()) return std::nullopt;
  std::sort(latencies.begin(), latencies.end());
  const auto rank = static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(latencies.size())));
  return latencies[std::min(latencies.size(), std::max<std::size_t>(rank, 1)) - 1];
}

std::string format_ms(double seconds) {
  char text[64];
  std::snprintf(text, sizeof text, "%.3f ms", 1000.0 * seconds);
  return text;
}

std::string format_decimals(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

// The skew with two decimals, or more where rounding would make it look no
// higher than the bound ("2.00 times ... (bound 2.00)").
std::string format_skew(double skew, double skew_bound) {
  int decimals = 2;
  while (decimals < 6 && !(std::strtod(format_decimals(skew, decimals).c_str(), nullptr) > skew_bound))
    ++decimals;
  return format_decimals(skew, decimals);
}

// Its slowest ok ops, at most kMaxOpsListed, as ids in id order.
std::vector<std::int64_t> slowest_ok(const std::vector<const Op*>& ops) {
  std::vector<const Op*> ok;
  for (const Op* op : ops) {
    if (op->outcome == Outcome::ok) ok.push_back(op);
  }
  std::sort(ok.begin(), ok.end(), [](const Op* a, const Op* b) {
    return latency_s(a) != latency_s(b) ? latency_s(a) > latency_s(b) : a->id < b->id;
  });
  std::vector<std::int64_t> ids;
  for (std::size_t i = 0; i < ok.size() && i < kMaxOpsListed; ++i)
    ids.push_back(ok[i]->id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::string latency_clause(const std::optional<double>& hot_s, const std::optional<double>& others_s) {
  if (hot_s && others_s)
    return "its p99 latency was " + format_ms(*hot_s) + " against " + format_ms(*others_s) +
           " on the other shards";
  if (hot_s)
    return "its p99 latency was " + format_ms(*hot_s) + ", and the other shards had no successful requests";
  if (others_s)
    return "none of its requests succeeded, while the other shards had a p99 latency of " +
           format_ms(*others_s);
  return "no request on any shard succeeded";
}

Violation describe(const std::vector<std::string>& shards, const Window& window, std::size_t hot,
                   double start_s, double window_s, double skew, double skew_bound) {
  std::vector<const Op*> others;
  for (std::size_t shard = 0; shard < shards.size(); ++shard) {
    if (shard != hot)
      others.insert(others.end(), window.by_shard[shard].begin(), window.by_shard[shard].end());
  }
  const std::vector<const Op*>& hot_ops = window.by_shard[hot];

  Violation violation;
  violation.check = "shard_skew";
  violation.time_s = start_s;
  violation.ops = slowest_ok(hot_ops);
  const double share = static_cast<double>(hot_ops.size()) / static_cast<double>(window.total);
  const std::string requests = window.total == 1 ? " request" : " requests";
  const std::string shard_count =
      shards.size() == 1 ? "the 1 shard" : "the " + std::to_string(shards.size()) + " shards";
  violation.message = shards[hot] + " took " + format_decimals(100.0 * share, 1) + "% of the " +
                      std::to_string(window.total) + requests + " between " + format_time(start_s) + " and " +
                      format_time(start_s + window_s) + ", " + format_skew(skew, skew_bound) +
                      " times the mean load of " + shard_count + " (bound " + format_decimals(skew_bound, 2) +
                      "); " + latency_clause(p99_s(hot_ops), p99_s(others));
  return violation;
}

} // namespace

std::vector<Violation> check_shard_skew(const history::History& history, const CheckOptions& options) {
  std::vector<Violation> violations;
  // Without a positive, finite window length there are no windows to judge.
  if (!(options.window_s > 0) || !std::isfinite(options.window_s)) return violations;

  // The declared shards, each once, in the order given.
  std::vector<std::string> shards;
  std::map<std::string, std::size_t> shard_index;
  for (const std::string& shard : options.shard_nodes) {
    if (shard_index.emplace(shard, shards.size()).second) shards.push_back(shard);
  }
  if (shards.empty()) return violations;

  // Keyed by window index, a whole number kept as a double so no time overflows it.
  std::map<double, Window> windows;
  for (const Op& op : history.ops) {
    if (op.final_read) continue; // a check of the final state, not load
    const auto shard = shard_index.find(op.node);
    if (shard == shard_index.end()) continue; // not routed to a shard
    Window& window = windows[std::floor(op.invoke_s / options.window_s)];
    window.by_shard.resize(shards.size());
    window.by_shard[shard->second].push_back(&op);
    ++window.total;
  }

  for (const auto& [index, window] : windows) {
    if (window.total < options.min_window_ops) continue;
    // The hot shard: the most loaded, the first listed on a tie.
    std::size_t hot = 0;
    for (std::size_t shard = 1; shard < shards.size(); ++shard) {
      if (window.by_shard[shard].size() > window.by_shard[hot].size()) hot = shard;
    }
    const double mean = static_cast<double>(window.total) / static_cast<double>(shards.size());
    const double skew = static_cast<double>(window.by_shard[hot].size()) / mean;
    if (skew > options.skew_bound) {
      violations.push_back(describe(shards, window, hot, index * options.window_s, options.window_s, skew,
                                    options.skew_bound));
    }
  }
  sort_violations(violations);
  return violations;
}

} // namespace faultlab::check
