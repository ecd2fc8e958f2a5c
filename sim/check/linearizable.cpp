// linearizable: per-key Wing–Gong–Lowe search (see linearizable.hpp for the
// semantics and lin_search.hpp for the search), and the words for what it finds.
#include "check/linearizable.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>

#include "check/describe.hpp"
#include "check/lin_models.hpp"
#include "check/lin_prepare.hpp"
#include "check/lin_search.hpp"
#include "util/input_error.hpp"

namespace faultlab::check {
namespace {

using history::Op;
using history::Outcome;
using lin::LinOp;
using lin::Value;

std::optional<lin::Kind> kind_of(const Op& op) {
  if (op.f == "read") return lin::Kind::read;
  if (op.f == "write") return lin::Kind::write;
  if (op.f == "cas") return lin::Kind::cas;
  return std::nullopt;
}

// The write (or cas) that most plausibly set `value` before `before_s`: the
// latest invoked one that began by then; if none did, the first to begin.
const Op* writer_of(const history::History& history, const std::vector<std::size_t>& members, const Value& value,
                    double before_s) {
  const Op* best = nullptr;
  for (std::size_t index : members) {
    const Op& op = history.ops[index];
    if (op.outcome == Outcome::fail || op.is_read() || op.value != value) continue;
    const bool in_time = op.invoke_s <= before_s;
    const bool best_in_time = best != nullptr && best->invoke_s <= before_s;
    const bool better = best == nullptr || (in_time && !best_in_time) ||
                        (in_time && best_in_time && op.invoke_s > best->invoke_s) ||
                        (!in_time && !best_in_time && op.invoke_s < best->invoke_s);
    if (better) best = &op;
  }
  return best;
}

std::string value_with_origin(const Value& value, const Op* writer, const Value& initial) {
  if (writer == nullptr && value == initial && value) return std::to_string(*value) + ", the initial value";
  if (!value) return format_value(value);
  if (writer == nullptr) return std::to_string(*value);
  return std::to_string(*value) + ", written by " + describe_issuer(*writer) + " at " + format_time(writer->invoke_s);
}

Violation describe(const history::History& history, const std::vector<std::size_t>& members,
                   const lin::SearchResult& found, const std::vector<LinOp>& ops, const Value& initial) {
  const Op& stuck = history.ops[ops[found.stuck_op].source];
  const double before_s = stuck.complete_s;
  std::vector<std::int64_t> involved;

  std::string candidates;
  for (std::size_t i = 0; i < found.candidates.size(); ++i) {
    const Op* writer = writer_of(history, members, found.candidates[i], before_s);
    if (writer != nullptr) involved.push_back(writer->id);
    const std::string text = value_with_origin(found.candidates[i], writer, initial);
    if (found.candidates.size() == 1) {
      candidates = " (the only value that could be current then: " + text + ")";
    } else {
      candidates += (i == 0 ? " (the values that could be current then: " : "; or ") + text;
      if (i + 1 == found.candidates.size()) candidates += ")";
    }
  }

  const std::string who = describe_issuer(stuck);
  const std::string key = format_key(stuck.key);
  std::string message;
  if (stuck.is_read() || stuck.f == "cas") {
    const Value& sought = stuck.is_read() ? stuck.value : stuck.expected;
    const Op* origin = writer_of(history, members, sought, before_s);
    if (origin != nullptr) involved.push_back(origin->id);
    if (stuck.is_read()) {
      message = who + " read " + key + " at " + format_time(stuck.invoke_s) + " and got " + format_value(stuck.value) +
                from_node(stuck) + ", but ";
    } else {
      message = who + " changed " + key + " from " + format_value(stuck.expected) + " to " + format_value(stuck.value) +
                " with a compare-and-set at " + format_time(stuck.invoke_s) + from_node(stuck) + ", but ";
    }
    if (sought && origin == nullptr && sought != initial) {
      message += "no operation ever wrote " + std::to_string(*sought) + " to " + key;
    } else {
      message += "no order of the operations before it explains " +
                 std::string(stuck.is_read() ? "that value" : "finding that value there") + candidates;
    }
  } else {
    // Rare: a write can always take effect, so the search usually gets
    // further than its return; it stops here when every way of placing it
    // was already explored and led nowhere.
    const std::string until = stuck.outcome == Outcome::ok ? "its acknowledgment at " + format_time(stuck.complete_s)
                                                           : "the first read of its value";
    message = who + " wrote " + format_assignment(stuck.key, stuck.value) + " at " + format_time(stuck.invoke_s) +
              from_node(stuck) + ", but no order of the operations before " + until + " can place it" + candidates;
  }

  std::sort(involved.begin(), involved.end());
  involved.erase(std::unique(involved.begin(), involved.end()), involved.end());
  involved.erase(std::remove(involved.begin(), involved.end(), stuck.id), involved.end());
  involved.push_back(stuck.id);

  Violation violation;
  violation.check = "linearizable";
  violation.time_s = stuck.invoke_s;
  violation.ops = std::move(involved);
  violation.message = std::move(message);
  return violation;
}

// Reads (and cas) that want a value no write could have set by the time they
// ended: proven wrong without any search. Catching them first keeps a corrupt
// read after heavy concurrency from sending the search through every order.
std::vector<Violation> unexplained_values(const history::History& history, const std::vector<std::size_t>& members,
                                          const Value& initial) {
  std::map<std::int64_t, const Op*> first_writer; // value -> the first write or cas to begin that set it
  for (std::size_t index : members) {
    const Op& op = history.ops[index];
    if (op.outcome == Outcome::fail || op.is_read() || !op.value) continue;
    const Op*& first = first_writer[*op.value];
    if (first == nullptr || op.invoke_s < first->invoke_s) first = &op;
  }
  std::vector<Violation> violations;
  for (std::size_t index : members) {
    const Op& op = history.ops[index];
    if (op.outcome != Outcome::ok || !(op.is_read() || op.f == "cas")) continue;
    const Value& sought = op.is_read() ? op.value : op.expected;
    if (sought == initial) continue;
    const auto found = sought ? first_writer.find(*sought) : first_writer.end();
    const Op* origin = found == first_writer.end() ? nullptr : found->second;
    if (origin != nullptr && origin->invoke_s <= op.complete_s) continue;

    Violation violation;
    violation.check = "linearizable";
    violation.time_s = op.invoke_s;
    if (origin != nullptr) violation.ops.push_back(origin->id);
    violation.ops.push_back(op.id);
    const std::string key = format_key(op.key);
    if (op.is_read()) {
      violation.message = describe_issuer(op) + " read " + key + " at " + format_time(op.invoke_s) + " and got " +
                          format_value(sought) + from_node(op) + ", but ";
    } else {
      violation.message = describe_issuer(op) + " changed " + key + " from " + format_value(sought) + " to " +
                          format_value(op.value) + " with a compare-and-set at " + format_time(op.invoke_s) +
                          from_node(op) + ", but ";
    }
    if (!sought) {
      violation.message += key + " starts at " + format_value(initial) + " and no operation can make it absent";
    } else if (origin == nullptr) {
      violation.message += "no operation ever wrote " + std::to_string(*sought) + " to " + key;
    } else {
      violation.message += "the first write of " + std::to_string(*sought) + " (by " + describe_issuer(*origin) +
                           ") began only at " + format_time(origin->invoke_s) + ", after that answer came back at " +
                           format_time(op.complete_s);
    }
    violations.push_back(std::move(violation));
  }
  return violations;
}

} // namespace

const char* to_string(Model model) {
  switch (model) {
  case Model::register_:
    return "register";
  case Model::cas_register:
    return "cas-register";
  case Model::kv:
    return "kv";
  case Model::mutex:
    return "mutex";
  case Model::multi_register:
    return "multi-register";
  }
  return "kv";
}

std::optional<Model> model_from_string(std::string_view name) {
  if (name == "register") return Model::register_;
  if (name == "cas-register") return Model::cas_register;
  if (name == "kv") return Model::kv;
  if (name == "mutex") return Model::mutex;
  if (name == "multi-register") return Model::multi_register;
  return std::nullopt;
}

std::chrono::steady_clock::time_point deadline_of(const LinearizabilityBudget& budget) {
  using Clock = std::chrono::steady_clock;
  // Beyond about 300 years (from a clock that counts nanoseconds since boot
  // in 64 bits) the deadline would overflow: no limit at all is meant.
  constexpr double kNoLimit_s = 1e10;
  const Clock::time_point started = budget.started.value_or(Clock::now());
  const double time_s = std::max(0.0, budget.time_s);
  if (!(time_s < kNoLimit_s)) return Clock::time_point::max();
  return started + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(time_s));
}

