#include "app/overlays.hpp"

#include "app/palette.hpp"
#include "trace_model/span_index.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace faultlab::viz {

namespace {
constexpr double kMinPx = 3.0;
constexpr double kArrowFoldPx = 6.0;

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v)
    s += (s.empty() ? "" : ", ") + x;
  return s;
}

// A clock fault's step, read from its details ("offset_s"), written as a
// person would: "+8h", "-1h30m", "-5s", "+250ms"; "" when it has none.
std::string clock_step(const std::string& details) {
  static const char kKey[] = "\"offset_s\":";
  const std::size_t at = details.find(kKey);
  if (at == std::string::npos) return "";
  const double s = std::strtod(details.c_str() + at + sizeof kKey - 1, nullptr);
  if (s == 0 || !std::isfinite(s)) return "";
  const char sign = s < 0 ? '-' : '+';
  const double a = std::fabs(s);
  char text[64];
  if (a >= 3600) {
    const long minutes = std::lround(a / 60);
    if (minutes % 60 == 0) std::snprintf(text, sizeof text, "%c%ldh", sign, minutes / 60);
    else std::snprintf(text, sizeof text, "%c%ldh%02ldm", sign, minutes / 60, minutes % 60);
  } else if (a >= 1) {
    std::snprintf(text, sizeof text, "%c%gs", sign, a);
  } else {
    std::snprintf(text, sizeof text, "%c%gms", sign, a * 1e3);
  }
  return text;
}

// Blue: a request on a client's behalf (read, cache_get, cache_set, call,
// stock_*, lock_*). Grey: its reply. Cyan: what replicas say among themselves
// in the background (replication, catch-up, heartbeats, elections), acks too.
ImU32 kind_colour(const std::string& kind) {
  static const char* const kBetweenReplicas[] = {"replicate",     "replicate_ack", "catchup",
                                                 "sync",          "sync_request",  "heartbeat",
                                                 "heartbeat_ack", "vote_request",  "vote_reply"};
  for (const char* k : kBetweenReplicas)
    if (kind == k) return palette::kReplicate;
  if (kind.size() > 6 && kind.compare(kind.size() - 6, 6, "_reply") == 0) return palette::kReply;
  return palette::kRequest;
}

void draw_cross(ImDrawList* d, ImVec2 c, float r, ImU32 col, float thick) {
  d->AddLine({c.x - r, c.y - r}, {c.x + r, c.y + r}, col, thick);
  d->AddLine({c.x - r, c.y + r}, {c.x + r, c.y - r}, col, thick);
}

void draw_arrow(ImDrawList* d, ImVec2 a, ImVec2 b, ImU32 col, float thick, float head) {
  d->AddLine(a, b, col, thick);
  const float dx = b.x - a.x, dy = b.y - a.y;
  const float len = std::sqrt(dx * dx + dy * dy);
  if (len < 1.f) return;
  const float ux = dx / len, uy = dy / len;
  d->AddTriangleFilled(b, {b.x - ux * head - uy * head * 0.5f, b.y - uy * head + ux * head * 0.5f},
                       {b.x - ux * head + uy * head * 0.5f, b.y - uy * head - ux * head * 0.5f}, col);
}

