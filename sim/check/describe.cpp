#include "check/describe.hpp"

#include "util/fixed_text.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace faultlab::check {

std::string format_time(double time_s) {
  if (std::isinf(time_s)) return time_s > 0 ? "never" : "the beginning";
  // Runs that simulate months read better in days (no catalog run shorter
  // than two days changes).
  if (time_s >= 2 * 86400.0) return util::fixed_text(time_s / 86400.0, 2, "day ");
  return util::fixed_text(time_s, 3, "", " s");
}

std::string format_value(const std::optional<std::int64_t>& value) {
  if (!value) return "nothing (the key did not exist yet)";
  return std::to_string(*value);
}

std::string format_key(const std::string& key) {
  return key.empty() ? "the register" : key;
}

std::string format_assignment(const std::string& key, const std::optional<std::int64_t>& value) {
  const std::string written = value ? std::to_string(*value) : "nothing";
  if (key.empty()) return "the value " + written;
  return key + "=" + written;
}

std::string describe_issuer(const history::Op& op) {
  if (op.client.empty()) return "process " + std::to_string(op.process);
  return op.client + " session " + std::to_string(op.process);
}

std::string from_node(const history::Op& op) {
  return op.node.empty() ? "" : " from " + op.node;
}

void sort_violations(std::vector<Violation>& violations) {
  std::sort(violations.begin(), violations.end(), [](const Violation& a, const Violation& b) {
    return std::tie(a.time_s, a.ops, a.message) < std::tie(b.time_s, b.ops, b.message);
  });
}

void ValueOrigins::add_write(const history::Op& write) {
  if (write.outcome == history::Outcome::fail) return; // it never took effect
  // An info write never "completes": it may take effect at any time.
  const double settled_s = write.outcome == history::Outcome::ok ? write.complete_s : history::kNever;
  if (!write.value) {
    initial_settled_s_ = std::max(initial_settled_s_, settled_s);
    return;
  }
  auto [it, inserted] = settled_s_.emplace(*write.value, settled_s);
  if (!inserted) it->second = std::max(it->second, settled_s);
}

std::optional<double> ValueOrigins::settled_by(const std::optional<std::int64_t>& value) const {
  if (!value) return initial_settled_s_;
  const auto it = settled_s_.find(*value);
  if (it == settled_s_.end()) return std::nullopt;
  return it->second;
}

KeyIndex::KeyIndex(const history::History& history) {
  for (const history::Op& op : history.ops) {
    if (!op.is_write()) continue;
    const auto [it, inserted] = ids_.emplace(op.key, origins_.size());
    if (inserted) origins_.emplace_back();
    origins_[it->second].add_write(op);
  }
}

std::optional<std::size_t> KeyIndex::find(std::string_view key) const {
  const auto it = ids_.find(key);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

std::vector<AckedWrites> acked_writes_by_key(const history::History& history, const KeyIndex& keys) {
  std::vector<AckedWrites> by_key(keys.size());
  for (const history::Op& op : history.ops)
    if (op.is_write() && op.outcome == history::Outcome::ok) by_key[*keys.find(op.key)].writes.push_back(&op);
  for (AckedWrites& acked : by_key) {
    std::sort(acked.writes.begin(), acked.writes.end(), [](const history::Op* a, const history::Op* b) {
      return a->complete_s != b->complete_s ? a->complete_s < b->complete_s : a->id < b->id;
    });
    double max_invoke_s = -history::kNever;
    for (const history::Op* write : acked.writes) {
      max_invoke_s = std::max(max_invoke_s, write->invoke_s);
      acked.max_invoke_s.push_back(max_invoke_s);
    }
  }
  return by_key;
}

const history::Op* first_newer_write(const history::Op& read, const KeyIndex& keys,
                                     const std::vector<AckedWrites>& by_key) {
  const std::optional<std::size_t> key = keys.find(read.key);
  if (!key) return nullptr; // never written: nothing to be stale against
  const std::optional<double> settled_s = keys.origins(*key).settled_by(read.value);
  if (!settled_s) return nullptr; // a value no write produced: not ours to judge
  const AckedWrites& acked = by_key[*key];
  const auto first = std::upper_bound(acked.max_invoke_s.begin(), acked.max_invoke_s.end(), *settled_s);
  if (first == acked.max_invoke_s.end()) return nullptr;
  const history::Op* write = acked.writes[static_cast<std::size_t>(first - acked.max_invoke_s.begin())];
  return write->complete_s < read.invoke_s ? write : nullptr;
}

} // namespace faultlab::check
