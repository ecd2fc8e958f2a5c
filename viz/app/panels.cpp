#include "app/panels.hpp"

#include "app/palette.hpp"
#include "trace_model/explain.hpp"
#include "trace_model/node_state.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

namespace faultlab::viz {

void begin_panel(const char* title, const PanelRect& r, bool title_bar) {
  ImGui::SetNextWindowPos({r.x, r.y}, ImGuiCond_Always);
  ImGui::SetNextWindowSize({r.w, r.h}, ImGuiCond_Always);
  ImGuiWindowFlags flags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                           ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
  if (!title_bar) flags |= ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar;
  ImGui::Begin(title, nullptr, flags);
}

namespace {
const LoadedTrace* focused(App& app) {
  const auto& ts = app.traces();
  if (ts.empty()) return nullptr;
  const auto i = static_cast<std::size_t>(std::clamp(app.state().focus, 0, static_cast<int>(ts.size()) - 1));
  return &ts[i];
}

void focus_tabs(App& app) {
  const auto& ts = app.traces();
  if (ts.size() < 2) return;
  for (std::size_t i = 0; i < ts.size(); ++i) {
    if (i) ImGui::SameLine();
    const std::string label = std::string(1, static_cast<char>('A' + i)) + ": " + ts[i].trace->header.variant;
    if (ImGui::RadioButton(label.c_str(), app.state().focus == static_cast<int>(i))) {
      app.state().focus = static_cast<int>(i);
      app.state().selected_violation.reset();
    }
  }
}
} // namespace

void draw_violations_panel(App& app, const PanelRect& r) {
  begin_panel("Violations", r);
  ViewState& st = app.state();
  const LoadedTrace* lt = focused(app);
  if (!lt) return ImGui::End();
  focus_tabs(app);
  const Trace& t = *lt->trace;
  // One checkbox per check: a fixed design may still show accepted staleness.
  const float right_edge = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  for (std::size_t c = 0; c < t.header.checks.size(); ++c) {
    const std::string& check = t.header.checks[c];
    bool on = st.check_visible(check);
    const std::string label = check + " (" + std::to_string(t.violation_count(check)) + ")";
    const float w = ImGui::CalcTextSize(label.c_str()).x + ImGui::GetFrameHeight() * 2.f;
    if (c > 0 && ImGui::GetItemRectMax().x + w < right_edge) ImGui::SameLine();
    if (ImGui::Checkbox(label.c_str(), &on)) {
      if (on)
        st.hidden_checks.erase(check);
      else
        st.hidden_checks.insert(check);
      st.selected_violation.reset();
    }
  }
  const auto& shown = lt->timeline->shown_violations(st);
  if (shown.empty()) {
    ImGui::TextColored(ImColor(palette::kOk), "No violations.");
    return ImGui::End();
  }
  // The selected one first, in full: it is what the room is looking at.
  if (st.selected_violation && *st.selected_violation < t.violations.size()) {
    const Violation& v = t.violations[*st.selected_violation];
    const auto pos = std::find(shown.begin(), shown.end(), *st.selected_violation);
    ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(0.25f, 0.05f, 0.22f, 1.f));
    const float pad = ImGui::GetStyle().WindowPadding.x * 2.f;
    const float wrap_w = ImGui::GetContentRegionAvail().x - pad;
    const auto why = explain_violation(t, v);
    float text_h = ImGui::CalcTextSize(v.message.c_str(), nullptr, false, wrap_w).y;
    for (const AppliedAt& a : why)
      text_h += ImGui::CalcTextSize(describe(t, a).c_str(), nullptr, false, wrap_w).y;
    const float box_h = std::min(text_h + ImGui::GetTextLineHeightWithSpacing() * 2.f + pad * 1.5f,
                                 ImGui::GetContentRegionAvail().y * 0.85f);
    ImGui::BeginChild("selected", {0, box_h}, true);
    std::string ops;
    for (auto id : v.ops)
      ops += (ops.empty() ? "ops " : ", ") + std::to_string(id);
    char head[128];
    std::snprintf(head, sizeof head, "#%d of %zu   %.3f s   %s   ", static_cast<int>(pos - shown.begin()) + 1,
                  shown.size(), v.t_s, v.check.c_str());
    ImGui::PushTextWrapPos(0.f);
    ImGui::TextUnformatted((head + ops).c_str());
    ImGui::TextUnformatted(v.message.c_str());
    ImGui::PushStyleColor(ImGuiCol_Text, palette::kCursor);
    for (const AppliedAt& a : why)
      ImGui::TextUnformatted(describe(t, a).c_str());
    ImGui::PopStyleColor();
    ImGui::PopTextWrapPos();
    ImGui::EndChild();
    ImGui::PopStyleColor();
  }
  ImGui::BeginChild("list");
  ImGuiListClipper clipper; // only the visible rows are built: a trace may hold thousands
  clipper.Begin(static_cast<int>(shown.size()));
  while (clipper.Step()) {
    for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
      const std::size_t idx = shown[static_cast<std::size_t>(row)];
      const Violation& v = t.violations[idx];
      const bool selected = st.selected_violation == idx;
      char head[96];
      std::snprintf(head, sizeof head, "%d. %.3f s  %s##%zu", row + 1, v.t_s, v.check.c_str(), idx);
      ImGui::PushStyleColor(ImGuiCol_Text, palette::kViolation);
      if (ImGui::Selectable(head, selected)) app.select_violation_index(idx, st.focus);
      ImGui::PopStyleColor();
      if (selected && ImGui::IsWindowAppearing()) ImGui::SetScrollHereY();
      ImGui::PushTextWrapPos(0.f);
      ImGui::TextUnformatted(v.message.c_str());
      ImGui::PopTextWrapPos();
      ImGui::Separator();
    }
  }
  ImGui::EndChild();
  ImGui::End();
}

