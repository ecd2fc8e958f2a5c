#include "cli/scorecard_command.hpp"

#include "cli/commands.hpp"
#include "cli/outcome.hpp"
#include "cli/progress_line.hpp"
#include "cli/runner.hpp"
#include "cli/scorecard_chart.hpp"
#include "cli/sweep_command.hpp"
#include "analysis/recovery.hpp"
#include "history/trace_writer.hpp"
#include "scenario/loader.hpp"
#include "util/input_error.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace faultlab::cli {

using nlohmann::ordered_json;

CLI::App* add_scorecard_command(CLI::App& app, ScorecardArgs& args) {
  auto* cmd = app.add_subcommand(
      "scorecard", "Every variant over its seeds in one table: availability, latency, violations, cost");
  cmd->add_option("scenario", args.scenario, "Scenario file (JSON)")->required();
  cmd->add_option("--seeds", args.seeds,
                  "Seeds for every variant, A..B or 1,2,7 (default: the scenario's own)");
  cmd->add_option("--jobs,-j", args.jobs, "Simulations to run at once")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--csv", args.csv, "Also write the table as CSV, one row per variant");
  cmd->add_option("--png", args.png, "Also draw the table as a chart (PNG; needs python3 with matplotlib)");
  cmd->add_flag("!--no-progress", args.progress, "No progress line on stderr");
  return cmd;
}

namespace {

struct Row {
  std::string variant;
  std::vector<std::uint64_t> seeds;
  std::size_t nodes = 0;
  std::vector<std::string> checks; // the variant's own
  // Over the runs that finished:
  std::size_t runs = 0, errors = 0, runs_with_violations = 0, runs_as_expected = 0;
  double availability_sum = 0, availability_min = 1, p99_max_s = 0, messages_sum = 0;
  std::map<std::string, long long> violations;
  // Recovery: the longest of any fault and signal, over the seeds (nullopt:
  // none measured), and the faults of all seeds, and those never recovered
  // from (any signal without a number).
  std::optional<double> recovery_max_s;
  std::optional<double> outage_max_s; // the longest a fault's first harm lasted (of those that ended)
  long long faults = 0, faults_not_recovered = 0;
  std::string first_error;
  double availability_mean() const { return runs ? availability_sum / double(runs) : 0; }
  double messages_mean() const { return runs ? messages_sum / double(runs) : 0; }
  bool runs_check(const std::string& c) const {
    return std::find(checks.begin(), checks.end(), c) != checks.end();
  }
};

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

// A python3 that can import matplotlib: $FAULTLAB_PYTHON when set, else
// python3 on the PATH, else Debian's own (a pyenv or venv python3 on the
// PATH may lack the Debian package). "" when there is none.
std::string chart_python(std::string& tried) {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("FAULTLAB_PYTHON"); env != nullptr && *env != '\0') candidates.push_back(env);
  else candidates = {"python3", "/usr/bin/python3"};
  for (const auto& python : candidates) {
    tried += (tried.empty() ? "" : ", ") + python;
    const std::string probe = shell_quote(python) + " -c 'import matplotlib' >/dev/null 2>&1";
    const int status = std::system(probe.c_str());
    if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) return python;
  }
  return "";
}

// Runs the embedded chart script on the CSV; "" on success, else why not.
std::string draw_chart(const std::string& python, const std::string& csv_path, const std::string& png_path,
                       const std::string& title) {
  const std::string command = shell_quote(python) + " - " + shell_quote(csv_path) + " " + shell_quote(png_path) +
                              " " + shell_quote(title) + " 2>&1";
  std::fflush(nullptr);
  std::FILE* pipe = ::popen(command.c_str(), "w");
  if (pipe == nullptr) return "cannot start " + python;
  const std::string script = kScorecardChartScript;
  std::fwrite(script.data(), 1, script.size(), pipe);
  const int status = ::pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return python + " failed drawing the chart (its messages are above)";
  return "";
}

} // namespace