// Where a dropped message ends: half way to its destination, at its drop time.
ImVec2 drop_point(const OverlayFrame& f, const Message& m, float ya, float yb) {
  float x = f.view.x_clamped(m.t_end_s);
  if (m.t_end_s <= m.t_send_s) x += f.view.font_px * 0.8f;
  return {x, ya + (yb - ya) * 0.5f};
}
// Under a fault's label: a bracket from where its recovery is measured (its
// end, or the end of the last fault overlapping it) to when every signal was
// healthy again, "recovered in 2.3 s"; red and open to the end of the trace
// when some signal never recovered. Returns the height it used.
float draw_recovery_bracket(const OverlayFrame& f, const Fault& fault, float y) {
  const ViewContext& v = f.view;
  double from_s = 0, until_s = 0, longest_s = 0, outage_s = 0;
  bool any = false, never = false;
  std::string detail, missing, outage_signal;
  for (const Recovered& r : f.trace.recoveries) {
    if (r.fault != fault.name) continue;
    from_s = r.from_s;
    until_s = any ? std::max(until_s, r.t_s) : r.t_s;
    any = true;
    char buf[96];
    if (r.outage_s && *r.outage_s > outage_s) outage_s = *r.outage_s, outage_signal = r.signal;
    if (r.after_s) {
      longest_s = std::max(longest_s, *r.after_s);
      std::snprintf(buf, sizeof buf, "\n  %s: %.2f s", r.signal.c_str(), *r.after_s);
    } else {
      never = true;
      missing += (missing.empty() ? "" : ", ") + r.signal;
      std::snprintf(buf, sizeof buf, "\n  %s: not recovered", r.signal.c_str());
    }
    detail += buf;
  }
  if (!any || until_s < v.t0_s || from_s > v.t1_s) return 0.f;
  const ImU32 colour = never ? palette::kFail : palette::kOk;
  const float xa = v.x_clamped(from_s), xb = std::max(v.x_clamped(until_s), xa + 2.f);
  const float h = v.font_px * 0.5f, mid = y + h;
  f.draw->AddLine({xa, mid}, {xb, mid}, colour, 2.f);
  f.draw->AddLine({xa, y}, {xa, y + 2 * h}, colour, 2.f);
  f.draw->AddLine({xb, y}, {xb, y + 2 * h}, colour, 2.f);
  char text[200];
  if (never)
    std::snprintf(text, sizeof text, "not recovered (%s)", missing.c_str());
  else
    std::snprintf(text, sizeof text, "recovered in %.1f s", longest_s);
  if (outage_s > 0) {
    // How long the fault's first harm lasted, which a failover ends during the fault.
    const std::size_t used = std::strlen(text);
    std::snprintf(text + used, sizeof text - used, "; %s down %.1f s", outage_signal.c_str(), outage_s);
  }
  const ImVec2 ts = ImGui::CalcTextSize(text);
  const float tx = std::min(xb + 4.f, v.x1 - ts.x - 4.f);
  const float ty = mid - ts.y * 0.5f;
  f.draw->AddRectFilled({tx - 2, ty}, {tx + ts.x + 4, ty + ts.y}, palette::rgb(0, 0, 0, 190));
  f.draw->AddText({tx, ty}, colour, text);
  if (f.mouse.x >= xa - 2 && f.mouse.x <= std::max(xb, tx + ts.x) && f.mouse.y >= y &&
      f.mouse.y <= y + std::max(2 * h, ts.y) && f.tooltip->empty()) {
    char head[128];
    std::snprintf(head, sizeof head, "recovery after %s, measured from %.3f s:", fault.name.c_str(), from_s);
    *f.tooltip = head + detail;
  }
  return std::max(2 * h, ts.y) + 2.f;
}

} // namespace

