#include "app/lanes.hpp"

#include "app/palette.hpp"
#include "trace_model/components.hpp"
#include "trace_model/node_state.hpp"

#include <algorithm>
#include <cstdio>

namespace faultlab::viz {

namespace {
constexpr double kMinPx = 3.0;  // narrower than this folds
constexpr double kFoldPx = 5.0; // a folded mark covers at most this many pixels of starts
} // namespace

std::string time_text(double t_s) {
  char buf[64];
  if (t_s >= 2 * 86400.0) std::snprintf(buf, sizeof buf, "day %.2f", t_s / 86400.0);
  else std::snprintf(buf, sizeof buf, "%.3f s", t_s);
  return buf;
}

ImU32 outcome_colour(Outcome o) {
  switch (o) {
  case Outcome::ok:
    return palette::kOk;
  case Outcome::fail:
    return palette::kFail;
  case Outcome::info:
    return palette::kInfo;
  case Outcome::pending:
    return palette::kPending;
  }
  return palette::kPending;
}

std::string op_summary(const Op& op) {
  std::string s = op.f + " " + op.key;
  const bool read = op.f == "read";
  if (!op.value.empty() && op.value != "null")
    s += (read ? " -> " : " = ") + op.value;
  else if (read && op.outcome == Outcome::ok)
    s += " -> nothing";
  return s;
}

std::string describe_op(const Op& op) {
  char buf[160];
  std::string s = "op " + std::to_string(op.id) + "   " + op_summary(op) + "\n";
  s += op.is_final ? "final read" : "process " + std::to_string(op.process);
  std::snprintf(buf, sizeof buf, "\ninvoked %.3f s, %s at %.3f s (%.1f ms)", op.t_invoke_s,
                outcome_name(op.outcome), op.t_complete_s, (op.t_complete_s - op.t_invoke_s) * 1000.0);
  s += buf;
  if (!op.node.empty()) s += "\nanswered by " + op.node;
  if (!op.error.empty()) s += "\nerror: " + op.error;
  return s;
}

NodeLaneView::NodeLaneView(const Trace& trace, LaneId id) : LaneView(trace, id) {
  for (std::uint32_t i : lane().states)
    state_times_.push_back(trace.states[i].t_s);
}

void NodeLaneView::draw_overlay(const LaneFrame& f, float y0, float y1) const {
  const ViewContext& v = f.view;
  if (lane().idle()) { // say so, or an empty lane looks like a drawing bug
    const char* note = "no messages or state changes in this run";
    const ImVec2 ts = ImGui::CalcTextSize(note);
    const ImVec2 at{v.x0 + v.font_px, (y0 + y1 - ts.y) * 0.5f};
    f.draw->AddRectFilled({at.x - 4.f, at.y}, {at.x + ts.x + 4.f, at.y + ts.y}, palette::rgb(0, 0, 0, 190));
    f.draw->AddText(at, palette::kTextDim, note);
    return;
  }
  draw_lock_waits(f, y0, y1); // over the messages: the arrows would hide them
  if (!lane().scaling_spans.empty() || !lane().scaling_events.empty()) draw_scaling(f, y0, y1);
  if (!lane().notes.empty() || !lane().log_buffers.empty()) draw_notes(f, y0, y1);
  draw_picked_waits(f, y0, y1);
  // Down / paused intervals grey the lane, with the status written in it.
  for (std::uint32_t i : lane().status_spans) {
    const StatusSpan& s = trace_.status_spans[i];
    if (s.t_end_s < v.t0_s || s.t_start_s > v.t1_s) continue;
    const float xa = v.x_clamped(s.t_start_s), xb = v.x_clamped(s.t_end_s);
    f.draw->AddRectFilled({xa, y0 + 1}, {xb, y1 - 1}, palette::kDown);
    f.draw->PushClipRect({xa, y0}, {xb, y1}, true);
    for (float x = xa - (y1 - y0); x < xb; x += 16.f) // hatching: readable in greyscale too
      f.draw->AddLine({x, y1}, {x + (y1 - y0), y0}, palette::rgb(125, 125, 135), 2.f);
    f.draw->PopClipRect();
    const std::string label = s.status == "down" ? "DOWN" : "PAUSED";
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    if (xb - xa > ts.x + 8)
      f.draw->AddText({std::max(xa, v.x0) + 6, (y0 + y1 - ts.y) * 0.5f}, palette::kDownText, label.c_str());
    if (inside(f.mouse, xa, y0, xb, y1))
      *f.tooltip =
          lane().name + " " + s.status + " from " + time_text(s.t_start_s) + " to " + time_text(s.t_end_s);
  }
}

void NodeLaneView::draw(const LaneFrame& f, float y0, float y1) const {
  const ViewContext& v = f.view;
  if (!trace_.job_runs.empty() || !trace_.alerts.empty()) draw_jobs(f, y0, y1);

  // State changes (a replica applying an entry): ticks along the bottom edge.
  std::vector<Mark> marks;
  fold_points(state_times_, {v.t0_s, v.t1_s, v.px_per_s}, kFoldPx, marks);
  const float plain_h = lane().lock_rows > 0 ? (y1 - lock_rows_bottom(y0, y1)) / 0.45f : y1 - y0;
  const float tick_top = y1 - plain_h * 0.28f;
  for (const Mark& m : marks) {
    const float xa = v.x_of(m.t_start_s), xb = std::max(v.x_of(m.t_end_s), xa + 2.f);
    f.draw->AddRectFilled({xa, tick_top}, {xb, y1 - 2}, palette::kReplicate);
    if (inside(f.mouse, xa - 2, tick_top, xb + 2, y1)) {
      const StateEvent& s = trace_.states[lane().states[m.item]];
      std::string tip = lane().name + " " + s.component + (s.role.empty() ? "" : " (" + s.role + ")");
      const ComponentKind kind = kind_of_event(lane(), s);
      if (kind == ComponentKind::replica) {
        tip += "\napplied " + std::to_string(s.applied) + " at " + time_text(s.t_s);
        if (!s.key.empty()) tip += "\nlast write " + s.key + " = " + s.value;
        if (!s.why.empty()) tip += "\n" + s.why;
      } else {
        tip += " at " + time_text(s.t_s) + "\n" + describe_state(s, kind);
      }
      if (m.count > 1) tip += "\n(" + std::to_string(m.count) + " state changes folded here; zoom in)";
      *f.tooltip = tip;
    }
  }
}

float ClientLaneView::height(float font_px) const {
  return std::max(font_px * 2.6f, static_cast<float>(lane().rows) * font_px * 0.75f + 8.f);
}

namespace {
// An op bar wide enough to name its op. Labels are drawn after every bar,
// each clipped where the next bar of its row begins, so ops that overlap in
// a crowded row do not leave scraps of text under each other.
struct OpLabel {
  float xa, xb, ya, yb;
  std::uint8_t row;
  std::uint32_t op;
  bool wide; // narrow bars get no label but still clip the ones before them
};

void draw_op_labels(const LaneFrame& f, std::vector<OpLabel>& labels, std::vector<float>& folded_xs) {
  const ViewContext& v = f.view;
  std::sort(labels.begin(), labels.end(), [](const OpLabel& a, const OpLabel& b) { return a.xa < b.xa; });
  std::sort(folded_xs.begin(), folded_xs.end());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const OpLabel& l = labels[i];
    if (!l.wide) continue;
    float end = l.xb;
    for (std::size_t j = i + 1; j < labels.size() && labels[j].xa < end; ++j)
      if (labels[j].row == l.row) end = labels[j].xa;
    const auto next_fold = std::upper_bound(folded_xs.begin(), folded_xs.end(), l.xa);
    if (next_fold != folded_xs.end()) end = std::min(end, *next_fold);
    const float x = std::max(l.xa, v.x0);
    // The whole label, or just the function, or nothing: a scrap of a word helps nobody.
    const Op& op = f.trace.ops[l.op];
    std::string label = op.f + " " + op.key;
    if (ImGui::CalcTextSize(label.c_str()).x + 8.f > end - x) label = op.f;
    if (ImGui::CalcTextSize(label.c_str()).x + 8.f > end - x) continue;
    f.draw->PushClipRect({x, l.ya}, {end - 2.f, l.yb}, true);
    f.draw->AddText({x + 4.f, l.ya}, palette::rgb(10, 10, 10), label.c_str());
    f.draw->PopClipRect();
  }
}
} // namespace

