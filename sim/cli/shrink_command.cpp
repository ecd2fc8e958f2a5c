#include "cli/shrink_command.hpp"

#include "cli/commands.hpp"
#include "cli/runner.hpp"
#include "cli/usage_errors.hpp"
#include "explore/explore_scenario.hpp"
#include "explore/shrink.hpp"
#include "history/trace_writer.hpp"
#include "util/input_error.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>

namespace fs = std::filesystem;

namespace faultlab::cli {

using scenario::Json;

CLI::App* add_shrink_command(CLI::App& app, ShrinkArgs& args) {
  auto* cmd = app.add_subcommand(
      "shrink", "From a failing run, write the smallest scenario file found that still fails the same check");
  cmd->add_option("scenario", args.scenario, "Scenario file (JSON)")->required();
  cmd->add_option("--variant", args.variant,
                  "Variant to apply (default: the first the file declares; \"base\": none)");
  cmd->add_option("--set", args.sets, "Override a value before validation: PATH=VALUE")
      ->allow_extra_args(false);
  auto* seed = cmd->add_option("--seed", args.seed, "Seed of the failing run")->check(kSeedValidator);
  cmd->add_option_function<std::uint64_t>(
         "--explore-seed", [&args](const std::uint64_t& value) { args.explore_seed = value; },
         "Shrink the failing run faultlab explore printed (its faults come from this seed)")
      ->check(kSeedValidator)
      ->excludes(seed);
  cmd->add_option("--check", args.check, "The check it must still fail (default: the first it fails)");
  cmd->add_option("--out,-o", args.out, "Scenario file to write")->required();
  cmd->add_option("--jobs,-j", args.jobs, "Candidates to run at once")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--max-runs", args.max_runs, "Give up shrinking further after this many runs")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_flag("!--no-progress", args.progress, "No progress lines on stderr");
  return cmd;
}

namespace {

// Violations of `check` in one run of `s` with `seed`, or -1 when it could not run.
std::vector<long long> failing_counts(const std::vector<scenario::Scenario>& scenarios, std::uint64_t seed,
                                      const std::string& check, int jobs) {
  std::vector<std::function<std::string()>> tasks;
  for (const auto& s : scenarios)
    tasks.push_back([&s, seed, &check] {
      RunRequest request;
      request.seed = seed;
      return std::to_string(run_checked(s, request).summary["counts"].value(check, 0LL));
    });
  std::vector<long long> counts;
  for (const auto& r : run_in_children(tasks, jobs))
    counts.push_back(r.ok ? std::stoll(r.output) : -1);
  return counts;
}

struct Size {
  std::size_t faults = 0, clients = 0, nodes = 0, components = 0;
  double duration_s = 0;
};

Size size_of(const scenario::Scenario& s) {
  return Size{s.faults.size(), s.workload.clients.size(), s.topology.nodes.size(), s.components.size(),
              s.workload.duration_s};
}

std::string plural(std::size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string size_text(const Size& z) {
  return plural(z.faults, "fault") + ", " + plural(z.clients, "client group") + ", " +
         plural(z.components, "component") + ", " + plural(z.nodes, "node") + ", workload " +
         util::format_duration(z.duration_s);
}

std::string first_sentence(const std::string& text) {
  auto end = text.find(". ");
  return end == std::string::npos ? text : text.substr(0, end + 1);
}

} // namespace

int command_shrink(const ShrinkArgs& args, std::ostream& out, std::ostream& err) {
  const auto started = std::chrono::steady_clock::now();
  const scenario::LoadOptions options{args.variant, args.sets};
  Json document;
  scenario::Scenario original;
  std::uint64_t seed = args.explore_seed.value_or(args.seed);
  std::string from; // how to get the failing run back
  try {
    if (!args.out.empty()) {
      fs::path parent = fs::path(args.out).parent_path();
      std::error_code error;
      if (!parent.empty() && !fs::is_directory(parent, error))
        throw util::InputError("no-dir", "--out " + args.out,
                               "the folder " + parent.string() +
                                   " does not exist (create it first: mkdir -p " + parent.string() + ")");
    }
    if (args.explore_seed) {
      auto loaded = explore::load_explore_scenario(args.scenario, options, *args.explore_seed);
      document = loaded.document;
      original = loaded.scenario;
    } else {
      original = scenario::load_scenario(args.scenario, options);
      scenario::Origin origin;
      document = scenario::effective_document(scenario::read_json_file(args.scenario), args.scenario, options,
                                              origin);
    }
    from = reproduce_command(original, seed);
    bool known = args.check.empty();
    for (const auto& c : original.checks)
      known = known || c.name == args.check;
    if (!known) {
      std::string names;
      for (const auto& c : original.checks)
        names += (names.empty() ? "" : ", ") + c.name;
      throw util::InputError("unknown-check", "--check " + args.check,
                             "this scenario does not run that check (it runs: " + names + ")");
    }
  } catch (const util::InputError& e) {
    err << e.what() << "\n";
    return kExitBadInput;
  }

  // Which check, and how the run fails it.
  std::vector<std::function<std::string()>> first_run{[&] {
    RunRequest request;
    request.seed = seed;
    return run_checked(original, request).summary["counts"].dump();
  }};
  auto result = run_in_children(first_run, 1).front();
  if (!result.ok) {
    err << "error: the run did not finish: " << result.output << "\n";
    return kExitBadInput;
  }
  const Json counts = Json::parse(result.output);
  std::string check = args.check;
  if (check.empty())
    for (const auto& c : original.checks)
      if (counts.value(c.name, 0) > 0) {
        check = c.name;
        break;
      }
  if (check.empty() || counts.value(check, 0) == 0) {
    err << util::InputError(
               "not-failing", from,
               (check.empty() ? std::string("the run fails no check") : "the run does not fail " + check) +
                   " (violations: " + counts.dump() + "): there is nothing to shrink")
               .what()
        << "\n";
    return kExitBadInput;
  }
  const std::string label = original.name + (original.variant.empty() ? "" : " / " + original.variant);
  out << "shrink " << label << ", " << (args.explore_seed ? "explore seed " : "seed ") << seed << ": fails "
      << check << " (" << counts.value(check, 0)
      << (counts.value(check, 0) == 1 ? " violation" : " violations") << ")\n";

  // Candidates that validate, in the order given, each with its typed scenario.
  auto typed = [&](const Json& candidate) -> std::optional<scenario::Scenario> {
    try {
      return explore::scenario_from_document(candidate, args.out, {}, "");
    } catch (const std::exception&) {
      return std::nullopt;
    }
  };
  int runs = 1;
  std::vector<std::string> kept;
  Json current = explore::strip_to_check(document, check);
  if (auto s = typed(current); !s || failing_counts({*s}, seed, check, 1).front() <= 0) current = document;
  ++runs;
  while (runs < args.max_runs) {
    std::vector<explore::Reduction> candidates;
    std::vector<scenario::Scenario> scenarios;
    auto all = explore::reductions(current);
    // What worked last time is tried first (halving a rate again), then the
    // others in their order, wrapping around: every one is still tried
    // before the shrinking stops.
    if (!kept.empty()) {
      auto again = std::find_if(all.begin(), all.end(), [&](const auto& r) { return r.what == kept.back(); });
      std::rotate(all.begin(), again, all.end());
    }
    for (auto& reduction : all)
      if (auto s = typed(reduction.document)) {
        candidates.push_back(std::move(reduction));
        scenarios.push_back(std::move(*s));
      }
    bool accepted = false;
    for (std::size_t start = 0; start < candidates.size() && !accepted && runs < args.max_runs;) {
      const std::size_t batch =
          std::min<std::size_t>({static_cast<std::size_t>(args.jobs), candidates.size() - start,
                                 static_cast<std::size_t>(args.max_runs - runs)});
      std::vector<scenario::Scenario> some(scenarios.begin() + static_cast<long>(start),
                                           scenarios.begin() + static_cast<long>(start + batch));
      auto found = failing_counts(some, seed, check, args.jobs);
      runs += static_cast<int>(batch);
      for (std::size_t k = 0; k < batch; ++k)
        if (found[k] > 0) {
          current = candidates[start + k].document;
          kept.push_back(candidates[start + k].what);
          if (args.progress)
            err << "shrink: " << kept.back() << " (still fails, " << runs << " runs)\n" << std::flush;
          accepted = true;
          break;
        }
      start += batch;
    }
    if (!accepted) break;
  }

  // The file: where it came from first, then the scenario.
  Json file = Json::object();
  file["comment"] = "Shrunk by faultlab shrink from: " + from + " (" + std::to_string(runs + 1) +
                    " runs). It still fails " + check + " with seed " + std::to_string(seed) + ".";
  file["title"] = original.title + " (shrunk)";
  file["lesson"] = "The smallest scenario faultlab shrink found that still fails " + check +
                   ". The original's lesson: " + first_sentence(original.lesson);
  for (auto it = current.begin(); it != current.end(); ++it)
    if (!file.contains(it.key()) && it.key() != "title" && it.key() != "lesson") file[it.key()] = it.value();
  file["expect"] = {{"violations", {{check, {{"min", 1}}}}}};
  file["seeds"] = Json::array({seed});
  const std::string text = file.dump(2) + "\n";

  // Confirm from what will be written, then write it.
  auto final_scenario = typed(file);
  long long final_count = final_scenario ? failing_counts({*final_scenario}, seed, check, 1).front() : -1;
  ++runs;
  if (final_count <= 0) {
    err << "error: the shrunk scenario no longer fails " << check
        << "; nothing written (a bug in faultlab shrink)\n";
    return kExitBadInput;
  }
  try {
    history::write_file_atomically(args.out, text);
  } catch (const std::exception& e) {
    err << "error: " << e.what() << "\n";
    return kExitBadInput;
  }
  std::error_code error;
  const auto original_bytes = fs::file_size(args.scenario, error);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  out << "  tried " << runs << " runs in " << util::format_duration(elapsed) << "; kept "
      << plural(kept.size(), "reduction") << (kept.empty() ? "" : ":") << "\n";
  for (const auto& k : kept)
    out << "    " << k << "\n";
  out << "  from: " << size_text(size_of(original)) << ", " << original_bytes << " bytes\n";
  out << "  to:   " << size_text(size_of(*final_scenario)) << ", " << text.size() << " bytes";
  if (!error && original_bytes > 0)
    out << " (" << (100 * text.size() + original_bytes / 2) / original_bytes << " % of the file)";
  out << "\n  wrote " << args.out << "; it fails " << check << " (" << final_count
      << (final_count == 1 ? " violation" : " violations") << "): ./faultlab run " << shell_quote(args.out)
      << " --seed " << seed << "\n";
  return kExitOk;
}

} // namespace faultlab::cli
