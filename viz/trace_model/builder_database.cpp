// The database's events in the builder: lock waits paired with the end of
// their statement, statements, pool waits and sampled levels.
#include "trace_model/builder.hpp"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <numeric>

namespace faultlab::viz {

namespace {
constexpr std::uint8_t kMaxLockRows = 4;        // like op rows: overlapping waits share at most this many
constexpr std::size_t kMaxOpenLockWaits = 1u << 20; // a limit on everything: a writer that never ends its waits

std::string wait_key(const std::string& component, const std::string& who) {
  return component + "\n" + who;
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", s);
  return buf;
}
} // namespace

std::string QueryEvent::statement() const {
  return who + (op >= 0 ? " (op " + std::to_string(op) + ")" : "") + " " + query;
}

void TraceBuilder::lock_wait(LockWait w) {
  ++t_.event_count;
  // A statement waits for one lock at a time (the table's, then an update's
  // row): a new wait of the same statement means the earlier one was granted.
  const std::string key = wait_key(w.component, w.who);
  end_lock_waits(w.component, w.who, w.t_start_s, LockWait::End::next_wait,
                 "granted at " + seconds(w.t_start_s) + "; then waited for another lock", -1);
  if (open_lock_waits_.size() >= kMaxOpenLockWaits) return;
  w.t_end_s = -1.0;
  open_lock_waits_[key].push_back(static_cast<std::uint32_t>(t_.lock_waits.size()));
  t_.lock_waits.push_back(std::move(w));
}

void TraceBuilder::end_lock_waits(const std::string& component, const std::string& who, double t_s,
                                  LockWait::End end, const std::string& ended, std::int64_t query) {
  auto it = open_lock_waits_.find(wait_key(component, who));
  if (it == open_lock_waits_.end()) return;
  for (std::uint32_t i : it->second) {
    LockWait& w = t_.lock_waits[i];
    w.t_end_s = std::max(t_s, w.t_start_s);
    w.end = end;
    w.ended = ended;
    w.query = query;
  }
  open_lock_waits_.erase(it);
}

void TraceBuilder::end_lock_waits_of(const std::string& component, double t_s, const std::string& why) {
  // An incident (OOM, disk full, promotion) ends every statement in progress.
  std::vector<std::string> whos;
  for (const auto& [key, waits] : open_lock_waits_)
    if (key.size() > component.size() && key.compare(0, component.size(), component) == 0 &&
        key[component.size()] == '\n')
      whos.push_back(key.substr(component.size() + 1));
  for (const std::string& who : whos)
    end_lock_waits(component, who, t_s, LockWait::End::incident,
                   "ended by the database's incident: " + (why.empty() ? std::string("?") : why), -1);
}

void TraceBuilder::query(QueryEvent q) {
  ++t_.event_count;
  const auto index = static_cast<std::int64_t>(t_.queries.size());
  char buf[160];
  std::snprintf(buf, sizeof buf, "the statement ran: %s at %.3f s, after %.3f s running", q.outcome.c_str(),
                q.t_s, q.run_s);
  end_lock_waits(q.component, q.statement(), q.t_s, LockWait::End::query, buf, index);
  t_.queries.push_back(std::move(q));
}

void TraceBuilder::level(const std::string& component, const LevelSample& s) {
  ++t_.event_count;
  auto it = std::find_if(t_.levels.begin(), t_.levels.end(),
                         [&](const DatabaseLevels& d) { return d.component == component; });
  if (it == t_.levels.end()) {
    t_.levels.push_back({component, {}});
    it = t_.levels.end() - 1;
  }
  it->samples.push_back(s);
}

void TraceBuilder::finish_database() {
  const double t_end = t_.end.t_s;
  for (auto& [key, waits] : open_lock_waits_)
    for (std::uint32_t i : waits) {
      LockWait& w = t_.lock_waits[i];
      w.t_end_s = std::max(w.t_start_s, t_end);
      w.end = LockWait::End::none;
      w.ended = "still waiting when the trace ends";
    }
  open_lock_waits_.clear();

  // Sort the statements, and keep the waits' indices into them right.
  std::vector<std::uint32_t> order(t_.queries.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return t_.queries[a].t_s < t_.queries[b].t_s; });
  std::vector<std::int64_t> new_index(order.size());
  std::vector<QueryEvent> sorted;
  sorted.reserve(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    new_index[order[i]] = static_cast<std::int64_t>(i);
    sorted.push_back(std::move(t_.queries[order[i]]));
  }
  t_.queries = std::move(sorted);
  for (LockWait& w : t_.lock_waits)
    if (w.query >= 0) w.query = new_index[static_cast<std::size_t>(w.query)];

  std::stable_sort(t_.lock_waits.begin(), t_.lock_waits.end(),
                   [](const LockWait& a, const LockWait& b) { return a.t_start_s < b.t_start_s; });
  std::stable_sort(t_.pool_waits.begin(), t_.pool_waits.end(),
                   [](const PoolWait& a, const PoolWait& b) { return a.t_s < b.t_s; });
  for (DatabaseLevels& d : t_.levels)
    std::stable_sort(d.samples.begin(), d.samples.end(),
                     [](const LevelSample& a, const LevelSample& b) { return a.t_s < b.t_s; });

  t_.lock_waits_by_op.clear();
  t_.queries_by_op.clear();
  for (std::size_t i = 0; i < t_.lock_waits.size(); ++i)
    if (t_.lock_waits[i].op >= 0) t_.lock_waits_by_op.emplace(t_.lock_waits[i].op, static_cast<std::uint32_t>(i));
  for (std::size_t i = 0; i < t_.queries.size(); ++i)
    if (t_.queries[i].op >= 0) t_.queries_by_op.emplace(t_.queries[i].op, static_cast<std::uint32_t>(i));

  // Per node lane: sub-rows (greedy interval packing, as for ops), then the index.
  std::vector<std::vector<double>> row_end(t_.lanes.size());
  for (std::size_t i = 0; i < t_.lock_waits.size(); ++i) {
    LockWait& w = t_.lock_waits[i];
    assert(w.t_start_s <= w.t_end_s);
    auto& ends = row_end[w.lane];
    std::size_t row = ends.size();
    for (std::size_t r = 0; r < ends.size(); ++r)
      if (ends[r] <= w.t_start_s) {
        row = r;
        break;
      }
    if (row == ends.size()) {
      // When every row is taken, the overflow piles up in the last one: the
      // first waits (often the cause, the migration) keep their rows visible.
      if (ends.size() < kMaxLockRows)
        ends.push_back(0.0);
      else
        row = kMaxLockRows - 1;
    }
    ends[row] = std::max(ends[row], w.t_end_s);
    w.row = static_cast<std::uint8_t>(row);
    t_.lanes[w.lane].lock_waits.add(static_cast<std::uint32_t>(i), w.t_start_s, w.t_end_s,
                                    w.end == LockWait::End::timeout, w.end == LockWait::End::incident);
  }
  for (std::size_t l = 0; l < t_.lanes.size(); ++l) {
    t_.lanes[l].lock_waits.finish();
    t_.lanes[l].lock_rows = static_cast<std::uint8_t>(row_end[l].size());
  }
}

} // namespace faultlab::viz