void ClientLaneView::draw(const LaneFrame& f, float y0, float y1) const {
  const ViewContext& v = f.view;
  const float row_h = (y1 - y0 - 6.f) / static_cast<float>(lane().rows);
  const bool room_for_labels = row_h > ImGui::GetFontSize() * 0.9f;
  std::vector<Mark> marks;
  std::vector<OpLabel> labels;
  std::vector<float> folded_xs;
  lane().ops.fold({v.t0_s, v.t1_s, v.px_per_s}, kMinPx, kFoldPx, marks);
  for (const Mark& m : marks) {
    const float xa = v.x_clamped(m.t_start_s);
    const float xb = std::max(v.x_clamped(m.t_end_s), xa + 2.f);
    if (m.count == 1) {
      const Op& op = trace_.ops[m.item];
      const float ya = y0 + 3.f + row_h * static_cast<float>(op.row);
      const float yb = ya + row_h - 2.f;
      f.draw->AddRectFilled({xa, ya}, {xb, yb}, outcome_colour(op.outcome), 2.f);
      if (room_for_labels) labels.push_back({xa, xb, ya, yb, op.row, m.item, xb - xa > 60.f});
      if (inside(f.mouse, xa - 1, ya, xb + 1, yb)) {
        *f.tooltip = describe_op(op);
        if (f.hover) f.hover->op = op.id;
      }
    } else {
      // A folded run: one bar the height of the lane, coloured by its worst outcome.
      const ImU32 c = m.n_a > 0 ? palette::kFail : m.n_b > 0 ? palette::kInfo : palette::kOk;
      f.draw->AddRectFilled({xa, y0 + 3.f}, {xb, y1 - 3.f}, (c & 0x00ffffffu) | 0xb0000000u);
      folded_xs.push_back(xa);
      if (inside(f.mouse, xa, y0, xb, y1)) {
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      "%u ops folded here (%u failed, %u unknown)\n%.3f s to %.3f s: zoom in", m.count, m.n_a,
                      m.n_b, m.t_start_s, m.t_end_s);
        *f.tooltip = buf;
      }
    }
  }
  draw_op_labels(f, labels, folded_xs);
}

