// What the checkers share: how they say things (times, values, who did what)
// and how they trace a value read back to the writes that could have made it.
//
// Internal to check/; not part of the checkers' public API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "check/violation.hpp"
#include "history/op.hpp"

namespace faultlab::check {

// ---- Wording ----------------------------------------------------------------

// "2.013 s" (3 decimals); "never" for kNever.
std::string format_time(double time_s);
// "17", or "nothing (the key did not exist yet)" for std::nullopt.
std::string format_value(const std::optional<std::int64_t>& value);
// "profile:3", or "the register" for single-register histories (empty key).
std::string format_key(const std::string& key);
// "profile:3=17", or "the value 17" for single-register histories.
std::string format_assignment(const std::string& key, const std::optional<std::int64_t>& value);
// "users session 3" when the op names its client, else "process 3".
std::string describe_issuer(const history::Op& op);
// " from db-2" when the op names the node that answered, else "".
std::string from_node(const history::Op& op);

// Sorts by (time_s, ops), then message, so output never depends on the
// order in which a checker happened to find things.
void sort_violations(std::vector<Violation>& violations);

// ---- Where a value came from --------------------------------------------------

// For one key: for each value, the writes that could have produced it (ok and
// info writes; fail writes never took effect), read the most favourable way.
class ValueOrigins {
public:
  void add_write(const history::Op& write);

  // The time after which every write that could have produced `value` had
  // certainly taken effect: -infinity for the initial state (std::nullopt),
  // kNever if one of them is an info write (it may take effect at any time).
  // std::nullopt if no write could have produced the value.
  //
  // The value "is older than" write W exactly when this is < W.invoke_s:
  // then every candidate precedes W, so no interpretation escapes.
  std::optional<double> settled_by(const std::optional<std::int64_t>& value) const;

private:
  std::unordered_map<std::int64_t, double> settled_s_;
  // The initial state precedes every write; writes of "nothing" (deletes),
  // if a history has them, are further candidates for reads of nothing.
  double initial_settled_s_ = -history::kNever;
};

// Dense ids for the keys that have writes, and each key's ValueOrigins.
// Holds views into the history's strings: the history must outlive it.
class KeyIndex {
public:
  explicit KeyIndex(const history::History& history);
  std::size_t size() const { return origins_.size(); }
  // The key's id, std::nullopt if no write names it.
  std::optional<std::size_t> find(std::string_view key) const;
  const ValueOrigins& origins(std::size_t key_id) const { return origins_[key_id]; }

private:
  std::unordered_map<std::string_view, std::size_t> ids_;
  std::vector<ValueOrigins> origins_;
};

// The ok writes of each key, in order of acknowledgement, with the running
// maximum of their invoke times: a value is older than a write W exactly
// when its settle time is below W.invoke_s, so the first write a value is
// older than is the first index where that maximum passes its settle time.
struct AckedWrites {
  std::vector<const history::Op*> writes; // sorted by (complete_s, id)
  std::vector<double> max_invoke_s;       // max invoke_s over writes[0..i]: non-decreasing
};
std::vector<AckedWrites> acked_writes_by_key(const history::History& history, const KeyIndex& keys);

// The first acknowledged write that `read`'s value is older than, if it was
// acknowledged before the read began; nullptr otherwise (also for keys never
// written and values no write produced).
const history::Op* first_newer_write(const history::Op& read, const KeyIndex& keys,
                                     const std::vector<AckedWrites>& by_key);

} // namespace faultlab::check
