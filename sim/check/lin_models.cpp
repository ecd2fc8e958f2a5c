#include "check/lin_models.hpp"

#include <cstdio>

#include "check/describe.hpp"
#include "util/input_error.hpp"

namespace faultlab::check::lin {
namespace {

// The model an op's f belongs to; nullptr for the ops every model ignores
// (a faultlab history's buys and charges).
const char* model_of(const std::string& f) {
  if (f == "read" || f == "write" || f == "cas") return "register";
  if (f == "acquire" || f == "release") return "mutex";
  if (f == "txn") return "multi-register";
  return nullptr;
}

const char* suggestion(const char* family) {
  const std::string name = family;
  if (name == "register") return "register, cas-register or kv";
  return family;
}

} // namespace

void refuse_other_models(const history::History& history, Model model) {
  const char* wanted = model == Model::mutex            ? "mutex"
                       : model == Model::multi_register ? "multi-register"
                                                        : "register";
  for (const history::Op& op : history.ops) {
    const char* family = model_of(op.f);
    if (family == nullptr || std::string(family) == wanted) continue;
    const bool vowel = std::string("aeiou").find(op.f[0]) != std::string::npos;
    throw util::InputError("model", "op " + std::to_string(op.id),
                           (vowel ? "an " : "a ") + op.f + " in a history checked with --model " + to_string(model) +
                               ": check it with --model " + suggestion(family));
  }
}

std::string out_of_budget_reason(const SearchResult& found, const LinearizabilityBudget& budget,
                                 const std::string& where, std::size_t ops) {
  if (found.outcome == SearchOutcome::out_of_states)
    return "the state budget of " + std::to_string(budget.max_states) + " remembered states ran out" + where + " (" +
           std::to_string(ops) + " ops)";
  char time_s[32];
  std::snprintf(time_s, sizeof time_s, "%g", budget.time_s);
  return std::string("the time budget of ") + time_s + " s ran out" + where + " (" + std::to_string(ops) +
         " ops, " + std::to_string(found.states) + " states remembered)";
}

void settle_verdict(LinResult& result) {
  sort_violations(result.violations);
  if (!result.violations.empty()) {
    result.verdict = LinVerdict::not_linearizable;
  } else if (!result.reason.empty()) {
    result.verdict = LinVerdict::unknown;
  } else {
    result.verdict = LinVerdict::linearizable;
  }
}

} // namespace faultlab::check::lin
