// Helpers for the planted-bug tests (tests/check/test_planted_bugs.cpp):
// run a design of the catalog with a seed, judge its history again in this
// process with the scenario's own check options, and corrupt a history in
// small, named ways.
//
// A design is a catalog scenario, a variant and --set overrides; a plant is
// more overrides on top of it. Runs happen in a child process (one SimGrid
// engine per process) that writes the history file; the history read back is
// what the checkers judge here.
#pragma once

#include "check/checker.hpp"
#include "cli/runner.hpp"
#include "history/history_io.hpp"
#include "run_support.hpp"
#include "scenario/loader.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace faultlab::testing::planted {

using check::Violation;
using history::History;
using history::Op;
using history::Outcome;

struct Design {
  std::string scenario; // a catalog name: scenarios/<scenario>.json
  std::string variant;
  std::vector<std::string> sets;

  Design with(const std::vector<std::string>& more) const {
    Design planted = *this;
    planted.sets.insert(planted.sets.end(), more.begin(), more.end());
    return planted;
  }
};

struct Run {
  scenario::Scenario scenario;
  std::uint64_t seed = 0;
  nlohmann::json summary;
  History history;
};

inline Run simulate(const Design& design, std::uint64_t seed) {
  Run run;
  run.seed = seed;
  run.scenario = scenario::load_scenario(source_path("scenarios/" + design.scenario + ".json"),
                                         scenario::LoadOptions{design.variant, design.sets});
  const std::string dir = temp_dir();
  const std::string history_path = dir + "/history.jsonl";
  auto results = cli::run_in_children({[&] {
                                        cli::RunRequest request;
                                        request.seed = seed;
                                        request.history_path = history_path;
                                        return cli::run_checked(run.scenario, request).summary.dump();
                                      }},
                                      1);
  INFO(results.front().output);
  REQUIRE(results.front().ok);
  run.summary = nlohmann::json::parse(results.front().output);
  run.history = history::read_history_jsonl(history_path);
  std::filesystem::remove_all(dir);
  return run;
}

// The options the scenario declares for `check` (with its components' facts).
inline const check::CheckOptions& options_of(const Run& run, const std::string& check) {
  auto it = std::find_if(run.scenario.checks.begin(), run.scenario.checks.end(),
                         [&](const scenario::Check& c) { return c.name == check; });
  INFO("the scenario runs " << check);
  REQUIRE(it != run.scenario.checks.end());
  return it->options;
}

// `check` run in this process on `history`, with the run's options.
inline std::vector<Violation> judge(const Run& run, const History& history, const std::string& check) {
  const check::CheckerInfo* checker = check::find_checker(check);
  REQUIRE(checker != nullptr);
  return checker->run(history, options_of(run, check));
}

// The ops of a history by id.
class OpIndex {
public:
  explicit OpIndex(const History& history) {
    for (const Op& op : history.ops)
      by_id_[op.id] = &op;
  }
  bool has(std::int64_t id) const { return by_id_.count(id) > 0; }
  const Op& at(std::int64_t id) const { return *by_id_.at(id); }

private:
  std::map<std::int64_t, const Op*> by_id_;
};

// What every violation of a checker must look like: true when `v` is shaped
// as that checker promises (its ops, in that history).
using Shape = std::function<bool(const Violation& v, const OpIndex& ops, const Run& run)>;

// The violations of `check` in the run, found again in this process: the
// same number the run's summary counts, the same ops as the violations it
// lists, each named `check`, naming only ops of the history, and of `shape`.
inline std::vector<Violation> verified(const Run& run, const std::string& check, const Shape& shape) {
  std::vector<Violation> found = judge(run, run.history, check);
  REQUIRE(run.summary["counts"][check].get<std::size_t>() == found.size());
  std::vector<std::vector<std::int64_t>> listed;
  for (const auto& v : run.summary["violations"])
    if (v["check"] == check) listed.push_back(v["ops"].get<std::vector<std::int64_t>>());
  REQUIRE(listed.size() <= found.size());
  for (std::size_t i = 0; i < listed.size(); ++i)
    CHECK(listed[i] == found[i].ops);
  const OpIndex ops(run.history);
  for (const Violation& v : found) {
    INFO(v.message);
    REQUIRE(v.check == check);
    REQUIRE(!v.ops.empty());
    for (std::int64_t id : v.ops)
      REQUIRE(ops.has(id));
    REQUIRE(shape(v, ops, run));
  }
  return found;
}

// Model mutation: on each seed, `design` gives no violation of `check`;
// `design` with `plant` gives at least one, and each is of `shape`. Returns
// the correct runs, for the history mutations.
inline std::vector<Run> plant_in_model(const std::string& check, const Design& design,
                                       const std::vector<std::string>& plant,
                                       const std::vector<std::uint64_t>& seeds, const Shape& shape) {
  std::vector<Run> correct;
  for (std::uint64_t seed : seeds) {
    INFO(design.scenario << " " << design.variant << " seed " << seed);
    Run run = simulate(design, seed);
    REQUIRE(verified(run, check, shape).empty());
    correct.push_back(std::move(run));
    INFO("planted: " << nlohmann::json(plant).dump());
    const Run broken = simulate(design.with(plant), seed);
    REQUIRE(!verified(broken, check, shape).empty());
  }
  return correct;
}

// ---- Corrupting a history -------------------------------------------------

inline Op& op_with_id(History& history, std::int64_t id) {
  auto it = std::find_if(history.ops.begin(), history.ops.end(), [&](const Op& op) { return op.id == id; });
  REQUIRE(it != history.ops.end());
  return *it;
}

inline std::int64_t next_id(const History& history) {
  std::int64_t id = 0;
  for (const Op& op : history.ops)
    id = std::max(id, op.id);
  return id + 1;
}

// Inserts `op` where History keeps it: by invoke time, ties by id.
inline void insert_sorted(History& history, const Op& op) {
  auto at = std::upper_bound(history.ops.begin(), history.ops.end(), op, [](const Op& a, const Op& b) {
    return a.invoke_s != b.invoke_s ? a.invoke_s < b.invoke_s : a.id < b.id;
  });
  history.ops.insert(at, op);
}

// A value of `key` older than `newer` (an ok write): the value of the latest
// ok write of the key acknowledged before `newer` began, when that value was
// written only once; otherwise no value (the key before any write), which
// is older than every write.
inline std::optional<std::int64_t> older_value(const History& history, const Op& newer) {
  const Op* best = nullptr;
  for (const Op& w : history.ops) {
    if (!w.is_write() || w.outcome != Outcome::ok || w.key != newer.key || !(w.complete_s < newer.invoke_s))
      continue;
    if (best == nullptr || w.complete_s > best->complete_s) best = &w;
  }
  if (best == nullptr) return std::nullopt;
  int writers = 0;
  for (const Op& w : history.ops)
    if (w.is_write() && w.outcome != Outcome::fail && w.key == newer.key && w.value == best->value) ++writers;
  return writers == 1 ? best->value : std::nullopt;
}

inline bool contains(const std::vector<std::int64_t>& ids, std::int64_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// The violations of `found` that name op `id`.
inline std::size_t naming(const std::vector<Violation>& found, std::int64_t id) {
  return static_cast<std::size_t>(
      std::count_if(found.begin(), found.end(), [&](const Violation& v) { return contains(v.ops, id); }));
}

} // namespace faultlab::testing::planted
