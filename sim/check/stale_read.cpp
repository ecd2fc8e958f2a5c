// stale_read: a read returned a value older than a write that had already
// been acknowledged (to anyone) before the read began.
//
// This is what users see behind a lagging replica or a cache that is not
// invalidated: a price that was changed, a permission that was revoked, a
// balance that was already debited. Some designs accept bounded lag on
// purpose, so answers at most `stale_bound_s` behind are tolerated; the
// violation says how stale the answer was, which is usually the lesson.
#include <algorithm>

#include "check/checker.hpp"
#include "check/describe.hpp"

namespace faultlab::check {
namespace {

using history::Op;
using history::Outcome;

// The ok writes of one key, in order of acknowledgement.
struct AckedWrites {
  std::vector<const Op*> writes;    // sorted by (complete_s, id)
  std::vector<double> complete_s;   // writes[i]->complete_s
  std::vector<double> max_invoke_s; // max invoke_s over writes[0..i]: non-decreasing
};

std::vector<AckedWrites> acked_writes_by_key(const history::History& history, const KeyIndex& keys) {
  std::vector<AckedWrites> by_key(keys.size());
  for (const Op& op : history.ops) {
    if (op.is_write() && op.outcome == Outcome::ok) by_key[*keys.find(op.key)].writes.push_back(&op);
  }
  for (AckedWrites& acked : by_key) {
    std::sort(acked.writes.begin(), acked.writes.end(), [](const Op* a, const Op* b) {
      return a->complete_s != b->complete_s ? a->complete_s < b->complete_s : a->id < b->id;
    });
    double max_invoke_s = -history::kNever;
    for (const Op* write : acked.writes) {
      max_invoke_s = std::max(max_invoke_s, write->invoke_s);
      acked.complete_s.push_back(write->complete_s);
      acked.max_invoke_s.push_back(max_invoke_s);
    }
  }
  return by_key;
}

Violation describe(const Op& first_newer, const Op& read, double staleness_s) {
  Violation violation;
  violation.check = "stale_read";
  violation.time_s = read.invoke_s;
  violation.ops = {first_newer.id, read.id};
  violation.message = describe_issuer(read) + " read " + format_key(read.key) + " at " +
                      format_time(read.invoke_s) + " and got " + format_value(read.value) + from_node(read) +
                      ", but " + format_assignment(first_newer.key, first_newer.value) +
                      " had been acknowledged at " + format_time(first_newer.complete_s) +
                      ": the answer was " + format_time(staleness_s) + " stale";
  return violation;
}

} // namespace

std::vector<Violation> check_stale_read(const history::History& history, const CheckOptions& options) {
  const KeyIndex keys(history);
  const std::vector<AckedWrites> by_key = acked_writes_by_key(history, keys);

  std::vector<Violation> violations;
  for (const Op& read : history.ops) {
    if (!read.is_read() || read.outcome != Outcome::ok || read.final_read) continue;
    const std::optional<std::size_t> key = keys.find(read.key);
    if (!key) continue; // nothing was ever written: nothing to be stale against
    const std::optional<double> settled_s = keys.origins(*key).settled_by(read.value);
    if (!settled_s) continue; // a value no write produced: not ours to judge

    // The value is older than W exactly when W.invoke_s > settled_s. The
    // first acknowledged W with that property is the first index where the
    // running maximum of invoke_s exceeds settled_s.
    const AckedWrites& acked = by_key[*key];
    const auto first = std::upper_bound(acked.max_invoke_s.begin(), acked.max_invoke_s.end(), *settled_s);
    if (first == acked.max_invoke_s.end()) continue;
    const auto index = static_cast<std::size_t>(first - acked.max_invoke_s.begin());
    const Op& first_newer = *acked.writes[index];
    if (!(first_newer.complete_s < read.invoke_s)) continue; // acknowledged only after the read began

    const double staleness_s = read.invoke_s - first_newer.complete_s;
    if (staleness_s > options.stale_bound_s) violations.push_back(describe(first_newer, read, staleness_s));
  }
  sort_violations(violations);
  return violations;
}

} // namespace faultlab::check
