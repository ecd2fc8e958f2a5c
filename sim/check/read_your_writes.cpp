// read_your_writes: a session wrote a value, saw the write acknowledged, and
// then read the same key and got an older value, as if its own write had
// not happened.
//
// Users notice this one first: they save their profile, the page reloads
// from a lagging replica or a stale cache and shows the old profile, and
// they save again or file a bug. It is judged per session (client and
// process), since other sessions are not promised to see the write at once:
// that is stale_read's business.
#include <algorithm>
#include <functional>
#include <unordered_map>

#include "check/checker.hpp"
#include "check/describe.hpp"

namespace faultlab::check {
namespace {

using history::Op;
using history::Outcome;

// A max segment tree over values[0..n) answering: the largest index j < end
// with values[j] > threshold. O(log n) per query.
class RightmostAbove {
public:
  explicit RightmostAbove(const std::vector<double>& values)
      : size_(values.size()), max_(4 * std::max<std::size_t>(values.size(), 1), -history::kNever) {
    if (size_ > 0) build(1, 0, size_, values);
  }

  // -1 if there is none.
  long find(std::size_t end, double threshold) const {
    if (size_ == 0 || end == 0) return -1;
    return search(1, 0, size_, end, threshold);
  }

private:
  void build(std::size_t node, std::size_t lo, std::size_t hi, const std::vector<double>& values) {
    if (hi - lo == 1) {
      max_[node] = values[lo];
      return;
    }
    const std::size_t mid = lo + (hi - lo) / 2;
    build(2 * node, lo, mid, values);
    build(2 * node + 1, mid, hi, values);
    max_[node] = std::max(max_[2 * node], max_[2 * node + 1]);
  }

  long search(std::size_t node, std::size_t lo, std::size_t hi, std::size_t end, double threshold) const {
    if (lo >= end || !(max_[node] > threshold)) return -1;
    if (hi - lo == 1) return static_cast<long>(lo);
    const std::size_t mid = lo + (hi - lo) / 2;
    const long right = search(2 * node + 1, mid, hi, end, threshold);
    return right >= 0 ? right : search(2 * node, lo, mid, end, threshold);
  }

  std::size_t size_;
  std::vector<double> max_;
};

// Names one session (client and process) and one key: the writes it promises to read back.
struct Session {
  std::string_view client;
  std::int64_t process;
  std::size_t key;
  bool operator==(const Session& other) const {
    return client == other.client && process == other.process && key == other.key;
  }
};

struct SessionHash {
  std::size_t operator()(const Session& session) const {
    std::size_t hash = std::hash<std::string_view>{}(session.client);
    hash = hash * 1000003u ^ std::hash<std::int64_t>{}(session.process);
    return hash * 1000003u ^ session.key;
  }
};

struct SessionWrites {
  std::vector<const Op*> writes;  // sorted by (complete_s, id)
  std::vector<double> complete_s; // writes[i]->complete_s
  std::vector<double> invoke_s;   // writes[i]->invoke_s
};

Violation describe(const Op& write, const Op& read) {
  Violation violation;
  violation.check = "read_your_writes";
  violation.time_s = read.invoke_s;
  violation.ops = {write.id, read.id};
  std::string got = format_value(read.value) + from_node(read);
  if (read.value) got += ", an older value";
  violation.message = describe_issuer(read) + " wrote " + format_assignment(write.key, write.value) +
                      " (acknowledged at " + format_time(write.complete_s) + "), then read " +
                      format_key(read.key) + " at " + format_time(read.invoke_s) + " and got " + got +
                      ": its own write was not visible to it";
  return violation;
}

} // namespace

std::vector<Violation> check_read_your_writes(const history::History& history,
                                              const CheckOptions& /*options*/) {
  const KeyIndex keys(history);

  std::unordered_map<Session, std::size_t, SessionHash> session_ids;
  std::vector<SessionWrites> sessions;
  for (const Op& op : history.ops) {
    if (!op.is_write() || op.outcome != Outcome::ok) continue;
    const Session session{op.client, op.process, *keys.find(op.key)};
    const auto [it, inserted] = session_ids.emplace(session, sessions.size());
    if (inserted) sessions.emplace_back();
    sessions[it->second].writes.push_back(&op);
  }
  std::vector<RightmostAbove> newest_newer;
  newest_newer.reserve(sessions.size());
  for (SessionWrites& session : sessions) {
    std::sort(session.writes.begin(), session.writes.end(), [](const Op* a, const Op* b) {
      return a->complete_s != b->complete_s ? a->complete_s < b->complete_s : a->id < b->id;
    });
    for (const Op* write : session.writes) {
      session.complete_s.push_back(write->complete_s);
      session.invoke_s.push_back(write->invoke_s);
    }
    newest_newer.emplace_back(session.invoke_s);
  }

  std::vector<Violation> violations;
  for (const Op& read : history.ops) {
    if (!read.is_read() || read.outcome != Outcome::ok || read.final_read) continue;
    const std::optional<std::size_t> key = keys.find(read.key);
    if (!key) continue;
    const auto it = session_ids.find(Session{read.client, read.process, *key});
    if (it == session_ids.end()) continue; // this session never wrote the key
    const std::optional<double> settled_s = keys.origins(*key).settled_by(read.value);
    if (!settled_s) continue; // a value no write produced: not ours to judge

    // Own writes acknowledged before the read began are writes[0..end); the
    // value is older than one of them when its invoke_s > settled_s. Report
    // the newest such write.
    const SessionWrites& session = sessions[it->second];
    const auto end = static_cast<std::size_t>(
        std::lower_bound(session.complete_s.begin(), session.complete_s.end(), read.invoke_s) -
        session.complete_s.begin());
    const long newest = newest_newer[it->second].find(end, *settled_s);
    if (newest >= 0) violations.push_back(describe(*session.writes[static_cast<std::size_t>(newest)], read));
  }
  sort_violations(violations);
  return violations;
}

} // namespace faultlab::check
