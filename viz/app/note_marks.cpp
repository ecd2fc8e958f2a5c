// A service's logger and a queue on their nodes' lanes: a red bar in the
// upper part of an instance's lane while its log buffer was full (lines
// logged then were dropped), and a dot per event told in a sentence (a
// consumer joining or leaving a group, a message delivered twice, messages
// lost to retention, a log collector going away): blue for the course of
// things, amber for a retry or a duplicate, red for a loss. Only what is in
// the visible window is drawn; the tooltip tells each.
#include "app/lanes.hpp"
#include "app/palette.hpp"

#include <algorithm>
#include <cstdio>

namespace faultlab::viz {

namespace {
ImU32 tone_colour(NoteEvent::Tone tone) {
  switch (tone) {
  case NoteEvent::Tone::info:
    return palette::kRequest;
  case NoteEvent::Tone::warn:
    return palette::kInfo;
  case NoteEvent::Tone::bad:
    return palette::kFail;
  }
  return palette::kRequest;
}

std::string buffer_tip(const std::string& lane, const LogBufferSpan& s) {
  char text[256];
  std::snprintf(text, sizeof text, "%s: %s's log buffer (%lld lines) full from %.3f s %s%.3f s (%.3f s)",
                lane.c_str(), s.component.c_str(), static_cast<long long>(s.buffer), s.t_start_s,
                s.ended.empty() ? "to the end, " : "to ", s.t_end_s, s.t_end_s - s.t_start_s);
  std::string tip = text;
  if (s.dropped >= 0 && !s.ended.empty())
    tip += "\n" + std::to_string(s.dropped) + " log lines dropped meanwhile (counted, not written)";
  if (s.ended == "lost")
    tip += "\nended when the process restarted after a crash; " + std::to_string(s.lost) +
           " lines that were in memory are lost";
  return tip;
}
} // namespace

void NodeLaneView::draw_notes(const LaneFrame& f, float y0, float y1) const {
  const ViewContext& v = f.view;
  const float bar_top = y0 + 3.f, bar_bottom = y0 + (y1 - y0) * 0.35f;
  for (std::uint32_t i : lane().log_buffers) {
    const LogBufferSpan& s = trace_.log_buffers[i];
    if (s.t_start_s > v.t1_s) break; // by start
    if (s.t_end_s < v.t0_s) continue;
    const float xa = v.x_clamped(s.t_start_s), xb = std::max(v.x_clamped(s.t_end_s), xa + 3.f);
    f.draw->AddRectFilled({xa, bar_top}, {xb, bar_bottom}, palette::kBufferFull, 1.f);
    const char* label = "LOG BUFFER FULL";
    const ImVec2 ts = ImGui::CalcTextSize(label);
    if (xb - xa > ts.x + 8.f && bar_bottom - bar_top >= ts.y * 0.8f)
      f.draw->AddText({std::max(xa, v.x0) + 4.f, bar_top + (bar_bottom - bar_top - ts.y) * 0.5f}, palette::kText,
                      label);
    if (inside(f.mouse, xa - 2, bar_top, xb + 2, bar_bottom)) *f.tooltip = buffer_tip(lane().name, s);
  }
  const float r = std::max(3.f, std::min((y1 - y0) * 0.15f, 6.f)), cy = y0 + r + 2.f;
  float last_x = -1e9f;
  for (std::uint32_t i : lane().notes) {
    const NoteEvent& n = trace_.notes[i];
    if (n.t_s < v.t0_s) continue;
    if (n.t_s > v.t1_s) break; // by time
    const float x = v.x_of(n.t_s);
    // Dots closer than a radius are drawn once; the tooltip of that dot
    // tells the first, and says that more are folded in.
    if (x - last_x < r) continue;
    last_x = x;
    f.draw->AddCircleFilled({x, cy}, r + 1.5f, palette::rgb(0, 0, 0, 200));
    f.draw->AddCircleFilled({x, cy}, r, tone_colour(n.tone));
    if (!inside(f.mouse, x - r - 2, cy - r - 2, x + r + 2, cy + r + 2)) continue;
    char at[48];
    std::snprintf(at, sizeof at, " at %.3f s", n.t_s);
    std::string tip = n.component + ": " + n.ev + at + "\n" + n.text;
    std::size_t folded = 0;
    for (std::uint32_t k : lane().notes) {
      const NoteEvent& o = trace_.notes[k];
      if (&o != &n && o.t_s >= n.t_s && v.x_of(o.t_s) - x < r) ++folded;
    }
    if (folded) tip += "\n(" + std::to_string(folded) + " more here; zoom in)";
    *f.tooltip = tip;
  }
}

} // namespace faultlab::viz
