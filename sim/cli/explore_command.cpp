#include "cli/explore_command.hpp"

#include "cli/commands.hpp"
#include "cli/outcome.hpp"
#include "cli/progress_line.hpp"
#include "cli/runner.hpp"
#include "cli/usage_errors.hpp"
#include "explore/explore_scenario.hpp"
#include "util/input_error.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <unistd.h>

namespace faultlab::cli {

using nlohmann::ordered_json;

CLI::App* add_explore_command(CLI::App& app, ExploreArgs& args) {
  auto* cmd = app.add_subcommand(
      "explore",
      "Swarm exploration: run a scenario under many seeded random fault schedules and keep the failing runs");
  cmd->add_option("scenario", args.scenario, "Scenario file (JSON)")->required();
  cmd->add_option("--variant", args.variant,
                  "Variant to apply (default: the first the file declares; \"base\": none)");
  cmd->add_option("--set", args.sets, "Override a value before validation: PATH=VALUE")
      ->allow_extra_args(false);
  cmd->add_option("--runs,-n", args.runs, "How many runs (explore seeds)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000}))
      ->capture_default_str();
  cmd->add_option("--seed", args.seed, "The first run's explore seed; run i uses seed + i")
      ->check(kSeedValidator)
      ->capture_default_str();
  cmd->add_option("--jobs,-j", args.jobs, "Simulations to run at once")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--checks", args.only_checks,
                  "Only these of the scenario's checks count as failures (comma-separated; default: all). "
                  "An SLO check fails under almost any fault; name the safety checks to hunt for those")
      ->delimiter(',');
  cmd->add_flag("!--no-progress", args.progress, "No progress line on stderr");
  return cmd;
}

std::string file_hash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::uint64_t h = 1469598103934665603ULL;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      h ^= static_cast<unsigned char>(buffer[i]);
      h *= 1099511628211ULL;
    }
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

namespace {

// What one run says back to the parent, as JSON: its violation counts, the
// first violation of each checker that fired, the fault families its
// schedule used, and (for the self-check) its trace's hash.
std::string explore_run(const ExploreArgs& args, std::uint64_t explore_seed, bool with_trace) {
  auto loaded = explore::load_explore_scenario(args.scenario, scenario::LoadOptions{args.variant, args.sets},
                                               explore_seed);
  RunRequest request;
  request.seed = explore_seed;
  char dir[] = "/tmp/faultlab-explore-XXXXXX";
  if (with_trace) {
    if (::mkdtemp(dir) == nullptr) throw std::runtime_error("cannot create a temporary folder");
    request.trace_path = std::string(dir) + "/trace.jsonl";
  }
  CheckedRun run = run_checked(loaded.scenario, request);
  ordered_json result;
  result["counts"] = run.summary["counts"];
  ordered_json first = ordered_json::object();
  for (const auto& v : run.violations)
    if (!first.contains(v.check)) first[v.check] = v.message;
  result["first"] = first;
  ordered_json families = ordered_json::array();
  for (const auto& family : explore::fault_families())
    for (const auto& fault : loaded.scenario.faults)
      if (family == scenario::to_string(fault.type)) {
        families.push_back(family);
        break;
      }
  result["families"] = families;
  result["faults"] = loaded.scenario.faults.size();
  if (with_trace) {
    result["hash"] = file_hash(request.trace_path);
    std::remove(request.trace_path.c_str());
    ::rmdir(dir);
  }
  return result.dump();
}

struct RunResult {
  std::uint64_t seed = 0;
  bool ok = false; // ran to the end
  std::string error;
  ordered_json data;
  std::vector<std::string> failed_checks; // in the scenario's check order
};

std::string join(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string text;
  for (const auto& item : items)
    text += (text.empty() ? "" : separator) + item;
  return text;
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f %%", whole ? 100.0 * double(part) / double(whole) : 0.0);
  return buffer;
}

} // namespace

