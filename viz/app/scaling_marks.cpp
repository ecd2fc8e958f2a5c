// An autoscaler's work on the lanes. On an instance's lane: its time as a
// spare (a dark band, "SPARE") and its time provisioning (an amber hatched
// band, "PROVISIONING", from the decision to add it until it joined the load
// balancer). Both are drawn over the messages that cross the lane. On the
// autoscaler's node: a mark per decision, a green triangle
// up for scale_up, a blue one down for scale_down, and a red diamond for
// what went wrong (blind: no instance answered its scrape; an instance that
// failed to provision or to be released). Only what is in the visible window
// is drawn; each tells its story in a tooltip.
#include "app/lanes.hpp"
#include "app/palette.hpp"

#include <algorithm>
#include <cstdio>

namespace faultlab::viz {

namespace {
constexpr ImU32 kSpare = palette::rgb(8, 9, 12, 170);
constexpr ImU32 kProvisioning = palette::rgb(250, 180, 40, 45);
constexpr ImU32 kProvisioningEdge = palette::rgb(250, 180, 40, 150);

std::string span_tip(const std::string& lane, const ScalingSpan& s, bool open) {
  const bool spare = s.phase == ScalingSpan::Phase::spare;
  std::string tip = lane + (spare ? " spare (out of " : " provisioning for ") + s.service + (spare ? ")" : "") +
                    "\nfrom " + time_text(s.t_start_s) +
                    (open ? " to the end of the run" : " to " + time_text(s.t_end_s));
  char took[64];
  std::snprintf(took, sizeof took, " (%.3f s)", s.t_end_s - s.t_start_s);
  tip += took;
  if (!s.why.empty()) tip += "\n" + s.why;
  else if (spare) tip += "\na spare from the start: " + s.component + " can add it";
  if (s.ended == "joined") tip += "\nthen joined the load balancer";
  else if (s.ended == "provisioning") tip += "\nthen " + s.component + " began to provision it";
  else if (s.ended == "provision_failed") tip += "\nthen its provisioning failed";
  return tip;
}

std::string event_tip(const ScalingEvent& e) {
  std::string tip = e.component + ": " + e.action + " of " + e.service + " at " + time_text(e.t_s);
  if (!e.instance.empty()) tip += " (" + e.instance + ")";
  if (!e.why.empty()) tip += "\n" + e.why;
  tip += "\nthen " + std::to_string(e.instances) + " in service, " + std::to_string(e.provisioning) + " provisioning";
  return tip;
}
} // namespace

void NodeLaneView::draw_scaling(const LaneFrame& f, float y0, float y1) const {
  const ViewContext& v = f.view;
  for (std::uint32_t i : lane().scaling_spans) {
    const ScalingSpan& s = trace_.scaling_spans[i];
    if (s.t_start_s > v.t1_s) break; // by start
    if (s.t_end_s < v.t0_s) continue;
    const float xa = v.x_clamped(s.t_start_s), xb = std::max(v.x_clamped(s.t_end_s), xa + 2.f);
    const bool spare = s.phase == ScalingSpan::Phase::spare;
    f.draw->AddRectFilled({xa, y0 + 1}, {xb, y1 - 1}, spare ? kSpare : kProvisioning);
    if (!spare) {
      f.draw->PushClipRect({xa, y0}, {xb, y1}, true);
      for (float x = xa - (y1 - y0); x < xb; x += 12.f) // hatching: readable in greyscale too
        f.draw->AddLine({x, y0}, {x + (y1 - y0), y1}, kProvisioningEdge, 1.5f);
      f.draw->PopClipRect();
      f.draw->AddRect({xa, y0 + 1}, {xb, y1 - 1}, kProvisioningEdge);
    }
    const char* label = spare ? "SPARE" : "PROVISIONING";
    const ImVec2 ts = ImGui::CalcTextSize(label);
    const float lx = std::max(xa, v.x0) + 6.f, ly = (y0 + y1 - ts.y) * 0.5f;
    if (std::min(xb, v.x1) - lx > ts.x + 8.f) { // on a dark backing: messages cross the lane
      f.draw->AddRectFilled({lx - 3.f, ly}, {lx + ts.x + 3.f, ly + ts.y}, palette::rgb(0, 0, 0, 200));
      f.draw->AddText({lx, ly}, spare ? palette::kTextDim : palette::kInfo, label);
    }
    if (inside(f.mouse, xa, y0, xb, y1))
      *f.tooltip = span_tip(lane().name, s, s.ended.empty() && s.t_end_s >= trace_.t_end_s());
  }
  const float mid = (y0 + y1) * 0.5f, half = std::max(4.f, std::min((y1 - y0) * 0.4f, 12.f));
  for (std::uint32_t i : lane().scaling_events) {
    const ScalingEvent& e = trace_.scaling_events[i];
    if (e.t_s < v.t0_s) continue;
    if (e.t_s > v.t1_s) break; // by time
    const float x = v.x_of(e.t_s);
    f.draw->AddCircleFilled({x, mid}, half + 3.f, palette::rgb(0, 0, 0, 200)); // a dark backing, over the arrows
    if (e.action == "scale_up") {
      f.draw->AddTriangleFilled({x, mid - half}, {x + half, mid + half}, {x - half, mid + half}, palette::kOk);
    } else if (e.action == "scale_down") {
      f.draw->AddTriangleFilled({x - half, mid - half}, {x + half, mid - half}, {x, mid + half}, palette::kRequest);
    } else {
      f.draw->AddQuadFilled({x, mid - half}, {x + half, mid}, {x, mid + half}, {x - half, mid}, palette::kFail);
    }
    if (inside(f.mouse, x - half - 2, mid - half - 2, x + half + 2, mid + half + 2)) *f.tooltip = event_tip(e);
  }
}

} // namespace faultlab::viz
