// The command line of faultlab-viz.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace faultlab::viz {

struct Options {
  std::vector<std::string> traces; // one, or two for compare mode
  std::string screenshot;          // headless: write one frame to this PNG and exit
  std::optional<double> at_s;      // cursor time
  std::optional<std::pair<double, double>> window_s;
  int width = 1920, height = 1080;
  std::optional<std::size_t> select_violation; // 1-based, as numbered in the violations panel
  std::optional<std::int64_t> select_op;        // pick this op (by id) for the details panel
  std::optional<std::size_t> select_lock_wait;  // pick the N-th lock wait (1-based, in time order)
  std::set<std::string> only_checks;           // show only these checks' violations
  int frames = 4; // frames rendered for a screenshot; more than 4 also prints their timing
  std::optional<std::pair<float, float>> mouse; // screenshot with the mouse here (shows tooltips)
  bool show_help = false;                       // open the help panel (for a screenshot of it)
  bool help = false;
};

// Throws std::invalid_argument with a message for the user.
Options parse_options(int argc, char** argv);
const char* usage();

} // namespace faultlab::viz