void draw_node_state_panel(App& app, const PanelRect& r) {
  char title[64];
  std::snprintf(title, sizeof title, "Nodes at %.3f s###nodes", app.state().cursor_s);
  begin_panel(title, r);
  const LoadedTrace* lt = focused(app);
  if (!lt) return ImGui::End();
  if (ImGui::BeginTable("nodes", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("node");
    ImGui::TableSetupColumn("status");
    ImGui::TableSetupColumn("applied");
    ImGui::TableSetupColumn("last write");
    ImGui::TableHeadersRow();
    for (const NodeState& ns : node_states_at(*lt->trace, app.state().cursor_s)) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(ns.name.c_str());
      if (!ns.role.empty() && ns.term >= 0)
        ImGui::TextColored(ImColor(palette::kTextDim), "%s, term %lld", ns.role.c_str(), static_cast<long long>(ns.term));
      else if (!ns.role.empty())
        ImGui::TextColored(ImColor(palette::kTextDim), "%s", ns.role.c_str());
      ImGui::TableNextColumn();
      ImGui::TextColored(ImColor(ns.status == "up" ? palette::kOk : palette::kFail), "%s", ns.status.c_str());
      ImGui::TableNextColumn();
      if (ns.applied >= 0) {
        ImGui::Text("%lld", static_cast<long long>(ns.applied));
        if (ns.behind > 0)
          ImGui::TextColored(ImColor(palette::kInfo), "%lld behind", static_cast<long long>(ns.behind));
      }
      ImGui::TableNextColumn();
      if (!ns.last_key.empty()) ImGui::Text("%s = %s", ns.last_key.c_str(), ns.last_value.c_str());
    }
    ImGui::EndTable();
  }
  ImGui::End();
}

void draw_lesson_panel(App& app, const PanelRect& r) {
  begin_panel("Lesson", r);
  const LoadedTrace* lt = focused(app);
  if (!lt) return ImGui::End();
  const TraceHeader& h = lt->trace->header;
  ImGui::PushTextWrapPos(0.f);
  ImGui::TextColored(ImColor(palette::kReplicate), "%s", h.design.c_str());
  ImGui::Spacing();
  ImGui::TextUnformatted(h.lesson.c_str());
  ImGui::PopTextWrapPos();
  ImGui::End();
}

namespace {
// A second series over the plot just drawn (ImGui's PlotLines draws one).
void overlay_series(const std::vector<float>& values, float lo, float hi, ImU32 colour) {
  if (values.size() < 2) return;
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  const ImVec2 pad = ImGui::GetStyle().FramePadding;
  const float x0 = a.x + pad.x, x1 = b.x - pad.x, y0 = a.y + pad.y, y1 = b.y - pad.y;
  std::vector<ImVec2> points;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const float fx = static_cast<float>(i) / static_cast<float>(values.size() - 1);
    const float fy = std::clamp((values[i] - lo) / (hi - lo), 0.f, 1.f);
    points.push_back({x0 + (x1 - x0) * fx, y1 - (y1 - y0) * fy});
  }
  ImGui::GetWindowDrawList()->AddPolyline(points.data(), static_cast<int>(points.size()), colour, 0, 1.5f);
}

// Plot `index` of the row just drawn: shade the visible window, draw the cursor.
void mark_view_on_plot(const ViewState& st, const Metrics& m, int index, float plot_w) {
  const ImVec2 last_min = ImGui::GetItemRectMin(), last_max = ImGui::GetItemRectMax();
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float left = last_min.x - static_cast<float>(2 - index) * (plot_w + spacing);
  const float pad = ImGui::GetStyle().FramePadding.x;
  const double span_s = m.bucket_s * static_cast<double>(m.throughput_per_s.size());
  if (span_s <= 0) return;
  auto x_of = [&](double t) {
    return left + pad + static_cast<float>(std::clamp(t / span_s, 0.0, 1.0)) * (plot_w - 2.f * pad);
  };
  ImDrawList* d = ImGui::GetWindowDrawList();
  d->AddRectFilled({x_of(st.t0_s), last_min.y}, {x_of(st.t1_s), last_max.y}, palette::rgb(255, 255, 255, 22));
  d->AddLine({x_of(st.cursor_s), last_min.y}, {x_of(st.cursor_s), last_max.y}, palette::kCursor, 2.f);
}
} // namespace