void draw_fault_bands(const OverlayFrame& f) {
  const ViewContext& v = f.view;
  float label_y = f.lanes_y0 + 2.f;
  for (const Fault& fault : f.trace.faults) {
    if (fault.t_end_s < v.t0_s || fault.t_start_s > v.t1_s) continue;
    const bool partition = fault.type == "partition";
    const float xa = v.x_clamped(fault.t_start_s);
    const float xb = std::max(v.x_clamped(fault.t_end_s), xa + 3.f);
    f.draw->AddRectFilled({xa, f.lanes_y0}, {xb, f.lanes_y1},
                          partition ? palette::kPartition : palette::kFaultBand);
    const ImU32 edge = partition ? palette::kPartitionEdge : palette::kFaultEdge;
    f.draw->AddLine({xa, f.lanes_y0}, {xa, f.lanes_y1}, edge, 2.f);
    f.draw->AddLine({xb, f.lanes_y0}, {xb, f.lanes_y1}, edge, 2.f);
    std::string label = fault.type;
    if (partition && !fault.left.empty())
      label = "partition: " + join(fault.left) + "  |  " + join(fault.right);
    else if (!fault.one_way_from.empty())
      label = "one-way cut: " + fault.one_way_from + " -> " + fault.one_way_to;
    else if (!fault.nodes.empty())
      label += ": " + join(fault.nodes);
    else if (!fault.node.empty())
      label += ": " + fault.node;
    // A clock fault says by how much the node's wall clock is off, on the
    // band's label and on the node's own lane, for as long as it lasts.
    const std::string step = fault.type == "clock" ? clock_step(fault.details) : "";
    if (!step.empty()) {
      label += " " + step;
      const LaneId id = f.trace.lane_of(fault.node);
      if (id != kNoLane && id < f.lane_center_y.size()) {
        const float yc = f.lane_center_y[id];
        f.draw->AddRectFilled({xa, yc - v.font_px}, {xb, yc + v.font_px}, palette::kFaultBand);
        const std::string lane_text = "clock " + step;
        const ImVec2 ls = ImGui::CalcTextSize(lane_text.c_str());
        const float lx = std::max(xa, v.x0) + 4.f;
        {
          f.draw->AddRectFilled({lx - 2, yc - v.font_px}, {lx + ls.x + 4, yc - v.font_px + ls.y},
                                palette::rgb(0, 0, 0, 190));
          f.draw->AddText({lx, yc - v.font_px}, palette::kFaultEdge, lane_text.c_str());
        }
      }
    }
    if (!fault.name.empty() && fault.name != fault.type) label += "  (" + fault.name + ")";
    // The groups of a partition also tint their own lanes' edges.
    for (const auto& n : fault.right) {
      const LaneId id = f.trace.lane_of(n);
      if (id != kNoLane && id < f.lane_center_y.size())
        f.draw->AddRectFilled({xa, f.lane_center_y[id] - v.font_px}, {xb, f.lane_center_y[id] + v.font_px},
                              palette::kPartition);
    }
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    const float tx = std::max(xa, v.x0) + 4.f;
    f.draw->AddRectFilled({tx - 2, label_y}, {tx + ts.x + 4, label_y + ts.y}, palette::rgb(0, 0, 0, 190));
    f.draw->AddText({tx, label_y}, edge, label.c_str());
    if (f.mouse.x >= xa && f.mouse.x <= xb && f.mouse.y >= f.lanes_y0 && f.mouse.y <= f.lanes_y1 &&
        f.tooltip->empty()) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "\n%.3f s to %.3f s", fault.t_start_s, fault.t_end_s);
      *f.tooltip = label + buf + (fault.details.empty() ? "" : "\n" + fault.details);
    }
    label_y += ts.y + 2.f;
    label_y += draw_recovery_bracket(f, fault, label_y);
  }
}

void draw_messages(const OverlayFrame& f, const std::unordered_multimap<std::int64_t, std::uint32_t>& by_op) {
  const ViewContext& v = f.view;
  const ViewWindow w{v.t0_s, v.t1_s, v.px_per_s};
  std::vector<ImU32> colours;
  for (const auto& k : f.trace.message_kinds)
    colours.push_back(kind_colour(k));
  const float head = v.font_px * 0.45f;
  std::vector<Mark> marks;
  for (std::size_t l = 0; l < f.trace.lanes.size(); ++l) {
    for (const Channel& c : f.trace.lanes[l].channels) {
      if (c.to == l || c.to >= f.lane_center_y.size()) continue;
      const float ya = f.lane_center_y[l], yb = f.lane_center_y[c.to];
      marks.clear();
      c.messages.fold(w, kMinPx, kArrowFoldPx, marks);
      for (const Mark& mk : marks) {
        const Message& m = f.trace.messages[mk.item];
        const ImVec2 a{v.x_clamped(m.t_send_s), ya};
        const float thick = mk.count > 1 ? 2.2f : 2.f;
        if (mk.count == 1 && m.dropped) {
          const ImVec2 p = drop_point(f, m, ya, yb);
          f.draw->AddLine(a, p, palette::kDrop, thick);
          draw_cross(f.draw, p, head * 0.8f, palette::kDrop, 3.f);
          continue;
        }
        const ImVec2 b{v.x_clamped(m.t_end_s), yb};
        // Folded runs are drawn lighter so a dense stream reads as a band, not a wall.
        const ImU32 col = mk.count > 1 ? (colours[m.kind] & 0x00ffffffu) | 0x90000000u : colours[m.kind];
        draw_arrow(f.draw, a, b, col, thick, head);
        if (mk.n_a > 0) { // a folded run with drops in it
          draw_cross(f.draw, {a.x + head, ya + (yb - ya) * 0.5f}, head * 0.8f, palette::kDrop, 3.f);
        }
        const float dx = f.mouse.x - b.x, dy = f.mouse.y - b.y;
        if (dx * dx + dy * dy < head * head * 2.f && f.tooltip->empty()) {
          char buf[256];
          std::snprintf(buf, sizeof buf, "msg %lld %s  %s -> %s\nsent %.4f s, %s %.4f s (%.2f ms)",
                        static_cast<long long>(m.id), f.trace.message_kinds[m.kind].c_str(),
                        f.trace.lanes[m.from].name.c_str(), f.trace.lanes[m.to].name.c_str(), m.t_send_s,
                        m.dropped ? "dropped" : "delivered", m.t_end_s, (m.t_end_s - m.t_send_s) * 1000.0);
          *f.tooltip = buf;
          if (mk.count > 1)
            *f.tooltip += "\n(" + std::to_string(mk.count) + " messages folded here; zoom in)";
        }
      }
    }
  }
  // The selected violation's messages, on top and thick.
  if (!f.selected) return;
  for (std::int64_t op : f.selected->ops) {
    auto [it, end] = by_op.equal_range(op);
    for (; it != end; ++it) {
      const Message& m = f.trace.messages[it->second];
      if (m.from >= f.lane_center_y.size() || m.to >= f.lane_center_y.size()) continue;
      const float ya = f.lane_center_y[m.from], yb = f.lane_center_y[m.to];
      const ImVec2 a{v.x_clamped(m.t_send_s), ya};
      if (m.dropped) {
        const ImVec2 p = drop_point(f, m, ya, yb);
        f.draw->AddLine(a, p, palette::kHighlight, 4.f);
        draw_cross(f.draw, p, head, palette::kDrop, 4.f);
      } else {
        draw_arrow(f.draw, a, {v.x_clamped(m.t_end_s), yb}, palette::kHighlight, 4.f, head * 1.4f);
      }
    }
  }
}

