// What crosses lanes: fault bands, message arrows, violation markers and the
// selected violation's highlight.
#pragma once

#include "app/view.hpp"
#include "trace_model/explain.hpp"
#include "trace_model/trace.hpp"

#include <imgui.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace faultlab::viz {

struct OverlayFrame {
  const ViewContext& view;
  const Trace& trace;
  const ViewState& state;
  ImDrawList* draw = nullptr;
  ImVec2 mouse;
  std::string* tooltip = nullptr;
  float lanes_y0 = 0.f, lanes_y1 = 0.f;
  const std::vector<float>& lane_center_y; // by LaneId
  const Violation* selected = nullptr;
};

void draw_fault_bands(const OverlayFrame& f);
void draw_messages(const OverlayFrame& f, const std::unordered_multimap<std::int64_t, std::uint32_t>& by_op);

// The violation strip between y0 and y1; `times` are the shown violations'
// times, `index` maps them back to Trace::violations. Returns a clicked one.
std::optional<std::size_t> draw_violation_strip(const OverlayFrame& f, float y0, float y1,
                                                const std::vector<double>& times,
                                                const std::vector<std::size_t>& index);

// The selected violation: its window shaded, its time marked across lanes.
void draw_selection(const OverlayFrame& f);
// Where the answering node finally applied the write the read missed: the
// replication message, its arrival, the wait to apply, and the apply.
void draw_applied_marks(const OverlayFrame& f, const std::vector<AppliedAt>& applied);
// The selected violation's causal chain (its `cause`): the linked faults'
// bands outlined, a numbered mark per step on its node's lane, and arrows
// from each cause to its effect, the root fault first.
void draw_cause_chain(const OverlayFrame& f);
// At the violation strip's edge: where the selected violation is when the
// window does not hold it.
void draw_offscreen_violation(const OverlayFrame& f, float y0, float y1);

} // namespace faultlab::viz
