#include "cli/check_command.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <set>

#include "check/describe.hpp"
#include "check/linearizable.hpp"
#include "cli/check_input.hpp"
#include "util/input_error.hpp"
#include "util/input_file.hpp"

namespace faultlab::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::string seconds(double time_s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f s", time_s);
  return text;
}

// Whether an op is one the model judges (the rest of a faultlab history,
// buys and charges, is not about this object).
bool judged(const history::Op& op, check::Model model) {
  if (model == check::Model::mutex) return op.f == "acquire" || op.f == "release";
  if (model == check::Model::multi_register) return op.f == "txn";
  return op.f == "read" || op.f == "write" || op.f == "cas";
}

// A register is one object: a history about several keys checked as one
// register compares a read of one key with a write of another.
void refuse_several_keys(const history::History& history, const CheckArgs& args) {
  std::set<std::string> keys;
  for (const history::Op& op : history.ops)
    if (judged(op, check::Model::register_)) keys.insert(op.key);
  if (keys.size() <= 1) return;
  std::string named;
  std::size_t shown = 0;
  for (const std::string& key : keys) {
    if (shown == 3) break;
    named += (shown++ ? ", " : "") + util::quote(key);
  }
  if (keys.size() > shown) named += ", ...";
  throw util::InputError("multi-key", args.path + ": --model " + args.model,
                         "the history is about " + std::to_string(keys.size()) + " keys (" + named +
                             "), and a register is one object: use --model kv, which checks each key as a "
                             "register of its own");
}

void check_options(const CheckArgs& args) {
  if (!(args.budget_s > 0) || std::isnan(args.budget_s)) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", args.budget_s);
    throw util::InputError("bad-budget", "--budget-s", std::string("expected a positive number of seconds, got ") + text);
  }
  if (args.max_states == 0)
    throw util::InputError("bad-budget", "--max-states", "expected a positive number of states, got 0");
  if (args.max_input_mib == 0 || args.max_input_mib > (std::size_t{1} << 20))
    throw util::InputError("bad-option", "--max-input-mib",
                           "expected a size from 1 to 1048576 MiB, got " + std::to_string(args.max_input_mib));
}

int report(const CheckArgs& args, bool jsonl, bool model_defaulted, check::Model model,
           const check::RegisterSemantics& semantics, const history::History& history,
           const check::LinResult& result, double read_s, double took_s, std::ostream& out) {
  std::size_t counts[3] = {0, 0, 0};
  std::set<std::string> keys;
  for (const history::Op& op : history.ops) {
    if (!judged(op, model)) continue;
    ++counts[static_cast<int>(op.outcome)];
    if (model != check::Model::multi_register) keys.insert(op.key);
    for (const history::TxnStep& step : op.txn) keys.insert(step.key);
  }
  const std::size_t ops = counts[0] + counts[1] + counts[2];
  out << "faultlab check: " << args.path << " (" << (jsonl ? "faultlab JSON Lines" : "EDN") << ")\n";
  out << "  model:    " << check::to_string(model)
      << (model_defaulted ? " (the default for faultlab files: each key is a register of its own)" : "") << "\n";
  if (model != check::Model::mutex) out << "  values:   registers " << describe_semantics(semantics) << "\n";
  out << "  ops:      " << ops << " (" << counts[0] << " ok, " << counts[1] << " fail, " << counts[2] << " info)";
  if (model == check::Model::kv || model == check::Model::multi_register)
    out << " on " << keys.size() << (keys.size() == 1 ? " key" : " keys");
  out << "\n";
  out << "  checked:  in " << seconds(took_s) << " (reading the file: " << seconds(read_s) << "), "
      << result.states_explored << (result.states_explored == 1 ? " state" : " states") << " explored\n";
  switch (result.verdict) {
  case check::LinVerdict::linearizable:
    out << "  verdict:  linearizable\n";
    return kCheckLinearizable;
  case check::LinVerdict::not_linearizable:
    out << "  verdict:  NOT linearizable (" << result.violations.size()
        << (result.violations.size() == 1 ? " violation" : " violations") << ")\n";
    for (const check::Violation& violation : result.violations) {
      out << "  - at " << check::format_time(violation.time_s) << ": " << violation.message << " [ops";
      for (std::int64_t id : violation.ops) out << " " << id;
      out << "]\n";
    }
    if (!result.reason.empty()) out << "  (not every key was checked: " << result.reason << ")\n";
    return kCheckNotLinearizable;
  case check::LinVerdict::unknown:
    out << "  verdict:  unknown: " << result.reason << "; no violation was found before that ("
        << (result.reason.find("time budget") != std::string::npos
                ? "try a larger --budget-s)\n"
                : "try a larger --max-states if there is memory for it (16-32 bytes a state), or a history with "
                  "fewer concurrent ops)\n");
    return kCheckUnknown;
  }
  return kCheckUnknown;
}

} // namespace

int command_check(const CheckArgs& args, std::ostream& out, std::ostream& err) {
  // The time budget counts from here: reading a large file is part of it.
  const Clock::time_point started = Clock::now();
  try {
    check_options(args);
    const check::RegisterSemantics semantics = semantics_from(args);
    const std::string text = util::read_input_file(args.path, args.max_input_mib << 20, "history file",
                                                   " (raise the limit with --max-input-mib if it is a history)");
    const bool jsonl = is_faultlab_jsonl(text, args.path);
    // faultlab's own files always name their keys, so kv is the model that
    // fits them; an EDN history does not say what object it is about.
    const bool model_defaulted = args.model.empty() && jsonl;
    if (args.model.empty() && !jsonl)
      throw util::InputError("missing-option", "--model",
                             "an EDN history does not say which object it is about: give --model register, "
                             "cas-register, kv, mutex or multi-register");
    const std::optional<check::Model> model = check::model_from_string(model_defaulted ? "kv" : args.model);
    if (!model)
      throw util::InputError("bad-model", "--model",
                             "expected register, cas-register, kv, mutex or multi-register, got " +
                                 util::quote(args.model));

    const history::History history = parse_history(text, args.path, jsonl, *model == check::Model::kv);
    if (*model == check::Model::register_ || *model == check::Model::cas_register) refuse_several_keys(history, args);

    check::LinearizabilityBudget budget;
    budget.time_s = args.budget_s;
    budget.max_states = args.max_states;
    budget.started = started;
    const Clock::time_point searched = Clock::now();
    check::LinResult result;
    if (searched >= check::deadline_of(budget)) {
      result.verdict = check::LinVerdict::unknown;
      char budget_s[32];
      std::snprintf(budget_s, sizeof budget_s, "%g", args.budget_s);
      result.reason = std::string("the time budget of ") + budget_s + " s ran out while reading the file";
    } else {
      result = check::check_linearizability(history, *model, budget, semantics);
    }
    const Clock::time_point done = Clock::now();
    return report(args, jsonl, model_defaulted, *model, semantics, history, result,
                  std::chrono::duration<double>(searched - started).count(),
                  std::chrono::duration<double>(done - started).count(), out);
  } catch (const util::InputError& e) {
    err << e.what() << "\n";
    return kCheckBadInput;
  } catch (const std::exception& e) {
    err << "error: " << args.path << ": " << e.what() << "\n";
    return kCheckBadInput;
  }
}

} // namespace faultlab::cli