std::optional<std::size_t> draw_violation_strip(const OverlayFrame& f, float y0, float y1,
                                                const std::vector<double>& times,
                                                const std::vector<std::size_t>& index) {
  const ViewContext& v = f.view;
  std::vector<Mark> marks;
  const float half = (y1 - y0) * 0.36f;
  // Fold wide enough that a marker and its count never overlap the next one.
  fold_points(times, {v.t0_s, v.t1_s, v.px_per_s}, static_cast<double>(v.font_px) * 2.2, marks);
  std::optional<std::size_t> clicked;
  for (const Mark& m : marks) {
    const float x = v.x_of(m.t_start_s);
    // A downward triangle: the violation colour, used for nothing else.
    f.draw->AddTriangleFilled({x - half, y0 + 2}, {x + half, y0 + 2}, {x, y1 - 2}, palette::kViolation);
    if (m.count > 1) {
      const std::string n = std::to_string(m.count);
      f.draw->AddText(ImGui::GetFont(), v.font_px * 0.7f, {x + half + 1.f, y0 + 1.f}, palette::kText,
                      n.c_str());
    }
    if (f.mouse.x >= x - half && f.mouse.x <= x + half && f.mouse.y >= y0 && f.mouse.y <= y1) {
      const Violation& viol = f.trace.violations[index[m.item]];
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.3f s  ", viol.t_s);
      *f.tooltip = buf + viol.check + "\n" + viol.message;
      if (m.count > 1)
        *f.tooltip += "\n(" + std::to_string(m.count) + " violations here; click to select the first)";
      if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) clicked = index[m.item];
    }
  }
  return clicked;
}

void draw_selection(const OverlayFrame& f) {
  if (!f.selected) return;
  const ViewContext& v = f.view;
  const Violation& s = *f.selected;
  const float xa = v.x_clamped(s.t_first_s), xb = std::max(v.x_clamped(s.t_last_s), xa + 2.f);
  f.draw->AddRectFilled({xa, f.lanes_y0}, {xb, f.lanes_y1}, palette::kSelection);
  const float x = v.x_clamped(s.t_s);
  f.draw->AddLine({x, f.lanes_y0}, {x, f.lanes_y1}, palette::kViolation, 3.f);
}