int command_scorecard(const ScorecardArgs& args, std::ostream& out, std::ostream& err) {
  std::vector<Row> rows;
  std::vector<scenario::Scenario> scenarios;
  std::vector<std::string> checks; // every check some variant runs, in first-seen order
  std::string python;               // for --png
  try {
    for (const auto& [option, path] : {std::pair<std::string, std::string>{"--csv", args.csv}, {"--png", args.png}}) {
      if (path.empty()) continue;
      fs::path parent = fs::path(path).parent_path();
      std::error_code error;
      if (!parent.empty() && !fs::is_directory(parent, error))
        throw util::InputError("no-dir", option + " " + path,
                               "the folder " + parent.string() +
                                   " does not exist (create it first: mkdir -p " + parent.string() + ")");
    }
    if (!args.png.empty()) {
      // Before anything runs: a missing matplotlib should not cost the runs.
      std::string tried;
      python = chart_python(tried);
      if (python.empty())
        throw util::InputError("no-matplotlib", "--png " + args.png,
                               "drawing the chart needs python3 with matplotlib (Debian: apt-get install "
                               "python3-matplotlib; or set FAULTLAB_PYTHON); tried: " + tried);
    }
    std::vector<std::uint64_t> seeds;
    if (!args.seeds.empty()) seeds = parse_sweep_seeds(args.seeds);
    auto variants = scenario::variant_names(scenario::read_json_file(args.scenario), args.scenario);
    if (variants.empty()) variants.push_back("base");
    for (const auto& v : variants) {
      scenarios.push_back(scenario::load_scenario(args.scenario, scenario::LoadOptions{v, {}}));
      const auto& s = scenarios.back();
      Row row;
      row.variant = v;
      row.seeds = seeds.empty() ? s.seeds : seeds;
      row.nodes = s.topology.nodes.size();
      for (const auto& c : s.checks) {
        row.checks.push_back(c.name);
        if (std::find(checks.begin(), checks.end(), c.name) == checks.end()) checks.push_back(c.name);
      }
      rows.push_back(row);
    }
  } catch (const util::InputError& e) {
    err << e.what() << "\n";
    return kExitBadInput;
  }

  std::vector<std::function<std::string()>> tasks;
  std::vector<std::size_t> row_of;
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::uint64_t seed : rows[r].seeds) {
      tasks.push_back([&scenarios, r, seed] {
        RunRequest request;
        request.seed = seed;
        return run_checked(scenarios[r], request).summary.dump();
      });
      row_of.push_back(r);
    }
  ProgressLine progress(err, "scorecard", tasks.size(), args.progress,
                        &err == &std::cerr && ::isatty(STDERR_FILENO) == 1);
  std::uint64_t done = 0;
  auto results =
      run_in_children(tasks, args.jobs, [&](std::size_t, const ChildResult&) { progress.update(++done); });
  for (std::size_t t = 0; t < results.size(); ++t) {
    Row& row = rows[row_of[t]];
    auto summary = results[t].ok ? ordered_json::parse(results[t].output, nullptr, false) : ordered_json();
    if (!results[t].ok || !summary.is_object()) {
      ++row.errors;
      if (row.first_error.empty()) row.first_error = results[t].output;
      continue;
    }
    ++row.runs;
    const double availability = summary["metrics"]["availability"].get<double>();
    row.availability_sum += availability;
    row.availability_min = std::min(row.availability_min, availability);
    row.p99_max_s = std::max(row.p99_max_s, summary["metrics"]["latency_p99_s"].get<double>());
    row.messages_sum += summary["messages"]["sent"].get<double>();
    long long any = 0;
    for (auto it = summary["counts"].begin(); it != summary["counts"].end(); ++it) {
      row.violations[it.key()] += it->get<long long>();
      any += it->get<long long>();
    }
    if (any > 0) ++row.runs_with_violations;
    if (summary.contains("recovery"))
      for (const auto& entry : summary["recovery"]) {
        ++row.faults;
        bool recovered = true;
        for (const char* signal : analysis::kSignalNames) {
          const std::string key = std::string(signal) + "_s";
          if (!entry.contains(key)) continue; // not a signal of this design
          if (entry[key].is_null()) recovered = false;
          else row.recovery_max_s = std::max(row.recovery_max_s.value_or(0.0), entry[key].get<double>());
        }
        if (!recovered) ++row.faults_not_recovered;
        if (entry.contains("outage_s"))
          for (const auto& [signal, value] : entry["outage_s"].items())
            if (value.is_number()) row.outage_max_s = std::max(row.outage_max_s.value_or(0.0), value.get<double>());
      }
    const auto checked = evaluate_expectations(scenarios[row_of[t]], summary);
    if (std::all_of(checked.begin(), checked.end(), [](const auto& e) { return e.ok; }))
      ++row.runs_as_expected;
  }

  // The table: one line per variant, columns as wide as their widest cell.
  const auto& s0 = scenarios.front();
  std::vector<std::string> head{"variant",          "runs",         "availability", "(worst)", "p99 (worst)",
                                "recovery (worst)", "outage (worst)", "not recovered"};
  for (const auto& c : checks)
    head.push_back(c);
  for (const char* h : {"runs failing", "as expected", "nodes", "messages/run"})
    head.push_back(h);
  std::vector<std::vector<std::string>> table{head};
  for (const auto& row : rows) {
    std::vector<std::string> line{row.variant, std::to_string(row.runs)};
    line.push_back(row.runs ? fixed(100 * row.availability_mean(), 2) + " %" : "-");
    line.push_back(row.runs ? fixed(100 * row.availability_min, 2) + " %" : "-");
    line.push_back(row.runs ? fixed(1000 * row.p99_max_s, 1) + " ms" : "-");
    line.push_back(row.recovery_max_s ? fixed(*row.recovery_max_s, 1) + " s" : "-");
    line.push_back(row.outage_max_s ? fixed(*row.outage_max_s, 1) + " s" : "-");
    line.push_back(row.faults ? std::to_string(row.faults_not_recovered) + "/" + std::to_string(row.faults) : "-");
    for (const auto& c : checks)
      line.push_back(row.runs_check(c) && row.runs
                         ? std::to_string(row.violations.count(c) ? row.violations.at(c) : 0)
                         : "-");
    line.push_back(std::to_string(row.runs_with_violations) + "/" + std::to_string(row.runs));
    line.push_back(std::to_string(row.runs_as_expected) + "/" + std::to_string(row.runs));
    line.push_back(std::to_string(row.nodes));
    line.push_back(row.runs ? fixed(row.messages_mean(), 0) : "-");
    table.push_back(line);
  }
  std::vector<std::size_t> width(head.size(), 0);
  for (const auto& line : table)
    for (std::size_t k = 0; k < line.size(); ++k)
      width[k] = std::max(width[k], line[k].size());
  out << "scorecard " << s0.name << " — " << s0.title << " (" << ProgressLine::seconds(progress.elapsed_s())
      << ")\n";
  for (const auto& line : table) {
    for (std::size_t k = 0; k < line.size(); ++k) {
      const std::size_t pad = width[k] - line[k].size();
      // The variant's name to the left, numbers to the right.
      out << "  " << (k == 0 ? line[k] + std::string(pad, ' ') : std::string(pad, ' ') + line[k]);
    }
    out << "\n";
  }
  out << "  availability: mean over the seeds, and the worst seed; violations: summed over the seeds; "
         "runs failing: runs with any violation; as expected: runs within the variant's expect block\n"
         "  recovery: the longest time from a fault's end until healthy again; outage: the longest a fault's first "
         "harm lasted (both over the seeds); not recovered: faults (over all seeds) after which some signal never "
         "recovered\n";
  int code = kExitOk;
  for (const auto& row : rows)
    if (row.errors) {
      err << "error: " << row.variant << ": " << row.errors << " of " << row.seeds.size()
          << " runs did not finish: " << row.first_error << "\n";
      code = kExitVerifyFailed;
    }

  if (!args.csv.empty() || !args.png.empty()) {
    std::string csv = "variant,runs,availability_mean,availability_min,latency_p99_s_max,recovery_s_max,"
                      "outage_s_max,faults,faults_not_recovered";
    for (const auto& c : checks)
      csv += "," + csv_field(c + "_violations");
    csv += ",runs_with_violations,runs_as_expected,nodes,messages_per_run,errors\n";
    for (const auto& row : rows) {
      csv += csv_field(row.variant) + "," + std::to_string(row.runs) + "," +
             fixed(row.availability_mean(), 6) + "," + fixed(row.availability_min, 6) + "," +
             fixed(row.p99_max_s, 6) + "," + (row.recovery_max_s ? fixed(*row.recovery_max_s, 6) : "") + "," +
             (row.outage_max_s ? fixed(*row.outage_max_s, 6) : "") + "," +
             std::to_string(row.faults) + "," + std::to_string(row.faults_not_recovered);
      for (const auto& c : checks)
        csv += "," +
               (row.runs_check(c) ? std::to_string(row.violations.count(c) ? row.violations.at(c) : 0) : "");
      csv += "," + std::to_string(row.runs_with_violations) + "," + std::to_string(row.runs_as_expected) +
             "," + std::to_string(row.nodes) + "," + fixed(row.messages_mean(), 1) + "," +
             std::to_string(row.errors) + "\n";
    }
    // The chart reads the same table; without --csv from a file of its own.
    std::string csv_path = args.csv;
    if (csv_path.empty()) {
      char name[] = "/tmp/faultlab-scorecard-XXXXXX";
      const int fd = ::mkstemp(name);
      if (fd < 0) {
        err << "error: cannot create a temporary file\n";
        return kExitBadInput;
      }
      ::close(fd);
      csv_path = name;
    }
    try {
      history::write_file_atomically(csv_path, csv);
    } catch (const std::exception& e) {
      err << "error: " << e.what() << "\n";
      return kExitBadInput;
    }
    if (!args.csv.empty()) out << "  wrote " << args.csv << "\n";
    if (!args.png.empty()) {
      out.flush();
      const std::string failed = draw_chart(python, csv_path, args.png, "scorecard " + s0.name + " — " + s0.title);
      if (args.csv.empty()) std::remove(csv_path.c_str());
      if (!failed.empty()) {
        err << "error: --png " << args.png << ": " << failed << "\n";
        return kExitBadInput;
      }
      out << "  wrote " << args.png << "\n";
    }
  }
  return code;
}

} // namespace faultlab::cli