int command_explore(const ExploreArgs& args, std::ostream& out, std::ostream& err) {
  scenario::Scenario first;
  try {
    if (args.seed > std::numeric_limits<std::uint64_t>::max() - (args.runs - 1))
      throw util::InputError("bad-seeds", "--seed " + std::to_string(args.seed),
                             "seed + runs goes past the largest seed, 18446744073709551615");
    // Bad input is found here, once, before anything runs.
    first = explore::load_explore_scenario(args.scenario, scenario::LoadOptions{args.variant, args.sets},
                                           args.seed)
                .scenario;
  } catch (const util::InputError& e) {
    err << e.what() << "\n";
    return kExitBadInput;
  }
  std::vector<std::string> checks;
  for (const auto& c : first.checks)
    if (args.only_checks.empty() ||
        std::find(args.only_checks.begin(), args.only_checks.end(), c.name) != args.only_checks.end())
      checks.push_back(c.name);
  for (const auto& name : args.only_checks)
    if (std::find(checks.begin(), checks.end(), name) == checks.end()) {
      std::string known;
      for (const auto& c : first.checks) known += (known.empty() ? "" : ", ") + c.name;
      err << util::InputError("unknown-check", "--checks " + name,
                              "the scenario runs no check named \"" + name + "\" (its checks: " + known + ")")
                 .what()
          << "\n";
      return kExitBadInput;
    }
  const std::string label = first.name + (first.variant.empty() ? "" : " / " + first.variant);

  ProgressLine progress(err, "explore", args.runs, args.progress,
                        &err == &std::cerr && ::isatty(STDERR_FILENO) == 1);
  std::vector<RunResult> results(args.runs);
  std::uint64_t done = 0, failing = 0;
  auto read_result = [&](std::size_t i, const ChildResult& child) {
    RunResult& r = results[i];
    r.seed = args.seed + i;
    r.ok = child.ok;
    if (child.ok) {
      r.data = ordered_json::parse(child.output, nullptr, false);
      if (r.data.is_discarded()) r.ok = false, r.error = "the run said nothing readable";
    } else {
      r.error = child.output;
    }
    if (r.ok)
      for (const auto& check : checks)
        if (r.data["counts"].value(check, 0) > 0) r.failed_checks.push_back(check);
    if (!r.ok || !r.failed_checks.empty()) ++failing;
    progress.update(++done, failing ? std::to_string(failing) + " failing" : "");
  };
  std::vector<std::function<std::string()>> tasks;
  for (std::uint64_t i = 0; i < args.runs; ++i)
    tasks.push_back([&args, seed = args.seed + i] { return explore_run(args, seed, false); });
  run_in_children(tasks, args.jobs, read_result);

  // The self-check: each failing run twice more, with its trace hashed.
  std::vector<std::size_t> failed;
  for (std::size_t i = 0; i < results.size(); ++i)
    if (results[i].ok && !results[i].failed_checks.empty()) failed.push_back(i);
  std::vector<std::function<std::string()>> replays;
  for (std::size_t i : failed)
    for (int copy = 0; copy < 2; ++copy)
      replays.push_back([&args, seed = results[i].seed] { return explore_run(args, seed, true); });
  std::vector<std::string> nondeterministic;
  if (!replays.empty()) {
    ProgressLine replay_progress(err, "explore: replaying failing runs", replays.size(), args.progress,
                                 &err == &std::cerr && ::isatty(STDERR_FILENO) == 1);
    std::uint64_t replayed = 0;
    auto replay_results = run_in_children(
        replays, args.jobs, [&](std::size_t, const ChildResult&) { replay_progress.update(++replayed); });
    for (std::size_t k = 0; k < failed.size(); ++k) {
      const RunResult& r = results[failed[k]];
      const ChildResult& a = replay_results[2 * k];
      const ChildResult& b = replay_results[2 * k + 1];
      auto ja = ordered_json::parse(a.output, nullptr, false),
           jb = ordered_json::parse(b.output, nullptr, false);
      std::string why;
      if (!a.ok || !b.ok || ja.is_discarded() || jb.is_discarded())
        why = "a replay did not finish: " + (a.ok ? b.output : a.output);
      else if (ja["hash"] != jb["hash"])
        why = "two replays wrote different traces (hashes " + ja["hash"].get<std::string>() + " and " +
              jb["hash"].get<std::string>() + ")";
      else if (ja["counts"] != r.data["counts"] || jb["counts"] != r.data["counts"])
        why = "a replay found other violations (" + ja["counts"].dump() + ", first run " +
              r.data["counts"].dump() + ")";
      if (!why.empty()) nondeterministic.push_back("explore seed " + std::to_string(r.seed) + ": " + why);
    }
  }

  // Every failing run, with the command that repeats it.
  scenario::Scenario shown = first;
  std::uint64_t errors = 0;
  std::map<std::string, std::uint64_t> by_check;
  struct Distinct {
    std::uint64_t count = 0;
    std::uint64_t first_seed = 0;
  };
  std::vector<std::pair<std::string, Distinct>> distinct; // in order of first appearance
  if (failing) out << "failing runs of " << label << ":\n";
  for (const auto& r : results) {
    if (!r.ok) {
      ++errors;
      out << "  explore seed " << r.seed << ": the run did not finish: " << r.error << "\n";
      continue;
    }
    if (r.failed_checks.empty()) continue;
    shown.explore_seed = r.seed;
    std::string counts;
    for (const auto& check : r.failed_checks) {
      counts += (counts.empty() ? "" : ", ") + check + " " + std::to_string(r.data["counts"].value(check, 0));
      ++by_check[check];
    }
    std::vector<std::string> families;
    for (const auto& f : r.data["families"])
      families.push_back(f.get<std::string>());
    out << "  explore seed " << r.seed << ": " << counts << " (faults: " << join(families) << ")\n"
        << "      " << r.data["first"][r.failed_checks.front()].get<std::string>() << "\n"
        << "      reproduce: " << reproduce_command(shown, r.seed) << "\n";
    const std::string signature = join(r.failed_checks, " + ") + " <- " + join(families);
    auto it =
        std::find_if(distinct.begin(), distinct.end(), [&](const auto& d) { return d.first == signature; });
    if (it == distinct.end())
      distinct.push_back({signature, Distinct{1, r.seed}});
    else
      ++it->second.count;
  }

  const std::uint64_t failures = failing - errors;
  out << "explore " << label << ": " << args.runs << " runs (explore seeds " << args.seed << ".."
      << args.seed + args.runs - 1 << "), " << ProgressLine::seconds(progress.elapsed_s()) << "\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-28s %8llu\n", "runs", static_cast<unsigned long long>(args.runs));
  out << line;
  std::snprintf(line, sizeof line, "  %-28s %8llu  (%s)\n", "failing runs",
                static_cast<unsigned long long>(failures), percent(failures, args.runs).c_str());
  out << line;
  for (const auto& check : checks) {
    std::snprintf(line, sizeof line, "    %-26s %8llu\n", check.c_str(),
                  static_cast<unsigned long long>(by_check.count(check) ? by_check[check] : 0));
    out << line;
  }
  if (errors) {
    std::snprintf(line, sizeof line, "  %-28s %8llu\n", "runs that did not finish",
                  static_cast<unsigned long long>(errors));
    out << line;
  }
  std::snprintf(line, sizeof line, "  %-28s %8zu\n", "distinct failures", distinct.size());
  out << line;
  if (!distinct.empty()) {
    out << "  distinct failures (checkers that fired <- fault families in the schedule):\n";
    std::snprintf(line, sizeof line, "    %6s  %10s  %s\n", "runs", "first seed", "failure");
    out << line;
    std::stable_sort(distinct.begin(), distinct.end(),
                     [](const auto& a, const auto& b) { return a.second.count > b.second.count; });
    for (const auto& [signature, d] : distinct) {
      std::snprintf(line, sizeof line, "    %6llu  %10llu  ", static_cast<unsigned long long>(d.count),
                    static_cast<unsigned long long>(d.first_seed));
      out << line << signature << "\n";
    }
  }
  if (!failed.empty() && nondeterministic.empty())
    out << "  determinism: each failing run replayed twice, traces identical\n";
  for (const auto& n : nondeterministic)
    err << util::InputError("nondeterministic", n,
                            "the same seed must give the same trace; this is a bug in faultlab")
               .what()
        << "\n";
  // A run that did not finish (a model invariant that broke, a crash) is a
  // bug to look at, as a seed that does not replay is.
  return nondeterministic.empty() && errors == 0 ? kExitOk : kExitVerifyFailed;
}

} // namespace faultlab::cli
