// One small class per kind of lane, with a common draw entry point (after
// Tracy). A lane draws its own background and content between y0 and y1;
// cross-lane things (messages, faults, violations) are drawn by overlays.hpp.
#pragma once

#include "app/view.hpp"
#include "trace_model/trace.hpp"

#include <imgui.h>

#include <memory>
#include <string>
#include <vector>

namespace faultlab::viz {

// What a lane needs to draw one frame. Const: lanes keep no per-frame state.
struct LaneFrame {
  const ViewContext& view;
  const Trace& trace;
  const Violation* selected = nullptr; // highlighted violation, if any
  ImDrawList* draw = nullptr;
  ImVec2 mouse;
  std::string* tooltip = nullptr;                     // a hovered mark writes its description here
  const std::vector<std::int64_t>* related = nullptr; // ops the selection's explanation names (a late filler)
  const Picked* picked = nullptr;                     // this trace's picked op or lock wait, if any
  const std::vector<const LockWait*>* chain = nullptr; // the picked wait's chain (lock_waits.hpp), outlined
  Picked* hover = nullptr;                            // what is under the mouse: a click picks it
};

class LaneView {
public:
  LaneView(const Trace& trace, LaneId id) : trace_(trace), id_(id) {}
  virtual ~LaneView() = default;
  LaneView(const LaneView&) = delete;
  LaneView& operator=(const LaneView&) = delete;

  LaneId id() const { return id_; }
  const Lane& lane() const { return trace_.lanes[id_]; }
  virtual float height(float font_px) const = 0;
  virtual void draw(const LaneFrame& f, float y0, float y1) const = 0;
  // Drawn after the messages, so it stays visible over the arrows.
  virtual void draw_overlay(const LaneFrame& f, float y0, float y1) const { (void)f, (void)y0, (void)y1; }

protected:
  const Trace& trace_;
  LaneId id_;
};

// A node: greyed while down or paused, with a tick per state change. A
// database's node also shows its lock waits, one bar per waiting statement
// in up to four sub-rows above the ticks (lock_wait_lane.cpp); a scheduler's
// node its job runs, an alerting component's node its alerts (job_marks.cpp);
// an autoscaled instance its time spare or provisioning, an autoscaler's node
// its decisions (scaling_marks.cpp); a logger's full buffer and a queue's
// events on their node (note_marks.cpp).
class NodeLaneView : public LaneView {
public:
  NodeLaneView(const Trace& trace, LaneId id);
  float height(float font_px) const override;
  void draw(const LaneFrame& f, float y0, float y1) const override;
  void draw_overlay(const LaneFrame& f, float y0, float y1) const override; // down / paused, picked waits, scaling

private:
  float lock_rows_bottom(float y0, float y1) const; // where the lock-wait rows end
  void draw_lock_waits(const LaneFrame& f, float y0, float y1) const;
  void draw_picked_waits(const LaneFrame& f, float y0, float y1) const;
  void draw_jobs(const LaneFrame& f, float y0, float y1) const; // job runs and alerts (job_marks.cpp)
  void draw_scaling(const LaneFrame& f, float y0, float y1) const; // an autoscaler's work (scaling_marks.cpp)
  void draw_notes(const LaneFrame& f, float y0, float y1) const; // log buffers, queue events (note_marks.cpp)

  std::vector<double> state_times_; // parallel to lane().states
};

// A client group: one bar per op, from invoke to completion, by outcome.
class ClientLaneView : public LaneView {
public:
  using LaneView::LaneView;
  float height(float font_px) const override;
  void draw(const LaneFrame& f, float y0, float y1) const override;
  void draw_overlay(const LaneFrame& f, float y0, float y1) const override; // the selected violation's ops
};

std::vector<std::unique_ptr<LaneView>> make_lane_views(const Trace& trace);

// Whether the mouse `m` is in the rectangle (x0, y0)-(x1, y1): a mark is hovered.
inline bool inside(const ImVec2& m, float x0, float y0, float x1, float y1) {
  return m.x >= x0 && m.x <= x1 && m.y >= y0 && m.y <= y1;
}
// A time for a tooltip: "12.345 s", or "day 2.50" past two days.
std::string time_text(double t_s);

std::string describe_op(const Op& op); // the tooltip
ImU32 lock_wait_colour(const LockWait& w);
std::string op_summary(const Op& op);  // "write k = 3", "read k -> nothing"
ImU32 outcome_colour(Outcome o);

} // namespace faultlab::viz