namespace {
void draw_dashed(ImDrawList* d, float xa, float xb, float y, ImU32 col, float thick, float dash, float gap) {
  for (float x = xa; x < xb; x += dash + gap)
    d->AddLine({x, y}, {std::min(x + dash, xb), y}, col, thick);
}

// A label with a dark box behind it, kept between the track's edges.
void boxed_text(const OverlayFrame& f, float x, float y, const std::string& text, ImU32 col,
                float scale = 1.f) {
  ImFont* font = ImGui::GetFont();
  const float size = f.view.font_px * scale;
  const ImVec2 ts = font->CalcTextSizeA(size, FLT_MAX, 0.f, text.c_str());
  x = std::max(f.view.x0 + 2.f, std::min(x, f.view.x1 - ts.x - 4.f));
  f.draw->AddRectFilled({x - 2.f, y}, {x + ts.x + 2.f, y + ts.y}, palette::rgb(0, 0, 0, 210));
  f.draw->AddText(font, size, {x, y}, col, text.c_str());
}

std::string seconds(double t_s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", t_s);
  return buf;
}
} // namespace

// The story of a stale read, in yellow. A replica: the replication message
// that carried the write, where it arrived, the wait while the entry sat
// unapplied (dashed: the read that came meanwhile saw the old state), and the
// apply. A cache: the cache_set that made the fill that served the read.
void draw_applied_marks(const OverlayFrame& f, const std::vector<AppliedAt>& applied) {
  const ViewContext& v = f.view;
  const float r = v.font_px * 0.45f;
  for (const AppliedAt& a : applied) {
    if (a.node >= f.lane_center_y.size()) continue;
    const float y = f.lane_center_y[a.node];
    if (a.carrier >= 0) {
      const Message& m = f.trace.messages[static_cast<std::size_t>(a.carrier)];
      if (m.from < f.lane_center_y.size()) {
        const float ya = f.lane_center_y[m.from], yb = f.lane_center_y[m.to];
        const ImVec2 from{v.x_clamped(m.t_send_s), ya};
        if (m.dropped) {
          const ImVec2 p = drop_point(f, m, ya, yb);
          f.draw->AddLine(from, p, palette::kCursor, 4.f);
          draw_cross(f.draw, p, v.font_px * 0.5f, palette::kDrop, 4.f);
        } else {
          draw_arrow(f.draw, from, {v.x_clamped(m.t_end_s), yb}, palette::kCursor, 4.f, v.font_px * 0.6f);
        }
      }
    }
    if (a.t_applied_s < 0) continue;
    const float x = v.x_clamped(a.t_applied_s);
    const bool waited = !a.cache && a.t_arrival_s >= 0 && a.t_applied_s > a.t_arrival_s;
    if (waited) {
      const float xa = v.x_clamped(a.t_arrival_s);
      f.draw->AddCircleFilled({xa, y}, r * 0.6f, palette::kCursor);
      draw_dashed(f.draw, xa, x, y, palette::kCursor, 3.f, v.font_px * 0.5f, v.font_px * 0.3f);
      const float label_y = y - r - v.font_px * 0.85f;
      boxed_text(f, std::max(xa, v.x0) + 4.f, label_y,
                 "arrived " + seconds(a.t_arrival_s) + ", waiting to apply (" +
                     seconds(a.t_applied_s - a.t_arrival_s) + ")",
                 palette::kCursor, 0.8f);
    }
    f.draw->AddQuadFilled({x, y - r}, {x + r, y}, {x, y + r}, {x - r, y}, palette::kCursor);
    std::string label;
    if (a.cache) {
      const std::string filled = a.filled_value.empty() ? "nothing" : a.filled_value;
      label = "filled " + a.key + "=" + filled + (filled != a.value ? ": stale" : "");
    } else {
      label = "applied " + a.key + "=" + a.value + " at " + seconds(a.t_applied_s) +
              (a.t_applied_s > a.t_read_s ? ", after the read" : ", before the read");
    }
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    const float lx = x + r + 4.f + ts.x < v.x1 ? x + r + 4.f : x - r - 4.f - ts.x;
    // Beside the diamond; under the line when a wait is drawn, so the label does not hide it.
    boxed_text(f, lx, waited ? y + r * 0.6f : y - ts.y * 0.5f, label, palette::kCursor);
  }
}