LinResult check_linearizability(const history::History& history, Model model,
                                const LinearizabilityBudget& budget, const RegisterSemantics& semantics) {
  lin::Limits limits;
  limits.deadline = deadline_of(budget);
  limits.max_states = budget.max_states;
  lin::refuse_other_models(history, model);
  if (model == Model::mutex) return lin::check_mutex(history, budget, limits);
  if (model == Model::multi_register) return lin::check_multi_register(history, semantics, budget, limits);
  const Value initial = semantics.initial;

  // Partition by key (std::map: keys are checked and reported in a fixed order).
  std::map<std::string, std::vector<std::size_t>> partitions;
  for (std::size_t i = 0; i < history.ops.size(); ++i) {
    const Op& op = history.ops[i];
    if (!kind_of(op)) continue;
    if (model == Model::register_ && op.f == "cas")
      throw util::InputError("model", "op " + std::to_string(op.id),
                             "a cas in a register history: check it with the cas-register or kv model");
    // A read of nil that means "unknown" constrains nothing: leaving it out
    // changes no verdict (it could take effect anywhere in its interval).
    if (semantics.nil_read == NilRead::unknown && op.is_read() && !op.value) continue;
    partitions[model == Model::kv ? op.key : std::string()].push_back(i);
  }

  LinResult result;
  for (const auto& [key, members] : partitions) {
    std::vector<Violation> proven = unexplained_values(history, members, initial);
    if (!proven.empty()) {
      for (Violation& violation : proven) result.violations.push_back(std::move(violation));
      continue;
    }
    const std::vector<LinOp> ops = lin::prepare_ops(history, members, initial);
    const lin::SearchResult found = lin::search(ops, initial, limits);
    result.states_explored += found.states;
    const std::string where = model == Model::kv ? " on key " + format_key(key) : "";
    if (found.outcome == lin::SearchOutcome::stuck) {
      result.violations.push_back(describe(history, members, found, ops, initial));
    } else if (found.outcome != lin::SearchOutcome::linearizable) {
      if (result.reason.empty()) result.reason = lin::out_of_budget_reason(found, budget, where, ops.size());
      if (found.outcome == lin::SearchOutcome::out_of_time) break; // the clock is shared: every key after this one would run out too
    }
  }
  lin::settle_verdict(result);
  return result;
}

std::vector<Violation> check_linearizable(const history::History& history, const CheckOptions& /*options*/) {
  return check_linearizability(history, Model::kv, LinearizabilityBudget{}).violations;
}

} // namespace faultlab::check
