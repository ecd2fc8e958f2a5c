// lost_writes: a write the client saw acknowledged is not in the final
// state, and the final value is one written before it, so no later write
// can explain its disappearance.
//
// This is the failure that costs the most in production: an order, a
// payment or a config change was confirmed to a user and then silently
// vanished, typically after a failover promoted a replica that had not
// received it, or an async flush was dropped. The history is judged only
// after the system was left to settle and read one last time.
#include "check/checker.hpp"
#include "check/describe.hpp"

namespace faultlab::check {
namespace {

using history::Op;
using history::Outcome;

Violation describe(const Op& write, const Op& final_read) {
  Violation violation;
  violation.check = "lost_writes";
  violation.time_s = write.complete_s;
  violation.ops = {write.id, final_read.id};
  std::string found = format_value(final_read.value);
  if (final_read.value) found += ", a value written before it";
  const std::string node = final_read.node.empty() ? "" : " on " + final_read.node;
  violation.message = format_assignment(write.key, write.value) + " was acknowledged at " +
                      format_time(write.complete_s) + ", but the final read of " + format_key(write.key) +
                      node + " found " + found + ": the acknowledged write was lost";
  return violation;
}

} // namespace

std::vector<Violation> check_lost_writes(const history::History& history, const CheckOptions& /*options*/) {
  const KeyIndex keys(history);

  // The final read of each key: ok, and if several, the latest invoked (ties: the latest id).
  std::vector<const Op*> final_reads(keys.size(), nullptr);
  for (const Op& op : history.ops) {
    if (!op.is_read() || !op.final_read || op.outcome != Outcome::ok) continue;
    const std::optional<std::size_t> key = keys.find(op.key);
    if (!key) continue; // never written: nothing to lose
    const Op*& current = final_reads[*key];
    if (current == nullptr || op.invoke_s > current->invoke_s ||
        (op.invoke_s == current->invoke_s && op.id > current->id)) {
      current = &op;
    }
  }

  // When the final value was certainly in place; std::nullopt for keys not
  // judged (no final read, or a final value that no write produced).
  std::vector<std::optional<double>> final_settled_s(keys.size());
  for (std::size_t key = 0; key < keys.size(); ++key) {
    if (final_reads[key] != nullptr)
      final_settled_s[key] = keys.origins(key).settled_by(final_reads[key]->value);
  }

  std::vector<Violation> violations;
  for (const Op& write : history.ops) {
    if (!write.is_write() || write.outcome != Outcome::ok) continue;
    const std::size_t key = *keys.find(write.key);
    const std::optional<double>& settled_s = final_settled_s[key];
    if (!settled_s || write.value == final_reads[key]->value) continue;
    // Lost only if every write that could have produced the final value
    // precedes this one; a concurrent one may legitimately have won.
    if (*settled_s < write.invoke_s) violations.push_back(describe(write, *final_reads[key]));
  }
  sort_violations(violations);
  return violations;
}

} // namespace faultlab::check
