// A database node's lock waits: one bar per statement waiting for a lock,
// from its lock_wait event to the end of its statement (trace.hpp), in up to
// four sub-rows above the node's state ticks; folded like ops when narrower
// than a few pixels. A picked wait is outlined in white and the waits its
// chain names (who it waits behind) in yellow.
#include "app/lanes.hpp"
#include "app/palette.hpp"
#include "trace_model/lock_waits.hpp"

#include <algorithm>
#include <cstdio>

namespace faultlab::viz {

namespace {
constexpr double kMinPx = 3.0;
constexpr double kFoldPx = 5.0;
constexpr float kBaseHeight = 2.6f; // in font sizes: a node lane without lock waits
constexpr float kRowHeight = 0.8f;

// A wait's bar wide enough to name it, clipped where the next bar of its row
// (or a folded run) begins: when four rows hold a thousand waits, later bars
// cover earlier ones and their labels would pile up.
struct WaitLabel {
  float xa, xb, ya, yb;
  std::uint8_t row; // 0xff: a folded run (across every row)
  std::uint32_t wait;
};

void draw_wait_labels(const LaneFrame& f, const Trace& t, std::vector<WaitLabel>& labels, float row_h) {
  if (row_h < ImGui::GetFontSize() * 0.6f) return;
  std::sort(labels.begin(), labels.end(), [](const WaitLabel& a, const WaitLabel& b) { return a.xa < b.xa; });
  const float font = std::min(ImGui::GetFontSize(), row_h);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const WaitLabel& l = labels[i];
    if (l.row == 0xff) continue;
    float end = l.xb;
    for (std::size_t j = i + 1; j < labels.size() && labels[j].xa < end; ++j)
      if (labels[j].row == l.row || labels[j].row == 0xff) end = labels[j].xa;
    const float x = std::max(l.xa, f.view.x0);
    // The whole label, or only the statement's who, or nothing: no scraps of words.
    const LockWait& w = t.lock_waits[l.wait];
    std::string label = w.who + " (" + w.mode + ")";
    auto width = [&](const std::string& s) { return ImGui::GetFont()->CalcTextSizeA(font, 1e9f, 0.f, s.c_str()).x; };
    if (width(label) + 8.f > end - x) label = w.who;
    if (width(label) + 8.f > end - x) continue;
    f.draw->PushClipRect({x, l.ya}, {end - 2.f, l.yb}, true);
    f.draw->AddText(nullptr, font, {x + 4.f, l.ya}, palette::rgb(10, 10, 10), label.c_str());
    f.draw->PopClipRect();
  }
}
} // namespace

ImU32 lock_wait_colour(const LockWait& w) {
  return w.end == LockWait::End::timeout ? palette::kLockWaitTimeout : palette::kLockWait;
}

float NodeLaneView::height(float font_px) const {
  return font_px * (kBaseHeight + kRowHeight * static_cast<float>(lane().lock_rows));
}

float NodeLaneView::lock_rows_bottom(float y0, float y1) const {
  // The ticks keep the bottom 28 % of a plain node lane's height.
  const float plain = (y1 - y0) * kBaseHeight / (kBaseHeight + kRowHeight * static_cast<float>(lane().lock_rows));
  return y1 - plain * 0.45f;
}

void NodeLaneView::draw_lock_waits(const LaneFrame& f, float y0, float y1) const {
  if (lane().lock_rows == 0) return;
  const ViewContext& v = f.view;
  const float top = y0 + 3.f, bottom = lock_rows_bottom(y0, y1);
  const float row_h = (bottom - top) / static_cast<float>(lane().lock_rows);
  std::vector<Mark> marks;
  std::vector<WaitLabel> labels;
  lane().lock_waits.fold({v.t0_s, v.t1_s, v.px_per_s}, kMinPx, kFoldPx, marks);
  for (const Mark& m : marks) {
    const float xa = v.x_clamped(m.t_start_s);
    const float xb = std::max(v.x_clamped(m.t_end_s), xa + 2.f);
    if (m.count == 1) {
      const LockWait& w = trace_.lock_waits[m.item];
      const float ya = top + row_h * static_cast<float>(w.row), yb = ya + row_h - 2.f;
      f.draw->AddRectFilled({xa, ya}, {xb, yb}, lock_wait_colour(w), 2.f);
      if (w.end == LockWait::End::timeout) // the give-up, as a red cap
        f.draw->AddRectFilled({std::max(xa, xb - 4.f), ya}, {xb, yb}, palette::kFail);
      labels.push_back({xa, xb, ya, yb, w.row, m.item});
      if (inside(f.mouse, xa - 1, ya, xb + 1, yb)) {
        *f.tooltip = "lock wait (click for details)\n" + describe_lock_wait(trace_, w);
        if (f.hover) f.hover->lock_wait = m.item;
      }
    } else {
      f.draw->AddRectFilled({xa, top}, {xb, bottom}, (palette::kLockWait & 0x00ffffffu) | 0xb0000000u);
      labels.push_back({xa, xb, top, bottom, 0xff, 0});
      if (inside(f.mouse, xa, top, xb, bottom)) {
        char buf[200];
        std::snprintf(buf, sizeof buf, "%u lock waits folded here (%u timed out)\n%.3f s to %.3f s: zoom in",
                      m.count, m.n_a, m.t_start_s, m.t_end_s);
        *f.tooltip = buf;
      }
    }
  }
  draw_wait_labels(f, trace_, labels, row_h);
}

void NodeLaneView::draw_picked_waits(const LaneFrame& f, float y0, float y1) const {
  if (lane().lock_rows == 0 || !f.picked) return;
  const ViewContext& v = f.view;
  const float top = y0 + 3.f, bottom = lock_rows_bottom(y0, y1);
  const float row_h = (bottom - top) / static_cast<float>(lane().lock_rows);
  auto outline = [&](const LockWait& w, ImU32 colour) {
    if (w.lane != id_ || w.t_end_s < v.t0_s || w.t_start_s > v.t1_s) return;
    const float xa = v.x_clamped(w.t_start_s), xb = std::max(v.x_clamped(w.t_end_s), xa + 4.f);
    const float ya = top + row_h * static_cast<float>(w.row), yb = ya + row_h - 2.f;
    f.draw->AddRect({xa - 2, ya - 2}, {xb + 2, yb + 2}, colour, 3.f, 0, 3.f); // the bar's label stays readable
  };
  if (f.chain)
    for (const LockWait* w : *f.chain)
      outline(*w, palette::kCursor);
  if (f.picked->lock_wait >= 0) outline(trace_.lock_waits[static_cast<std::size_t>(f.picked->lock_wait)], palette::kPicked);
  if (f.picked->op >= 0)
    for (const LockWait* w : lock_waits_of_op(trace_, f.picked->op))
      outline(*w, palette::kPicked);
}

} // namespace faultlab::viz
