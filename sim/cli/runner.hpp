// Running scenarios: one checked run in this process, or many, each in a
// forked child process (SimGrid allows one engine per process).
#pragma once

#include "analysis/profile.hpp"
#include "analysis/recovery.hpp"
#include "analysis/saturation.hpp"
#include "causality/causality.hpp"
#include "check/violation.hpp"
#include "cli/outcome.hpp"
#include "scenario/config.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace faultlab::cli {

struct RunRequest {
  std::uint64_t seed = 1;
  std::string trace_path;   // "" : no trace file
  std::string history_path; // "" : no history file
  std::vector<std::string> simgrid_flags;
  // Explain violations (causality/): a `cause` in the summary and in the
  // trace's violation events. Always on when a trace is written, and then
  // every violation is explained; without a trace, the ones the summary
  // lists and the report shows. Message events are recorded even without a
  // trace file, so a cause is the same with and without --trace. A run with
  // no causes, no trace or history file, no profile and no faults (whose
  // recovery is read from the trace) keeps no trace events at all.
  bool causes = false;
  // Profile the run (analysis/profile.hpp): a `profile` in the summary. It
  // reads the message events, so it records them (the trace file is the same).
  bool profile = false;
  // Measure how busy each resource was (analysis/saturation.hpp): a
  // `saturation` in the summary. SimGrid's load plugins only observe.
  bool saturation = false;
};

struct CheckedRun {
  nlohmann::ordered_json summary;
  std::vector<check::Violation> violations;
  // One per violation, when the request asked for them; one not explained
  // (see RunRequest::causes) has an empty chain.
  std::vector<causality::Cause> causes;
  Metrics metrics;
  std::vector<analysis::Recovery> recovery; // per fault (README "Recovery")
  std::optional<analysis::Profile> profile;  // when the request asked for it
  std::optional<analysis::Saturation> saturation; // when the request asked for it
};

// Recovery settings for a scenario: its availability check's SLO when it
// declares one, and only its client groups' requests.
analysis::RecoveryOptions recovery_options(const scenario::Scenario& scenario);

// Which violations a run explains: all of them when a trace is written
// (each violation event carries its cause); otherwise the ones a reader
// sees, the summary's list (kSummaryListed) and the report's first
// kReportExamples of each check.
std::vector<bool> violations_to_explain(const std::vector<check::Violation>& violations, bool all);

// Simulates, checks, and writes the requested files. Call once per process.
CheckedRun run_checked(const scenario::Scenario& scenario, const RunRequest& request);

// The trace header: what a viewer needs to know before the first event.
nlohmann::ordered_json trace_header(const scenario::Scenario& scenario, std::uint64_t seed, const char* format);

// Runs each task in its own child process, at most `jobs` at a time, and
// returns what each printed to its result channel, or the error it raised
// (prefixed "error: "). Results come back in task order.
struct ChildResult {
  bool ok = false;
  std::string output;
};
// `on_done`, when given, is called in the parent as each task ends (for a
// progress line), in the order they end.
std::vector<ChildResult> run_in_children(const std::vector<std::function<std::string()>>& tasks, int jobs,
                                         const std::function<void(std::size_t task, const ChildResult&)>& on_done = {});

// The summary of one run of `scenario` with `seed`, computed in a child process.
ChildResult summary_in_child(const scenario::Scenario& scenario, std::uint64_t seed);

} // namespace faultlab::cli
