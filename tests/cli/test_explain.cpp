// faultlab explain: what a facilitator reads before a session.
#include "../support/run_support.hpp"
#include "cli/commands.hpp"
#include "cli/explain_command.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
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
    if (line.rfind("  ./faultlab", 0) != 0) CHECK(line.size() <= 78);
  CHECK(text.find("\nTry it (from the faultlab checkout)\n  ./faultlab run ") != std::string::npos);
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
  // The catalog grows: every name in it is listed, in order.
  std::string names;
  for (const auto& file : faultlab::cli::scenario_files({source_path("scenarios")}))
    names += (names.empty() ? "" : ", ") + std::filesystem::path(file).stem().string();
  CHECK(names.find("gc-pause, gdpr-erasure, hot-shard") != std::string::npos);
  CHECK(err.str() == "error[unknown-scenario]: splitbrain: no such scenario in " + source_path("scenarios") +
                         " (there: " + names + ")\n");
  CHECK(out.str().empty());
}

using faultlab::testing::shell;

TEST_CASE("list, verify and explain find the catalog from any folder, or say where they looked") {
  const std::string binary = FAULTLAB_BINARY;
  // From another folder, by the binary's full path: the checkout's catalog.
  auto [list_code, list_out] = shell("cd /tmp && env -u FAULTLAB_CATALOG " + binary + " list");
  INFO(list_out);
  CHECK(list_code == 0);
  CHECK(list_out.find("replica-lag\n") != std::string::npos);
  auto [explain_code, explain_out] = shell("cd /tmp && env -u FAULTLAB_CATALOG " + binary + " explain gc-pause");
  CHECK(explain_code == 0);
  CHECK(explain_out.rfind("gc-pause: ", 0) == 0);

  // An explicit FAULTLAB_CATALOG wins, and a wrong one is an error naming it.
  const std::string empty = faultlab::testing::temp_dir();
  auto [bad_code, bad_out] = shell("cd /tmp && FAULTLAB_CATALOG=" + empty + " " + binary + " list");
  CHECK(bad_code == 2);
  CHECK(bad_out == "error[no-catalog]: scenarios: no scenario catalog found (looked in: $FAULTLAB_CATALOG (" + empty +
                       ")); run from the faultlab checkout, set FAULTLAB_CATALOG to its scenarios/ folder, or name "
                       "scenario files\n");
  auto [env_code, env_out] =
      shell("cd /tmp && FAULTLAB_CATALOG=" + source_path("scenarios") + " " + binary + " explain replica-lag");
  CHECK(env_code == 0);
}
