#include "app/lanes.hpp"

#include "app/palette.hpp"
#include "trace_model/node_state.hpp"

#include <algorithm>
#include <cstdio>

namespace faultlab::viz {

namespace {
constexpr double kMinPx = 3.0;  // narrower than this folds
constexpr double kFoldPx = 5.0; // a folded mark covers at most this many pixels of starts

bool hovered(const ImVec2& m, float x0, float y0, float x1, float y1) {
  return m.x >= x0 && m.x <= x1 && m.y >= y0 && m.y <= y1;
}

std::string fmt_time(double t_s) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f s", t_s);
  return buf;
}
} // namespace

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
    if (hovered(f.mouse, xa, y0, xb, y1))
      *f.tooltip =
          lane().name + " " + s.status + " from " + fmt_time(s.t_start_s) + " to " + fmt_time(s.t_end_s);
  }
}

void NodeLaneView::draw(const LaneFrame& f, float y0, float y1) const {
  const ViewContext& v = f.view;

  // State changes (a replica applying an entry): ticks along the bottom edge.
  std::vector<Mark> marks;
  fold_points(state_times_, {v.t0_s, v.t1_s, v.px_per_s}, kFoldPx, marks);
  const float tick_top = y1 - (y1 - y0) * 0.28f;
  for (const Mark& m : marks) {
    const float xa = v.x_of(m.t_start_s), xb = std::max(v.x_of(m.t_end_s), xa + 2.f);
    f.draw->AddRectFilled({xa, tick_top}, {xb, y1 - 2}, palette::kReplicate);
    if (hovered(f.mouse, xa - 2, tick_top, xb + 2, y1)) {
      const StateEvent& s = trace_.states[lane().states[m.item]];
      std::string tip = lane().name + " " + s.component + (s.role.empty() ? "" : " (" + s.role + ")");
      if (lane().component_kind == ComponentKind::replica) {
        tip += "\napplied " + std::to_string(s.applied) + " at " + fmt_time(s.t_s);
        if (!s.key.empty()) tip += "\nlast write " + s.key + " = " + s.value;
        if (!s.why.empty()) tip += "\n" + s.why;
      } else {
        tip += " at " + fmt_time(s.t_s) + "\n" + describe_state(s, lane().component_kind);
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
      if (hovered(f.mouse, xa - 1, ya, xb + 1, yb)) *f.tooltip = describe_op(op);
    } else {
      // A folded run: one bar the height of the lane, coloured by its worst outcome.
      const ImU32 c = m.n_a > 0 ? palette::kFail : m.n_b > 0 ? palette::kInfo : palette::kOk;
      f.draw->AddRectFilled({xa, y0 + 3.f}, {xb, y1 - 3.f}, (c & 0x00ffffffu) | 0xb0000000u);
      folded_xs.push_back(xa);
      if (hovered(f.mouse, xa, y0, xb, y1)) {
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

// The ops of the selected violation, drawn over the messages whatever the
// folding. Only the first few are named: an availability window can hold
// dozens of ops, and a stack of labels would cover the lanes below.
void ClientLaneView::draw_overlay(const LaneFrame& f, float y0, float y1) const {
  if (!f.selected) return;
  const float row_h = (y1 - y0 - 6.f) / static_cast<float>(lane().rows);
  constexpr int kMaxLabels = 3;
  int labelled = 0, unlabelled = 0;
  float next_y = y0; // labels of several ops stack instead of overlapping
  float last_x = f.view.x0;
  auto put_label = [&](const std::string& label, float xa, ImU32 colour) {
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    const float lx = std::max(f.view.x0, std::min(xa, f.view.x1 - ts.x - 8.f)); // stay on screen
    // Under the lane's last row: under the op's own row it would hide the ops below it.
    const float ly = std::max(next_y, y0 + 3.f + row_h * static_cast<float>(lane().rows) + 2.f);
    next_y = ly + ts.y + 2.f;
    f.draw->AddRectFilled({lx - 2.f, ly}, {lx + ts.x + 6.f, ly + ts.y}, palette::rgb(0, 0, 0, 200));
    f.draw->AddText({lx + 2.f, ly}, colour, label.c_str());
  };
  for (std::int64_t id : f.selected->ops) {
    const Op* op = trace_.find_op(id);
    if (!op || op->lane != id_) continue;
    const float xa = f.view.x_clamped(op->t_invoke_s);
    const float xb = std::max(f.view.x_clamped(op->t_complete_s), xa + 4.f);
    const float ya = y0 + 3.f + row_h * static_cast<float>(op->row), yb = ya + row_h - 2.f;
    f.draw->AddRectFilled({xa, ya}, {xb, yb}, outcome_colour(op->outcome), 2.f);
    f.draw->AddRect({xa - 3, ya - 3}, {xb + 3, yb + 3}, palette::kViolation, 3.f, 0, 4.f);
    if (hovered(f.mouse, xa - 3, ya - 3, xb + 3, yb + 3)) *f.tooltip = describe_op(*op);
    if (labelled == kMaxLabels) {
      ++unlabelled;
      continue;
    }
    put_label("op " + std::to_string(op->id) + ": " + op_summary(*op), xa, palette::kText);
    ++labelled;
    last_x = xa;
  }
  if (unlabelled > 0)
    put_label("and " + std::to_string(unlabelled) + " more ops here", last_x, palette::kTextDim);
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
