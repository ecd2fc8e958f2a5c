// The result of one checked run, as the summary JSON and the reports see it.
#pragma once

#include "check/violation.hpp"
#include "history/op.hpp"
#include "scenario/config.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace faultlab::cli {

struct Metrics {
  std::int64_t ok = 0, fail = 0, info = 0; // client ops, final reads excluded
  std::int64_t final_reads = 0;
  double latency_p50_s = 0, latency_p99_s = 0, latency_max_s = 0; // of ok ops
  double availability = 1.0; // ok / all completed
  // Per node that served (or, for routed requests, was sent) client ops, by name.
  struct NodeLoad {
    std::string node;
    std::int64_t ops = 0, ok = 0;
    double latency_p99_s = 0; // of its ok ops
  };
  std::vector<NodeLoad> nodes;
};

// Over the ops of the named client groups only, when `client_groups` is
// given: components may record ops of their own (a checkout's attempts to
// charge, a payment provider's ledger), which are not requests of users.
Metrics compute_metrics(const history::History& history,
                        const std::vector<std::string>* client_groups = nullptr);

// Runs the scenario's checks; violations sorted by time, then checker order.
std::vector<check::Violation> run_checks(const scenario::Scenario& scenario, const history::History& history);

struct ExpectationResult {
  scenario::Expectation expectation;
  double actual = 0;
  bool ok = true;
};

// How many violations a reader sees without the trace: the summary lists
// the first kSummaryListed, the report prints the first kReportExamples of
// each check.
constexpr std::size_t kSummaryListed = 200;
constexpr std::size_t kReportExamples = 3;

// The summary JSON of one run (the contract in README "Summary").
nlohmann::ordered_json make_summary(const scenario::Scenario& scenario, std::uint64_t seed, double sim_time_s,
                                    const Metrics& metrics, const std::vector<check::Violation>& violations,
                                    const nlohmann::ordered_json& messages);

// Reads a value named like an expectation ("violations.x", "metrics.y") from a summary.
double summary_value(const nlohmann::ordered_json& summary, const std::string& what);
std::vector<ExpectationResult> evaluate_expectations(const scenario::Scenario& scenario,
                                                     const nlohmann::ordered_json& summary);

// "./faultlab run FILE --variant V --seed N --set ...": the command that
// reproduces a run, overrides included, quoted for a POSIX shell.
std::string reproduce_command(const scenario::Scenario& scenario, std::uint64_t seed);
// `word` as one POSIX shell word: unchanged when it is plain, else in single quotes.
std::string shell_quote(const std::string& word);

} // namespace faultlab::cli