namespace {
// Labels for the selected violation's ops, laid out inside their lane: one
// text line per slot, top to bottom, never over another label, over no
// outlined op when another slot is free, and clipped to the lane.
class LanePlacer {
public:
  LanePlacer(float y0, float y1, float line_h) : y0_(y0), line_h_(line_h) {
    const int n = static_cast<int>((y1 - y0 - 2.f) / line_h);
    used_.resize(static_cast<std::size_t>(std::max(n, 0)));
  }
  void block(const ImVec4& r) { blocked_.push_back(r); }
  // The top of a free slot for [x0, x1]; -1: none.
  float place(float x0, float x1) {
    for (int pass = 0; pass < 2; ++pass) {
      for (std::size_t i = 0; i < used_.size(); ++i) {
        const float top = slot_top(i), bottom = top + line_h_;
        bool free = true;
        for (const auto& [a, b] : used_[i])
          free = free && (x1 < a || x0 > b);
        for (const ImVec4& r : blocked_)
          free = free && (pass == 1 || x1 < r.x || x0 > r.z || bottom < r.y || top > r.w);
        if (!free) continue;
        used_[i].emplace_back(x0, x1);
        return top;
      }
    }
    return -1.f;
  }

private:
  float slot_top(std::size_t i) const { return y0_ + 1.f + static_cast<float>(i) * line_h_; }
  float y0_, line_h_;
  std::vector<std::vector<std::pair<float, float>>> used_;
  std::vector<ImVec4> blocked_; // outlined ops: x0, y0, x1, y1
};

std::string seconds_label(double t_s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", t_s);
  return buf;
}
} // namespace

