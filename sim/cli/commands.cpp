#include "cli/commands.hpp"

#include "cli/catalog.hpp"
#include "cli/report.hpp"
#include "cli/runner.hpp"
#include "explore/explore_scenario.hpp"
#include "history/trace_writer.hpp"
#include "scenario/loader.hpp"
#include "util/input_error.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <set>

namespace fs = std::filesystem;

namespace faultlab::cli {

std::vector<std::string> scenario_files(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code error;
    if (fs::is_directory(path, error)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::directory_iterator(path))
        if (entry.is_regular_file() && entry.path().extension() == ".json" &&
            entry.path().filename().string().find("schema") == std::string::npos)
          found.push_back(entry.path().string());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(path);
    }
  }
  return files;
}

namespace {
// An output file's folder must exist: a mistyped folder is an error rather
// than a new folder somewhere unexpected. Checked before anything runs.
void require_parent_folder(const std::string& option, const std::string& path) {
  if (path.empty()) return;
  fs::path parent = fs::path(path).parent_path();
  std::error_code error;
  if (fs::is_directory(path, error))
    throw util::InputError("no-dir", option + " " + path, "this is a folder; name a file in it");
  if (!parent.empty() && !fs::is_directory(parent, error))
    throw util::InputError("no-dir", option + " " + path,
                           "the folder " + parent.string() + " does not exist (create it first: mkdir -p " +
                               parent.string() + ")");
}
} // namespace

int command_run(const RunArgs& args, std::ostream& out, std::ostream& err) {
  try {
    require_parent_folder("--trace", args.trace_path);
    require_parent_folder("--summary", args.summary_path);
    require_parent_folder("--history", args.history_path);
    scenario::LoadOptions options{args.variant, args.sets};
    scenario::Scenario s = args.explore_seed
                               ? explore::load_explore_scenario(args.scenario, options, *args.explore_seed).scenario
                               : scenario::load_scenario(args.scenario, options);
    RunRequest request{args.explore_seed.value_or(args.seed), args.trace_path, args.history_path, args.simgrid_flags};
    request.causes = true; // the report and the summary explain each violation
    request.profile = args.profile;
    request.saturation = args.saturation;
    CheckedRun run = run_checked(s, request);
    if (!args.summary_path.empty()) history::write_file_atomically(args.summary_path, run.summary.dump(2) + "\n");
    if (!args.quiet) {
      print_report(out, s, run);
      if (!args.trace_path.empty()) out << "  trace:   " << args.trace_path << "\n";
      if (!args.summary_path.empty()) out << "  summary: " << args.summary_path << "\n";
    }
    return kExitOk;
  } catch (const util::InputError& e) {
    err << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    err << "error: " << e.what() << "\n";
    return kExitBadInput;
  }
}

