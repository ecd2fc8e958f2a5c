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
    const Op* first_newer = first_newer_write(read, keys, by_key);
    if (first_newer == nullptr) continue;
    const double staleness_s = read.invoke_s - first_newer->complete_s;
    if (staleness_s > options.stale_bound_s) violations.push_back(describe(*first_newer, read, staleness_s));
  }
  sort_violations(violations);
  return violations;
}

} // namespace faultlab::check
