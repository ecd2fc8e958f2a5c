#include "cli/check_command.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>

#include "check/describe.hpp"
#include "check/linearizable.hpp"
#include "history/edn.hpp"
#include "history/history_io.hpp"
#include "util/input_error.hpp"

#include <nlohmann/json.hpp>

namespace faultlab::cli {
namespace {

// A faultlab file's first line is a JSON object whose "format" names a
// faultlab trace or history. A scenario file, or any other JSON document,
// is refused with a word on what it is; everything else is read as EDN.
bool is_faultlab_jsonl(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error))
    throw util::InputError("not-a-file", path, "this is a folder, not a history file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw util::InputError("no-file", path, "cannot open the file (does it exist?)");
  std::string first_line;
  std::getline(in, first_line);
  const std::size_t start = first_line.find_first_not_of(" \t\r");
  if (start == std::string::npos || first_line[start] != '{') return false;
  const auto header = nlohmann::json::parse(first_line, nullptr, false);
  if (header.is_object() && header.contains("format") && header["format"].is_string() &&
      header["format"].get<std::string>().rfind("faultlab-", 0) == 0)
    return true;
  // EDN maps start with "{" too; JSON that parses is not EDN history.
  in.clear();
  in.seekg(0);
  const auto whole = nlohmann::json::parse(in, nullptr, false);
  if (whole.is_object() && (whole.contains("components") || whole.contains("topology")))
    throw util::InputError("wrong-format", path,
                           "this is a faultlab scenario, not a history: run it with `faultlab run " + path +
                               " --history H.jsonl`, then check H.jsonl");
  if (!whole.is_discarded() || header.is_object())
    throw util::InputError("wrong-format", path,
                           "this is JSON but not a faultlab trace or history (their first line is a header with "
                           "\"format\": \"faultlab-trace\" or \"faultlab-history\"), nor an EDN history");
  return false;
}

std::string seconds(double time_s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f s", time_s);
  return text;
}

} // namespace

int command_check(const CheckArgs& args, std::ostream& out, std::ostream& err) {
  bool jsonl = false;
  try {
    jsonl = is_faultlab_jsonl(args.path);
  } catch (const util::InputError& e) {
    err << e.what() << "\n";
    return kCheckBadInput;
  }
  // faultlab's own files always name their keys, so kv is the model that
  // fits them; an EDN history does not say what object it is about.
  const bool model_defaulted = args.model.empty() && jsonl;
  if (args.model.empty() && !jsonl) {
    err << util::InputError("missing-option", "--model",
                            "an EDN history does not say which object it is about: give --model register, "
                            "cas-register or kv")
               .what()
        << "\n";
    return kCheckBadInput;
  }
  const std::optional<check::Model> model = check::model_from_string(model_defaulted ? "kv" : args.model);
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
    const history::History history =
        jsonl ? history::read_history_jsonl(args.path) : history::read_edn_history(args.path, *model == check::Model::kv);

    // A register is one object: a history about several keys checked as one
    // register compares a read of one key with a write of another.
    if (*model != check::Model::kv) {
      std::set<std::string> history_keys;
      for (const history::Op& op : history.ops)
        if (op.f == "read" || op.f == "write" || op.f == "cas") history_keys.insert(op.key);
      if (history_keys.size() > 1) {
        std::string named;
        std::size_t shown = 0;
        for (const std::string& key : history_keys) {
          if (shown == 3) break;
          named += (shown++ ? ", " : "") + util::quote(key);
        }
        if (history_keys.size() > shown) named += ", ...";
        throw util::InputError("multi-key", args.path + ": --model " + args.model,
                               "the history is about " + std::to_string(history_keys.size()) + " keys (" + named +
                                   "), and a register is one object: use --model kv, which checks each key as a "
                                   "register of its own");
      }
    }

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
    out << "  model:    " << check::to_string(*model)
        << (model_defaulted ? " (the default for faultlab files: each key is a register of its own)" : "") << "\n";
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
