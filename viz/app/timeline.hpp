// The space-time view of one trace: a heading, a ruler in simulated seconds,
// the violation strip, and one lane per client group and node. Zoom with the
// wheel around the mouse, pan by dragging, click to move the cursor.
#pragma once

#include "app/lanes.hpp"
#include "app/view.hpp"
#include "trace_model/explain.hpp"
#include "trace_model/trace.hpp"

#include <imgui.h>

#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace faultlab::viz {

class TimelineView {
public:
  TimelineView(const Trace& trace, int index, std::string tag);

  // Draws into the current ImGui window, in the rectangle [pos, pos + size].
  void draw(ViewState& state, ImVec2 pos, ImVec2 size);
  const Trace& trace() const { return trace_; }
  // The violations shown under the state's check filter (indices into trace().violations).
  const std::vector<std::size_t>& shown_violations(const ViewState& state);
  float label_width(float font_px) const { return font_px * 11.f; }

private:
  void refresh_filter(const ViewState& state);
  void draw_heading(const ViewState& state, ImVec2 pos, float width);
  void draw_ruler(const ViewContext& v, float y0, float y1);
  void handle_input(ViewState& state, const ViewContext& v, ImVec2 a, ImVec2 b, float lanes_y0, int slot,
                    const Picked& hover);
  const std::vector<const LockWait*>* picked_chain(const ViewState& state);

  const Trace& trace_;
  int index_;
  std::string tag_; // "A" / "B" in compare mode
  std::vector<std::unique_ptr<LaneView>> lanes_;
  std::unordered_multimap<std::int64_t, std::uint32_t> messages_by_op_;
  std::set<std::string> filter_for_;
  bool filter_ready_ = false;
  bool dragged_ = false; // the current press has panned: its release does not move the cursor
  const Violation* explained_for_ = nullptr; // explain_violation() is cached per selection
  std::vector<AppliedAt> explained_;
  std::vector<std::int64_t> related_; // ops the explanation names beyond the violation's
  Picked chain_for_;                      // picked_chain() is cached per pick
  std::vector<const LockWait*> chain_;
  std::vector<double> shown_times_;
  std::vector<std::size_t> shown_index_;
};

std::string format_seconds(double t_s, double step_s);

} // namespace faultlab::viz
