#include "app/timeline.hpp"

#include "app/overlays.hpp"
#include "app/palette.hpp"
#include "app/selection.hpp"
#include "app/text.hpp"
#include "trace_model/focus.hpp"
#include "trace_model/lock_waits.hpp"

#include <cmath>
#include <cstdio>

namespace faultlab::viz {

TimelineView::TimelineView(const Trace& trace, int index, std::string tag)
    : trace_(trace), index_(index), tag_(std::move(tag)), lanes_(make_lane_views(trace)) {
  for (std::size_t i = 0; i < trace.messages.size(); ++i)
    if (trace.messages[i].op >= 0)
      messages_by_op_.emplace(trace.messages[i].op, static_cast<std::uint32_t>(i));
}

void TimelineView::refresh_filter(const ViewState& state) {
  if (filter_ready_ && filter_for_ == state.hidden_checks) return;
  shown_times_.clear();
  shown_index_.clear();
  for (std::size_t i = 0; i < trace_.violations.size(); ++i) {
    if (!state.check_visible(trace_.violations[i].check)) continue;
    shown_times_.push_back(trace_.violations[i].t_s);
    shown_index_.push_back(i);
  }
  filter_for_ = state.hidden_checks;
  filter_ready_ = true;
}

const std::vector<std::size_t>& TimelineView::shown_violations(const ViewState& state) {
  refresh_filter(state);
  return shown_index_;
}

std::string format_seconds(double t_s, double step_s) {
  char buf[32];
  // Runs of months (a table that grows, a disk that fills) read in days.
  if (step_s >= 86400.0)
    std::snprintf(buf, sizeof buf, "day %.0f", t_s / 86400.0);
  else if (step_s >= 3600.0 && t_s >= 2 * 86400.0)
    std::snprintf(buf, sizeof buf, "day %.2f", t_s / 86400.0);
  else if (step_s >= 1.0)
    std::snprintf(buf, sizeof buf, "%.0f s", t_s);
  else if (step_s >= 0.1)
    std::snprintf(buf, sizeof buf, "%.1f s", t_s);
  else if (step_s >= 0.01)
    std::snprintf(buf, sizeof buf, "%.2f s", t_s);
  else if (step_s >= 0.001)
    std::snprintf(buf, sizeof buf, "%.3f s", t_s);
  else
    std::snprintf(buf, sizeof buf, "%.6f s", t_s);
  return buf;
}

// The run's title (with its --set overrides) and its violation counts, on one
// line. When it does not fit, the per-check counts go first (the panel has
// them), then the title is cut with "..." (hover it for the whole).
void TimelineView::draw_heading(const ViewState& state, ImVec2 pos, float width) {
  ImDrawList* d = ImGui::GetWindowDrawList();
  const auto& h = trace_.header;
  const float gap = ImGui::GetFontSize();
  const std::string title = (tag_.empty() ? "" : tag_ + ":  ") + run_title(h);
  const std::size_t shown = shown_violations(state).size();
  std::string counts, hidden;
  for (const auto& check : h.checks) {
    if (state.check_visible(check))
      counts += "  " + check + " " + std::to_string(trace_.violation_count(check));
    else if (trace_.violation_count(check) > 0)
      hidden += "  " + check + " " + std::to_string(trace_.violation_count(check));
  }
  const std::string total = std::to_string(shown) + (shown == 1 ? " violation" : " violations");
  std::string summary = shown == 0 ? "no violations" : total + ":" + counts;
  auto text_w = [](const std::string& s) { return ImGui::CalcTextSize(s.c_str()).x; };
  const float title_w = text_w(title);
  if (title_w + gap + text_w(summary) > width && shown > 0) summary = total;
  const float summary_w = text_w(summary);
  const std::string shown_title = ellipsize(title, std::max(width - gap * 2.f - summary_w, width * 0.4f));
  d->AddText(pos, palette::kText, shown_title.c_str());
  const float title_end = pos.x + text_w(shown_title);
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  if (shown_title != title && mouse.x >= pos.x && mouse.x <= title_end && mouse.y >= pos.y &&
      mouse.y <= pos.y + ImGui::GetFontSize())
    ImGui::SetTooltip("%s", title.c_str());
  float x = title_end + gap;
  if (x + summary_w <= pos.x + width)
    d->AddText({x, pos.y}, shown == 0 ? palette::kOk : palette::kText, summary.c_str());
  // Say what the filter hides: a fixed design's accepted staleness is still there.
  if (!hidden.empty()) {
    x += summary_w + gap;
    const std::string note = "(hidden:" + hidden + ")";
    if (x + text_w(note) < pos.x + width) d->AddText({x, pos.y}, palette::kTextDim, note.c_str());
  }
}

void TimelineView::draw_ruler(const ViewContext& v, float y0, float y1) {
  ImDrawList* d = ImGui::GetWindowDrawList();
  d->AddRectFilled({v.x0, y0}, {v.x1, y1}, palette::kRuler);
  // A "nice" step (1, 2, 5 x 10^k) giving labels at least ~7 font widths apart.
  const double min_step_s = v.font_px * 7.0 / v.px_per_s;
  double step_s = std::pow(10.0, std::floor(std::log10(min_step_s)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (step_s * m >= min_step_s) {
      step_s *= m;
      break;
    }
  const double first = std::ceil(v.t0_s / step_s) * step_s;
  for (double t = first; t <= v.t1_s && t - first < step_s * 1000; t += step_s) {
    const float x = v.x_of(t);
    d->AddLine({x, y1 - v.font_px * 0.4f}, {x, y1}, palette::kText, 2.f);
    const std::string label = format_seconds(std::abs(t) < step_s * 1e-6 ? 0.0 : t, step_s);
    if (x + 4.f + ImGui::CalcTextSize(label.c_str()).x < v.x1)
      d->AddText({x + 4.f, y0 + 1.f}, palette::kText, label.c_str());
  }
}

// The waits the picked lock wait's chain names (who it waits behind), or the
// picked op's first wait's chain.
const std::vector<const LockWait*>* TimelineView::picked_chain(const ViewState& state) {
  if (!state.picked.any() || state.picked.trace != index_) return nullptr;
  if (chain_for_ != state.picked) {
    chain_.clear();
    const LockWait* w = nullptr;
    if (state.picked.lock_wait >= 0 && static_cast<std::size_t>(state.picked.lock_wait) < trace_.lock_waits.size())
      w = &trace_.lock_waits[static_cast<std::size_t>(state.picked.lock_wait)];
    else if (state.picked.op >= 0)
      if (const auto waits = lock_waits_of_op(trace_, state.picked.op); !waits.empty()) w = waits.front();
    if (w)
      for (const ChainLink& link : wait_chain(trace_, *w))
        if (link.wait != w) chain_.push_back(link.wait);
    chain_for_ = state.picked;
  }
  return &chain_;
}

void TimelineView::handle_input(ViewState& state, const ViewContext& v, ImVec2 a, ImVec2 b, float lanes_y0,
                                int slot, const Picked& hover) {
  ImGui::SetCursorScreenPos(a);
  ImGui::PushID(slot);
  ImGui::InvisibleButton("timeline", {std::max(1.f, b.x - a.x), std::max(1.f, b.y - a.y)},
                         ImGuiButtonFlags_MouseButtonLeft);
  ImGui::PopID();
  ImGuiIO& io = ImGui::GetIO();
  if (ImGui::IsItemHovered() && io.MouseWheel != 0.f) {
    state.zoom_around(v.t_of(io.MousePos.x), std::pow(0.8, static_cast<double>(io.MouseWheel)));
    state.selected_violation.reset(); // the user takes over the view
  }
  if (ImGui::IsItemActivated()) dragged_ = false;
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 2.f)) {
    dragged_ = true;
    state.pan(-static_cast<double>(io.MouseDelta.x) / v.px_per_s);
  }
  // A click on the violation strip selects a marker; elsewhere it moves the cursor.
  if (ImGui::IsItemDeactivated() && !dragged_ && io.MousePos.y >= lanes_y0) {
    state.cursor_s = std::clamp(v.t_of(io.MousePos.x), state.t_min_s, state.t_max_s);
    state.focus = index_;
    // A click on an op or a lock wait picks it for the details panel (Esc forgets it).
    if (hover.any()) {
      state.picked = hover;
      state.picked.trace = index_;
    }
  }
}

void TimelineView::draw(ViewState& state, ImVec2 pos, ImVec2 size) {
  refresh_filter(state);
  ImDrawList* d = ImGui::GetWindowDrawList();
  const float font = ImGui::GetFontSize();
  const float label_w = label_width(font);
  ViewContext v;
  v.t0_s = state.t0_s;
  v.t1_s = state.t1_s;
  v.x0 = pos.x + label_w;
  v.x1 = pos.x + size.x - font * 0.5f;
  v.px_per_s = static_cast<double>(v.x1 - v.x0) / std::max(v.t1_s - v.t0_s, 1e-9);
  v.font_px = font;

  const float heading_h = font * 1.3f, ruler_h = font * 1.3f, strip_h = font * 1.4f;
  draw_heading(state, pos, size.x);
  const float ruler_y = pos.y + heading_h;
  const float strip_y = ruler_y + ruler_h;
  const float lanes_y0 = strip_y + strip_h;
  const float lanes_y1 = pos.y + size.y;
  d->PushClipRect({pos.x, pos.y}, {pos.x + size.x, pos.y + size.y}, true);
  draw_ruler(v, ruler_y, strip_y);

  // Lane layout: natural heights, squeezed evenly if they do not fit.
  float natural = 0.f;
  for (const auto& lane : lanes_)
    natural += lane->height(font);
  const float scale = std::min(4.f, (lanes_y1 - lanes_y0) / std::max(natural, 1.f));
  std::vector<float> tops, centers(trace_.lanes.size(), lanes_y0);
  float y = lanes_y0;
  for (std::size_t i = 0; i < lanes_.size(); ++i) {
    const float h = lanes_[i]->height(font) * scale;
    tops.push_back(y);
    d->AddRectFilled({pos.x, y}, {v.x1, y + h}, i % 2 ? palette::kLaneOdd : palette::kLaneEven);
    d->AddLine({pos.x, y + h}, {v.x1, y + h}, palette::kLaneBorder);
    centers[lanes_[i]->id()] = y + h * 0.5f;
    y += h;
  }
  tops.push_back(y);

  const ImVec2 mouse = ImGui::GetIO().MousePos;
  std::string tooltip;
  const Violation* selected = nullptr;
  if (state.selected_violation && state.focus == index_ &&
      *state.selected_violation < trace_.violations.size())
    selected = &trace_.violations[*state.selected_violation];
  if (selected && explained_for_ != selected) {
    explained_ = explain_violation(trace_, *selected);
    related_ = related_ops(*selected, explained_);
    explained_for_ = selected;
  }
  OverlayFrame of{v, trace_, state, d, mouse, &tooltip, lanes_y0, y, centers, selected};
  Picked hover;
  const bool picked_here = state.picked.any() && state.picked.trace == index_;
  LaneFrame lf{v,       trace_, selected, d, mouse, &tooltip, selected ? &related_ : nullptr,
               picked_here ? &state.picked : nullptr, picked_chain(state), &hover};

  d->PushClipRect({v.x0, ruler_y}, {v.x1, lanes_y1}, true);
  draw_selection(of);
  for (std::size_t i = 0; i < lanes_.size(); ++i)
    lanes_[i]->draw(lf, tops[i], tops[i + 1]);
  draw_fault_bands(of);
  draw_messages(of, messages_by_op_);
  for (std::size_t i = 0; i < lanes_.size(); ++i)
    lanes_[i]->draw_overlay(lf, tops[i], tops[i + 1]);
  if (selected) draw_applied_marks(of, explained_);
  draw_cause_chain(of);
  if (auto clicked = draw_violation_strip(of, strip_y, lanes_y0, shown_times_, shown_index_))
    select_violation(state, trace_, *clicked, index_);
  if (state.cursor_s >= v.t0_s && state.cursor_s <= v.t1_s) {
    const float x = v.x_of(state.cursor_s);
    d->AddLine({x, ruler_y}, {x, y}, palette::kCursor, 2.5f);
  }
  draw_offscreen_violation(of, strip_y, lanes_y0);
  d->PopClipRect();

  // Lane labels, over a solid column so arrows never run under them.
  d->AddRectFilled({pos.x, lanes_y0}, {v.x0, y}, palette::kBackground);
  for (std::size_t i = 0; i < lanes_.size(); ++i) {
    const Lane& lane = lanes_[i]->lane();
    const float top = tops[i], h = tops[i + 1] - tops[i];
    d->AddRectFilled({pos.x, top}, {v.x0 - 4.f, top + h - 1.f},
                     i % 2 ? palette::kLaneOdd : palette::kLaneEven);
    const bool two_lines = h > font * 2.2f && !lane.subtitle.empty();
    const float ty = two_lines ? top + h * 0.5f - font : top + (h - font) * 0.5f;
    d->PushClipRect({pos.x, top}, {v.x0 - 6.f, top + h}, true);
    d->AddText({pos.x + 6.f, ty}, palette::kText, lane.name.c_str());
    if (two_lines) {
      ImFont* f = ImGui::GetFont();
      d->AddText(f, font * 0.68f, {pos.x + 6.f, ty + font * 1.05f}, palette::kTextDim, lane.subtitle.c_str());
    }
    d->PopClipRect();
  }
  d->PopClipRect();

  handle_input(state, v, {v.x0, strip_y}, {v.x1, lanes_y1}, lanes_y0, index_, hover);
  if (!tooltip.empty() && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tooltip.c_str());
}

} // namespace faultlab::viz