// The selected violation's own time when the window does not hold it (a
// cache race is shown on its own; the stale reads come later): an arrow at
// the strip's edge saying where.
void draw_offscreen_violation(const OverlayFrame& f, float y0, float y1) {
  if (!f.selected) return;
  const ViewContext& v = f.view;
  const double t_s = f.selected->t_s;
  if (t_s >= v.t0_s && t_s <= v.t1_s) return;
  const bool right = t_s > v.t1_s;
  const std::string text = "violation at " + seconds(t_s);
  const ImVec2 ts = ImGui::CalcTextSize(text.c_str());
  const float h = (y1 - y0) * 0.36f, cy = (y0 + y1) * 0.5f;
  const float tip = right ? v.x1 - 2.f : v.x0 + 2.f;
  const float base = right ? tip - h * 1.6f : tip + h * 1.6f;
  f.draw->AddTriangleFilled({tip, cy}, {base, cy - h}, {base, cy + h}, palette::kViolation);
  const float tx = right ? base - 6.f - ts.x : base + 6.f;
  f.draw->AddRectFilled({tx - 2.f, cy - ts.y * 0.5f}, {tx + ts.x + 2.f, cy + ts.y * 0.5f},
                        palette::rgb(0, 0, 0, 210));
  f.draw->AddText({tx, cy - ts.y * 0.5f}, palette::kViolation, text.c_str());
}

void draw_cause_chain(const OverlayFrame& f) {
  if (!f.selected || f.selected->chain.empty()) return;
  const ViewContext& v = f.view;
  const Violation& s = *f.selected;
  // The linked faults' bands, outlined: the first (the root cause) thickest.
  for (std::size_t k = 0; k < s.cause_faults.size(); ++k) {
    for (const Fault& fault : f.trace.faults) {
      if (fault.name != s.cause_faults[k].name || fault.t_end_s < v.t0_s || fault.t_start_s > v.t1_s) continue;
      const float xa = v.x_clamped(fault.t_start_s);
      const float xb = std::max(v.x_clamped(fault.t_end_s), xa + 3.f);
      f.draw->AddRect({xa, f.lanes_y0 + 1.f}, {xb, f.lanes_y1 - 1.f}, palette::kCause, 0.f, 0,
                      k == 0 ? 4.f : 2.f);
    }
  }
  // One mark per step, numbered from the root (the last step) to the violation.
  // Without a linked fault the last step only says so: it is not an event to mark.
  const std::size_t n = s.chain.size() - (s.cause_faults.empty() && s.chain.back().fault.empty() ? 1 : 0);
  if (n == 0) return;
  std::vector<ImVec2> at(n);
  const float r = v.font_px * 0.62f;
  for (std::size_t i = 0; i < n; ++i) {
    const CauseStep& step = s.chain[i];
    const LaneId lane = step.node.empty() ? kNoLane : f.trace.lane_of(step.node);
    const float y = lane < f.lane_center_y.size() ? f.lane_center_y[lane] : f.lanes_y0 + r * 1.5f;
    // Inside the window: a step before it (a fault that began long before) sits at its edge.
    const float x = std::clamp(v.x_of(step.t_s), v.x0 + r + 2.f, v.x1 - r - 2.f);
    at[i] = {x, y};
  }
  // Steps at nearly the same place (the failed ops and the node they went
  // to) would hide each other: move a later one along its lane.
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = n - 1; j > i; --j)
      if (std::hypot(at[i].x - at[j].x, at[i].y - at[j].y) < 2.f * r) at[i].x = at[j].x + 2.2f * r;
  for (std::size_t i = n - 1; i > 0; --i) {
    // Cause -> effect, stopping at the effect's mark.
    const ImVec2 a = at[i], b = at[i - 1];
    const float dx = b.x - a.x, dy = b.y - a.y;
    const float len = std::sqrt(dx * dx + dy * dy);
    if (len < 2.f * r) continue;
    draw_arrow(f.draw, {a.x + dx / len * r, a.y + dy / len * r}, {b.x - dx / len * r, b.y - dy / len * r},
               palette::kCause, 3.f, v.font_px * 0.55f);
  }
  for (std::size_t i = 0; i < n; ++i) {
    f.draw->AddCircleFilled(at[i], r, palette::rgb(0, 0, 0, 230));
    f.draw->AddCircle(at[i], r, palette::kCause, 0, 2.5f);
    const std::string number = std::to_string(s.chain.size() - i); // as the panel numbers them
    const ImVec2 ts = ImGui::CalcTextSize(number.c_str());
    f.draw->AddText({at[i].x - ts.x * 0.5f, at[i].y - ts.y * 0.5f}, palette::kCause, number.c_str());
    if (f.tooltip && std::hypot(f.mouse.x - at[i].x, f.mouse.y - at[i].y) <= r)
      *f.tooltip = number + ". " + s.chain[i].text;
  }
}

} // namespace faultlab::viz