void draw_metrics_panel(App& app, const PanelRect& r) {
  begin_panel("Metrics over time (client view)", r);
  const auto& ts = app.traces();
  const float avail_h = ImGui::GetContentRegionAvail().y;
  const float rows = static_cast<float>(ts.size());
  const float plot_h = std::max(20.f, avail_h / rows - ImGui::GetStyle().ItemSpacing.y);
  const float plot_w = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x * 2.f) / 3.f;
  for (std::size_t i = 0; i < ts.size(); ++i) {
    const Metrics& m = ts[i].metrics;
    const std::string tag = ts.size() > 1 ? std::string(1, static_cast<char>('A' + i)) + " " : "";
    const int n = static_cast<int>(m.throughput_per_s.size());
    char overlay[96];
    std::snprintf(overlay, sizeof overlay, "%sthroughput (max %.0f ops/s)", tag.c_str(), m.max_throughput);
    ImGui::PlotLines(("##tp" + tag).c_str(), m.throughput_per_s.data(), n, 0, overlay, 0.f,
                     m.max_throughput * 1.1f + 1e-3f, {plot_w, plot_h});
    ImGui::SameLine();
    float max_err = 0.f;
    for (float e : m.error_rate)
      max_err = std::max(max_err, e);
    std::snprintf(overlay, sizeof overlay, "%serror rate (max %.1f %%)", tag.c_str(), max_err * 100.f);
    ImGui::PushStyleColor(ImGuiCol_PlotLines, palette::kFail);
    ImGui::PlotLines(("##err" + tag).c_str(), m.error_rate.data(), n, 0, overlay, 0.f, 1.f, {plot_w, plot_h});
    ImGui::PopStyleColor();
    ImGui::SameLine();
    float max_p99 = 0.f;
    for (float p : m.latency_p99_ms)
      max_p99 = std::max(max_p99, p);
    std::snprintf(overlay, sizeof overlay, "%slatency p99 (max %.1f ms), p50", tag.c_str(), max_p99);
    ImGui::PushStyleColor(ImGuiCol_PlotLines, palette::kInfo);
    ImGui::PlotLines(("##lat" + tag).c_str(), m.latency_p99_ms.data(), n, 0, overlay, 0.f,
                     max_p99 * 1.1f + 1e-3f, {plot_w, plot_h});
    ImGui::PopStyleColor();
    overlay_series(m.latency_p50_ms, 0.f, max_p99 * 1.1f + 1e-3f, palette::kRequest);
    // The three plots share the trace's time axis: mark the visible window and the cursor on them.
    for (int p = 0; p < 3; ++p)
      mark_view_on_plot(app.state(), m, p, plot_w);
  }
  ImGui::End();
}

void draw_help_window(ViewState& state, float display_w, float display_h) {
  const float w = std::min(display_w * 0.5f, ImGui::GetFontSize() * 30.f);
  ImGui::SetNextWindowPos({display_w * 0.5f, display_h * 0.5f}, ImGuiCond_Always, {0.5f, 0.5f});
  ImGui::SetNextWindowSize({w, 0.f}, ImGuiCond_Always);
  ImGui::Begin("Help: keyboard and mouse", &state.show_help,
               ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoMove);
  static const char* const kRows[][2] = {
      {"wheel", "zoom around the mouse"},
      {"drag", "pan"},
      {"click", "move the cursor"},
      {"Space", "play / pause"},
      {"[  ]", "slower / faster playback"},
      {"f or Home", "fit all"},
      {"+  -", "zoom in / out at the cursor"},
      {"Left  Right", "pan"},
      {",  .", "step the cursor"},
      {"n  p", "next / previous violation"},
      {"Esc", "clear the selection"},
      {"1  2", "panels show run A / B"},
      {"h, ? or F1", "this help"},
  };
  if (ImGui::BeginTable("keys", 2)) {
    for (const auto& row : kRows) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextColored(ImColor(palette::kCursor), "%s", row[0]);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(row[1]);
    }
    ImGui::EndTable();
  }
  ImGui::Spacing();
  ImGui::PushTextWrapPos(0.f);
  ImGui::TextColored(
      ImColor(palette::kTextDim),
      "Bars: client ops (green ok, red fail, amber unknown). Arrows: messages (blue request, grey "
      "reply, cyan replication); a red cross is a drop. Magenta triangles: violations.");
  ImGui::PopTextWrapPos();
  ImGui::End();
}

} // namespace faultlab::viz