namespace {

std::string seeds_text(const std::vector<std::uint64_t>& seeds) {
  bool consecutive = true;
  for (std::size_t i = 1; i < seeds.size(); ++i) consecutive = consecutive && seeds[i] == seeds[i - 1] + 1;
  if (seeds.size() > 1 && consecutive)
    return "seeds " + std::to_string(seeds.front()) + ".." + std::to_string(seeds.back());
  std::string text = seeds.size() == 1 ? "seed " : "seeds ";
  for (std::size_t i = 0; i < seeds.size(); ++i) text += (i ? "," : "") + std::to_string(seeds[i]);
  return text;
}

std::string number_text(double value) {
  char buffer[32];
  if (value == static_cast<double>(static_cast<long long>(value)))
    std::snprintf(buffer, sizeof buffer, "%lld", static_cast<long long>(value));
  else
    std::snprintf(buffer, sizeof buffer, "%.4g", value);
  return buffer;
}

std::string bounds_text(const scenario::Expectation& e) {
  if (e.min && e.max) return "expected " + number_text(*e.min) + " to " + number_text(*e.max);
  if (e.min) return "expected at least " + number_text(*e.min);
  return "expected at most " + number_text(*e.max);
}

std::string short_name(const std::string& what) { return what.substr(what.find('.') + 1); }

// Verifies one (scenario, variant) over its seeds; prints one line.
// Returns 0 pass, 1 expectation failed, 2 could not run.
// `reported`: errors already printed, so a mistake in the base scenario,
// which every variant inherits, is printed once.
int verify_variant(const std::string& file, const std::string& variant, int jobs, std::ostream& out,
                   std::ostream& err, std::set<std::string>& reported) {
  scenario::Scenario s;
  try {
    s = scenario::load_scenario(file, scenario::LoadOptions{variant.empty() ? "base" : variant, {}});
  } catch (const std::exception& e) {
    if (reported.insert(e.what()).second) err << e.what() << "\n";
    return kExitBadInput;
  }
  std::vector<std::function<std::string()>> tasks;
  for (std::uint64_t seed : s.seeds)
    tasks.push_back([&s, seed] {
      RunRequest request;
      request.seed = seed;
      return run_checked(s, request).summary.dump();
    });
  auto results = run_in_children(tasks, jobs);

  std::string label = s.name + (variant.empty() ? "" : " / " + variant);
  std::vector<std::string> failures;
  // Per expectation: the range of actual values over all seeds.
  std::vector<std::pair<double, double>> ranges(s.expect.size(), {HUGE_VAL, -HUGE_VAL});
  for (std::size_t i = 0; i < results.size(); ++i) {
    std::uint64_t seed = s.seeds[i];
    if (!results[i].ok) {
      failures.push_back("seed " + std::to_string(seed) + ": " + results[i].output);
      continue;
    }
    auto summary = nlohmann::ordered_json::parse(results[i].output, nullptr, false);
    if (summary.is_discarded() || !summary.is_object()) {
      failures.push_back("seed " + std::to_string(seed) + ": the run produced no summary");
      continue;
    }
    auto checked = evaluate_expectations(s, summary);
    for (std::size_t k = 0; k < checked.size(); ++k) {
      ranges[k].first = std::min(ranges[k].first, checked[k].actual);
      ranges[k].second = std::max(ranges[k].second, checked[k].actual);
      if (!checked[k].ok)
        failures.push_back("seed " + std::to_string(seed) + ": " + short_name(checked[k].expectation.what) + " = " +
                           number_text(checked[k].actual) + ", " + bounds_text(checked[k].expectation) +
                           " (reproduce: " + reproduce_command(s, seed) + ")");
    }
  }
  char head[160];
  std::snprintf(head, sizeof head, "%s  %-36s %-12s", failures.empty() ? "PASS" : "FAIL", label.c_str(),
                seeds_text(s.seeds).c_str());
  out << head;
  if (s.expect.empty()) out << " (no expectations declared)";
  for (std::size_t k = 0; k < s.expect.size(); ++k) {
    const auto& [lo, hi] = ranges[k];
    out << (k ? "; " : " ") << short_name(s.expect[k].what) << " ";
    if (lo > hi) out << "n/a";
    else if (lo == hi) out << number_text(lo);
    else out << number_text(lo) << ".." << number_text(hi);
    out << " (" << bounds_text(s.expect[k]) << ")";
  }
  out << "\n";
  for (const auto& f : failures) out << "      " << f << "\n";
  out.flush();
  return failures.empty() ? kExitOk : kExitVerifyFailed;
}

} // namespace

int command_verify(const VerifyArgs& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> paths = args.paths;
  try {
    if (paths.empty()) paths.push_back(catalog_dir_or_throw());
  } catch (const util::InputError& e) {
    err << e.what() << "\n";
    return kExitBadInput;
  }
  std::vector<std::string> files = scenario_files(paths);
  if (files.empty()) {
    err << "error[no-file]: " << paths.front() << ": no scenario files found\n";
    return kExitBadInput;
  }
  int worst = kExitOk;
  for (const auto& file : files) {
    std::vector<std::string> variants;
    try {
      variants = scenario::variant_names(scenario::read_json_file(file), file);
    } catch (const util::InputError& e) {
      err << e.what() << "\n";
      worst = kExitBadInput;
      continue;
    }
    if (variants.empty()) variants.push_back("");
    std::set<std::string> reported;
    for (const auto& variant : variants) {
      int code = verify_variant(file, variant, args.jobs, out, err, reported);
      if (code == kExitBadInput || worst == kExitOk) worst = std::max(worst, code);
    }
  }
  return worst;
}

int command_list(const std::vector<std::string>& paths, std::ostream& out, std::ostream& err) {
  std::vector<std::string> files;
  try {
    files = scenario_files(paths.empty() ? std::vector<std::string>{catalog_dir_or_throw()} : paths);
  } catch (const util::InputError& e) {
    err << e.what() << "\n";
    return kExitBadInput;
  }
  int code = kExitOk;
  for (const auto& file : files) {
    try {
      scenario::Scenario s = scenario::load_scenario(file, scenario::LoadOptions{"base", {}});
      std::string lesson = s.lesson.substr(0, s.lesson.find(". ") == std::string::npos ? s.lesson.size()
                                                                                         : s.lesson.find(". ") + 1);
      out << s.name << "\n  " << s.title << "\n  " << lesson << "\n  variants: ";
      for (std::size_t i = 0; i < s.variant_names.size(); ++i) out << (i ? ", " : "") << s.variant_names[i];
      if (s.variant_names.empty()) out << "(none)";
      out << "\n";
    } catch (const util::InputError& e) {
      err << e.what() << "\n";
      code = kExitBadInput;
    }
  }
  return code;
}

} // namespace faultlab::cli
