#include "trace_model/lock_waits.hpp"

#include <algorithm>
#include <cstdio>

namespace faultlab::viz {

namespace {
std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string blocker_words(const Blocker& b) {
  return b.who + " (" + (b.holds ? "holds " : "waits for ") + b.mode + ")";
}

// "A (holds X); B (waits for Y) and 2 more"
std::string blockers_words(const Behind& b) {
  std::string s;
  for (const Blocker& x : b.blockers)
    s += (s.empty() ? "" : "; ") + blocker_words(x);
  for (const std::string& u : b.unparsed)
    s += (s.empty() ? "" : "; ") + u;
  if (b.more > 0) s += " and " + std::to_string(b.more) + " more";
  return s.empty() ? std::string("(nobody named)") : s;
}
} // namespace

Behind parse_behind(const std::string& behind) {
  Behind out;
  std::size_t start = 0;
  while (start < behind.size()) {
    std::size_t end = behind.find("; ", start);
    if (end == std::string::npos) end = behind.size();
    const std::string item = behind.substr(start, end - start);
    start = end + 2;
    if (item.empty()) continue;
    long long n = 0;
    if (std::sscanf(item.c_str(), "and %lld more", &n) == 1) {
      out.more += n;
      continue;
    }
    // The mode is the last words: "<who> holds <MODE>" or "<who> waits for <MODE>".
    const std::size_t holds = item.rfind(" holds ");
    const std::size_t waits = item.rfind(" waits for ");
    if (holds != std::string::npos && (waits == std::string::npos || holds > waits))
      out.blockers.push_back({item.substr(0, holds), item.substr(holds + 7), true});
    else if (waits != std::string::npos)
      out.blockers.push_back({item.substr(0, waits), item.substr(waits + 11), false});
    else
      out.unparsed.push_back(item);
  }
  return out;
}

const LockWait* open_lock_wait(const Trace& trace, const std::string& component, const std::string& lock,
                               const std::string& who, double t_s) {
  // Waits are sorted by start: look back from the last one that started by t_s.
  auto it = std::upper_bound(trace.lock_waits.begin(), trace.lock_waits.end(), t_s,
                             [](double t, const LockWait& w) { return t < w.t_start_s; });
  while (it != trace.lock_waits.begin()) {
    --it;
    if (it->who == who && it->lock == lock && it->component == component && it->t_end_s >= t_s) return &*it;
  }
  return nullptr;
}

std::vector<ChainLink> wait_chain(const Trace& trace, const LockWait& w) {
  std::vector<ChainLink> out;
  const LockWait* at = &w;
  std::vector<const LockWait*> seen;
  while (at && out.size() < kMaxChain) {
    seen.push_back(at);
    const Behind b = parse_behind(at->behind);
    const std::string lead = at == &w ? at->who + " waits for " + at->mode + " on " + at->lock + " behind "
                                      : "which waits behind ";
    out.push_back({lead + blockers_words(b), at});
    // Follow the first blocker that is itself waiting, at the time `w` began to wait.
    const LockWait* next = nullptr;
    for (const Blocker& x : b.blockers) {
      if (x.holds) continue;
      next = open_lock_wait(trace, at->component, at->lock, x.who, w.t_start_s);
      if (next) break;
    }
    if (next && std::find(seen.begin(), seen.end(), next) != seen.end()) break; // a cycle: say no more
    at = next;
  }
  return out;
}

std::string describe_lock_wait(const Trace& trace, const LockWait& w) {
  std::string s;
  for (const ChainLink& link : wait_chain(trace, w))
    s += (s.empty() ? "" : ",\n") + link.words;
  s += "\nwaited from " + fmt("%.3f s", w.t_start_s) + " to " + fmt("%.3f s", w.t_end_s) + " (" +
       fmt("%.3f s", w.t_end_s - w.t_start_s) + "), " + std::to_string(w.queue) + " in the queue at its start";
  s += "\n" + w.ended;
  if (w.query >= 0) s += "\n" + describe_query(trace.queries[static_cast<std::size_t>(w.query)]);
  return s;
}

std::string format_bytes(double bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  std::size_t u = 0;
  while (bytes >= 1024.0 && u + 1 < sizeof kUnits / sizeof kUnits[0]) {
    bytes /= 1024.0;
    ++u;
  }
  return fmt(u == 0 ? "%.0f" : bytes < 10 ? "%.1f" : "%.0f", bytes) + " " + kUnits[u];
}

std::string describe_query(const QueryEvent& q) {
  std::string s = q.query + ": " + (q.plan.empty() ? std::string("plan not given") : q.plan) + ", " +
                  fmt("%.0f", q.rows_examined) + " rows examined, " + fmt("%.1f ms CPU", q.cpu_s * 1000.0) +
                  ", " + format_bytes(q.io_bytes) + " read, ran " + fmt("%.1f ms", q.run_s * 1000.0) + ", " +
                  q.outcome;
  return s;
}

std::vector<const LockWait*> lock_waits_of_op(const Trace& trace, std::int64_t op) {
  std::vector<const LockWait*> out;
  auto [a, b] = trace.lock_waits_by_op.equal_range(op);
  for (auto it = a; it != b; ++it)
    out.push_back(&trace.lock_waits[it->second]);
  std::sort(out.begin(), out.end(), [](const LockWait* x, const LockWait* y) { return x->t_start_s < y->t_start_s; });
  return out;
}

std::vector<const QueryEvent*> queries_of_op(const Trace& trace, std::int64_t op) {
  std::vector<const QueryEvent*> out;
  auto [a, b] = trace.queries_by_op.equal_range(op);
  for (auto it = a; it != b; ++it)
    out.push_back(&trace.queries[it->second]);
  std::sort(out.begin(), out.end(), [](const QueryEvent* x, const QueryEvent* y) { return x->t_s < y->t_s; });
  return out;
}

} // namespace faultlab::viz
