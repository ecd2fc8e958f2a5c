// faultlab explain: what a facilitator reads before a session.
#include "../support/run_support.hpp"
#include "cli/commands.hpp"
#include "cli/explain_command.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using faultlab::testing::source_path;

TEST_CASE("explain tells the lesson, every variant's design, what to look for and the questions") {
  std::ostringstream out, err;
  int code = faultlab::cli::command_explain("split-brain", source_path("scenarios"), out, err);
  CHECK(code == faultlab::cli::kExitOk);
  CHECK(err.str().empty());
  const std::string text = out.str();
  CHECK(text.rfind("split-brain: Split brain: two primaries after a network partition\n", 0) == 0);
  for (const char* part : {"\nVariants\n  broken\n", "\n  quorum\n", "\n  fixed\n", "\nWhat to look for in the viewer\n",
                           "  - The partition bands:", "\nQuestions for the room\n", "  1. Why does a majority vote",
                           "  3. The lease must be shorter"})
    CHECK(text.find(part) != std::string::npos);
  // Wrapped for a terminal.
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("  faultlab", 0) != 0) CHECK(line.size() <= 78);
}

TEST_CASE("every catalog scenario has material for the room") {
  for (const auto& file : faultlab::cli::scenario_files({source_path("scenarios")})) {
    auto s = faultlab::scenario::load_scenario(file, {"base", {}});
    INFO(file);
    CHECK(s.look_for.size() >= 2);
    CHECK(s.questions.size() >= 2);
  }
}

TEST_CASE("explain names the catalog when the scenario is unknown") {
  std::ostringstream out, err;
  CHECK(faultlab::cli::command_explain("splitbrain", source_path("scenarios"), out, err) ==
        faultlab::cli::kExitBadInput);
  CHECK(err.str() == "error[unknown-scenario]: splitbrain: no such scenario in " + source_path("scenarios") +
                         " (there: cache-invalidation, gc-pause, hot-shard, inventory-race, redis-spof, replica-lag, split-brain)\n");
  CHECK(out.str().empty());
}