// The ops of the selected violation, drawn over the messages whatever the
// folding, outlined in the violation colour; the op whose late cache fill the
// explanation names is outlined in yellow. Only the first few are named: an
// availability window can hold dozens of ops, and the names stay in the lane.
void ClientLaneView::draw_overlay(const LaneFrame& f, float y0, float y1) const {
  const ViewContext& v = f.view;
  const float row_h = (y1 - y0 - 6.f) / static_cast<float>(lane().rows);
  // The picked op (or the picked lock wait's op), outlined in white.
  if (f.picked) {
    std::int64_t id = f.picked->op;
    if (id < 0 && f.picked->lock_wait >= 0) id = trace_.lock_waits[static_cast<std::size_t>(f.picked->lock_wait)].op;
    if (const Op* op = id >= 0 ? trace_.find_op(id) : nullptr; op && op->lane == id_) {
      const float xa = v.x_clamped(op->t_invoke_s), xb = std::max(v.x_clamped(op->t_complete_s), xa + 4.f);
      const float ya = y0 + 3.f + row_h * static_cast<float>(op->row), yb = ya + row_h - 2.f;
      f.draw->AddRectFilled({xa, ya}, {xb, yb}, outcome_colour(op->outcome), 2.f);
      f.draw->AddRect({xa - 3, ya - 3}, {xb + 3, yb + 3}, palette::kPicked, 3.f, 0, 3.f);
    }
  }
  if (!f.selected) return;
  const float line_h = ImGui::GetTextLineHeight() + 2.f;
  LanePlacer placer(y0, y1, line_h);
  auto put_label = [&](std::string label, const Op* op, float xa, ImU32 colour) {
    if (op && op->t_complete_s < v.t0_s) label = "< " + label + ", " + seconds_label(op->t_invoke_s);
    if (op && op->t_invoke_s > v.t1_s) label += ", " + seconds_label(op->t_invoke_s) + " >";
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    const float lx = std::max(v.x0, std::min(xa, v.x1 - ts.x - 8.f)); // on screen
    const float ly = placer.place(lx - 2.f, lx + ts.x + 6.f);
    if (ly < 0) return false;
    f.draw->PushClipRect({v.x0, y0}, {v.x1, y1}, true); // the lane's own: never in the next lane
    f.draw->AddRectFilled({lx - 2.f, ly}, {lx + ts.x + 6.f, ly + ts.y}, palette::rgb(0, 0, 0, 210));
    f.draw->AddText({lx + 2.f, ly}, colour, label.c_str());
    f.draw->PopClipRect();
    return true;
  };
  auto outline = [&](const Op& op, ImU32 colour) {
    const float xa = v.x_clamped(op.t_invoke_s);
    const float xb = std::max(v.x_clamped(op.t_complete_s), xa + 4.f);
    const float ya = y0 + 3.f + row_h * static_cast<float>(op.row), yb = ya + row_h - 2.f;
    f.draw->AddRectFilled({xa, ya}, {xb, yb}, outcome_colour(op.outcome), 2.f);
    f.draw->AddRect({xa - 3, ya - 3}, {xb + 3, yb + 3}, colour, 3.f, 0, 4.f);
    if (inside(f.mouse, xa - 3, ya - 3, xb + 3, yb + 3)) *f.tooltip = describe_op(op);
    const ImVec4 rect(xa - 3.f, ya - 3.f, xb + 3.f, yb + 3.f);
    placer.block(rect);
    return rect;
  };
  // Outlines first, then the labels: a label is never under another op's outline.
  struct Named {
    const Op* op;
    ImVec4 rect;
    bool related;
  };
  std::vector<Named> named;
  for (std::int64_t id : f.selected->ops)
    if (const Op* op = trace_.find_op(id); op && op->lane == id_)
      named.push_back({op, outline(*op, palette::kViolation), false});
  if (f.related)
    for (std::int64_t id : *f.related)
      if (const Op* op = trace_.find_op(id); op && op->lane == id_)
        named.push_back({op, outline(*op, palette::kCursor), true});
  constexpr int kMaxLabels = 3;
  int labelled = 0, unlabelled = 0;
  const Named* last = nullptr;
  for (const Named& n : named) {
    const std::string label = "op " + std::to_string(n.op->id) + ": " + op_summary(*n.op);
    if (n.related) { // always named: the explanation's sentence refers to it
      put_label(label + ", filled the cache late", n.op, n.rect.x + 3.f, palette::kCursor);
      continue;
    }
    if (labelled == kMaxLabels || !put_label(label, n.op, n.rect.x + 3.f, palette::kText)) {
      ++unlabelled;
      continue;
    }
    ++labelled;
    last = &n;
  }
  if (unlabelled > 0 && last)
    put_label("and " + std::to_string(unlabelled) + " more ops here", nullptr, last->rect.x + 3.f,
              palette::kTextDim);
}

std::vector<std::unique_ptr<LaneView>> make_lane_views(const Trace& trace) {
  // Client groups on top (where requests start), then the nodes in header order.
  std::vector<std::unique_ptr<LaneView>> out;
  for (std::size_t i = 0; i < trace.lanes.size(); ++i)
    if (trace.lanes[i].kind == LaneKind::client)
      out.push_back(std::make_unique<ClientLaneView>(trace, static_cast<LaneId>(i)));
  for (std::size_t i = 0; i < trace.lanes.size(); ++i)
    if (trace.lanes[i].kind == LaneKind::node)
      out.push_back(std::make_unique<NodeLaneView>(trace, static_cast<LaneId>(i)));
  return out;
}

} // namespace faultlab::viz
