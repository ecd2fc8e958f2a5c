#include "cli/check_command.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <set>

#include "check/describe.hpp"
#include "check/linearizable.hpp"
#include "history/edn.hpp"
#include "history/history_io.hpp"
#include "util/input_error.hpp"

namespace faultlab::cli {
namespace {

// A faultlab file's first line is a JSON object with a "format" field.
bool is_faultlab_jsonl(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw util::InputError("no-file", path, "cannot open the file (does it exist?)");
  std::string first_line;
  std::getline(in, first_line);
  const std::size_t start = first_line.find_first_not_of(" \t\r");
  return start != std::string::npos && first_line[start] == '{' &&
         first_line.find("\"format\"") != std::string::npos;
}

std::string seconds(double time_s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f s", time_s);
  return text;
}

} // namespace

int command_check(const CheckArgs& args, std::ostream& out, std::ostream& err) {
  const std::optional<check::Model> model = check::model_from_string(args.model);
  if (!model) {
    err << util::InputError("bad-model", "--model",
                            "expected register, cas-register or kv, got " + util::quote(args.model))
               .what()
        << "\n";
    return kCheckBadInput;
  }
  if (!(args.budget_s > 0) || !std::isfinite(args.budget_s)) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", args.budget_s);
    err << util::InputError("bad-budget", "--budget-s", std::string("expected a positive number of seconds, got ") + text)
               .what()
        << "\n";
    return kCheckBadInput;
  }

  try {
    const bool jsonl = is_faultlab_jsonl(args.path);
    const history::History history =
        jsonl ? history::read_history_jsonl(args.path) : history::read_edn_history(args.path, *model == check::Model::kv);

    check::LinearizabilityBudget budget;
    budget.time_s = args.budget_s;
    const auto started = std::chrono::steady_clock::now();
    const check::LinResult result = check::check_linearizability(history, *model, budget);
    const double took_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    std::size_t counts[3] = {0, 0, 0};
    std::set<std::string> keys;
    for (const history::Op& op : history.ops) {
      if (op.f != "read" && op.f != "write" && op.f != "cas") continue;
      ++counts[static_cast<int>(op.outcome)];
      keys.insert(op.key);
    }
    const std::size_t ops = counts[0] + counts[1] + counts[2];
    out << "faultlab check: " << args.path << " (" << (jsonl ? "faultlab JSON Lines" : "EDN") << ")\n";
    out << "  model:    " << check::to_string(*model) << "\n";
    out << "  ops:      " << ops << " (" << counts[0] << " ok, " << counts[1] << " fail, " << counts[2] << " info)";
    if (*model == check::Model::kv) out << " on " << keys.size() << (keys.size() == 1 ? " key" : " keys");
    out << "\n";
    out << "  checked:  in " << seconds(took_s) << ", " << result.states_explored
        << (result.states_explored == 1 ? " state" : " states") << " explored\n";
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
                  : "the search needs more memory than it may use: a history with fewer concurrent ops may fit)\n");
      return kCheckUnknown;
    }
    return kCheckUnknown;
  } catch (const util::InputError& e) {
    err << e.what() << "\n";
    return kCheckBadInput;
  } catch (const std::exception& e) {
    err << "error: " << args.path << ": " << e.what() << "\n";
    return kCheckBadInput;
  }
}

} // namespace faultlab::cli
