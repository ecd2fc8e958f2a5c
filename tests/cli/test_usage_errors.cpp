// Command-line mistakes, through the real binary: one error[id] line on
// stderr, exit 2, and nothing run or written.
#include "../support/run_support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using faultlab::testing::shell;
using faultlab::testing::source_path;
using faultlab::testing::temp_dir;

namespace {
std::pair<int, std::string> faultlab_cli(const std::string& arguments) {
  return shell("cd " + source_path("") + " && " + std::string(FAULTLAB_BINARY) + " " + arguments);
}
} // namespace

TEST_CASE("command-line mistakes are error[id] lines that say what was expected") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"verfy", "error[unknown-command]: verfy: no such command (did you mean verify?); the commands are run, verify, "
                "list, check, sweep, sweep-merge, explain, analyze, export, schema, explore, shrink, scorecard (faultlab --help)\n"},
      {"frobnicate", "error[unknown-command]: frobnicate: no such command; the commands are run, verify, list, check, "
                     "sweep, sweep-merge, explain, analyze, export, schema, explore, shrink, scorecard (faultlab --help)\n"},
      {"run scenarios/replica-lag.json --seed -1",
       "error[bad-option]: --seed: expected a seed, a whole number from 0 to 18446744073709551615, got \"-1\"\n"},
      {"run scenarios/replica-lag.json --seed abc",
       "error[bad-option]: --seed: expected a seed, a whole number from 0 to 18446744073709551615, got \"abc\"\n"},
      {"run scenarios/replica-lag.json --seed 18446744073709551616",
       "error[bad-option]: --seed: expected a seed, a whole number from 0 to 18446744073709551615, got "
       "\"18446744073709551616\"\n"},
      {"run scenarios/replica-lag.json --bogus x",
       "error[unknown-option]: --bogus x: not an option or argument of this command (see its --help)\n"},
      {"run", "error[missing-option]: scenario is required\n"},
      {"run scenarios", "error[not-a-file]: scenarios: this is a folder, not a scenario file (name a .json file in "
                        "it)\n"},
      {"run scenarios/replica-lag.json --trace no-such-folder/t.jsonl",
       "error[no-dir]: --trace no-such-folder/t.jsonl: the folder no-such-folder does not exist (create it first: "
       "mkdir -p no-such-folder)\n"},
  };
  for (const auto& [arguments, expected] : cases) {
    INFO("faultlab " << arguments);
    auto [code, output] = faultlab_cli(arguments);
    CHECK(code == 2);
    CHECK(output == expected);
  }
  CHECK(!std::filesystem::exists(source_path("no-such-folder"))); // not created behind the user's back
  // The largest seed is a seed.
  auto [code, output] = faultlab_cli("run scenarios/replica-lag.json --seed 18446744073709551615 --quiet "
                                     "--set workload.duration=1s");
  INFO(output);
  CHECK(code == 0);
}
