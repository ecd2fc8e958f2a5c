// Test helpers: run a scenario (from a file or from JSON text) in a child
// process, as faultlab itself does, and read back its summary and trace.
#pragma once

#include "cli/runner.hpp"
#include "history/history_io.hpp"
#include "scenario/loader.hpp"
#include "temp_dir.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace faultlab::testing {

inline std::string source_path(const std::string& relative) { return std::string(FAULTLAB_SOURCE_DIR) + "/" + relative; }

inline std::string write_text(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Runs `command` with /bin/sh; returns its exit code and what it printed on
// both streams.
inline std::pair<int, std::string> shell(const std::string& command) {
  const std::string out = temp_dir() + "/out.txt";
  const int status = std::system((command + " > " + out + " 2>&1").c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(out)};
}

struct TestRun {
  nlohmann::json summary;
  std::string trace_path;
  history::History history;
  std::vector<nlohmann::json> events; // every trace line after the header
};

// Loads `file` with `variant` and `sets`, runs it with `seed` in a child
// process, writing its trace to a temporary file; returns what came out.
inline TestRun run_file(const std::string& file, const std::string& variant, std::uint64_t seed,
                        const std::vector<std::string>& sets = {}) {
  scenario::Scenario s = scenario::load_scenario(file, scenario::LoadOptions{variant, sets});
  TestRun run;
  run.trace_path = temp_dir() + "/trace.jsonl";
  auto results = cli::run_in_children({[&] {
                                        cli::RunRequest request;
                                        request.seed = seed;
                                        request.trace_path = run.trace_path;
                                        return cli::run_checked(s, request).summary.dump();
                                      }},
                                      1);
  if (!results.front().ok) throw std::runtime_error(results.front().output);
  run.summary = nlohmann::json::parse(results.front().output);
  run.history = history::read_history_jsonl(run.trace_path);
  std::ifstream in(run.trace_path);
  std::string line;
  std::getline(in, line); // header
  while (std::getline(in, line)) run.events.push_back(nlohmann::json::parse(line));
  return run;
}

inline TestRun run_text(const std::string& json_text, std::uint64_t seed = 1, const std::vector<std::string>& sets = {}) {
  std::string file = write_text(temp_dir() + "/scenario.json", json_text);
  return run_file(file, "", seed, sets);
}

} // namespace faultlab::testing
