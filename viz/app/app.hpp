// The viewer's application state: the loaded traces, their timelines and
// metrics, and the shared view state. frame() lays out and draws one frame.
#pragma once

#include "app/timeline.hpp"
#include "app/view.hpp"
#include "trace_model/metrics.hpp"
#include "trace_model/trace.hpp"

#include <memory>
#include <string>
#include <vector>

namespace faultlab::viz {

struct LoadedTrace {
  std::unique_ptr<Trace> trace;
  std::unique_ptr<TimelineView> timeline;
  Metrics metrics;
};

class App {
public:
  // `errors` are load failures, shown in the window instead of a timeline.
  App(std::vector<std::unique_ptr<Trace>> traces, std::vector<std::string> errors);

  void frame(double dt_s); // builds the whole UI for one frame
  ViewState& state() { return state_; }
  const std::vector<LoadedTrace>& traces() const { return traces_; }
  // Selects violation n (0-based, among those shown) of trace `which` and zooms to it.
  bool select_violation(std::size_t n, int which = 0);
  void select_violation_index(std::size_t index, int which);

private:
  void handle_keys();
  void step_playback(double dt_s);
  void toggle_play();
  void draw_top_bar(float x, float y, float w, float h);
  void draw_timelines(float x, float y, float w, float h);
  void draw_errors(float x, float y, float w, float h);

  std::vector<LoadedTrace> traces_;
  std::vector<std::string> errors_;
  ViewState state_;
  float nodes_h_ = 0.f; // the node panel's height so far (see frame())
};

} // namespace faultlab::viz
