#include "app/panels.hpp"

#include "app/palette.hpp"
#include "app/text.hpp"
#include "trace_model/explain.hpp"

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
    const TraceHeader& h = ts[i].trace->header;
    const std::string label = std::string(1, static_cast<char>('A' + i)) + ": " + h.variant +
                              (h.overrides.empty() ? "" : " (with --set)");
    if (ImGui::RadioButton(label.c_str(), app.state().focus == static_cast<int>(i))) {
      app.state().focus = static_cast<int>(i);
      app.state().selected_violation.reset();
    }
    // Two runs of one variant differ in their --set overrides: the whole title says how.
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", run_title(h).c_str());
  }
}
// The causal chain, one line a step, numbered as the timeline marks are
// (the root cause is 1); none when the trace has no cause.
std::vector<std::string> cause_lines(const Violation& v) {
  std::vector<std::string> out;
  if (v.chain.empty()) return out;
  out.push_back("Cause (root first; the numbered marks on the timeline):");
  for (std::size_t i = v.chain.size(); i-- > 0;) {
    const CauseStep& step = v.chain[i];
    std::string line = std::to_string(v.chain.size() - i) + ". " + step.text;
    for (const CauseFault& f : v.cause_faults)
      if (!step.fault.empty() && f.name == step.fault) line += " [" + f.relation + "]";
    out.push_back(line);
  }
  if (v.cause_faults.size() > 1) {
    std::string also = "Also active or recent:";
    for (std::size_t k = 1; k < v.cause_faults.size(); ++k)
      also += (k > 1 ? ", " : " ") + v.cause_faults[k].type + " " + v.cause_faults[k].name + " (" +
              v.cause_faults[k].relation + ")";
    out.push_back(also);
  }
  return out;
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
    // A long op list (an availability window has dozens) would push the
    // message out of the box: name a few.
    constexpr std::size_t kOpsNamed = 6;
    std::string ops;
    for (std::size_t i = 0; i < v.ops.size() && i < kOpsNamed; ++i)
      ops += (i ? ", " : "ops ") + std::to_string(v.ops[i]);
    if (v.ops.size() > kOpsNamed) ops += " and " + std::to_string(v.ops.size() - kOpsNamed) + " more";
    char head_buf[128];
    std::snprintf(head_buf, sizeof head_buf, "#%d of %zu   %.3f s   %s   ",
                  static_cast<int>(pos - shown.begin()) + 1, shown.size(), v.t_s, v.check.c_str());
    const std::string head = head_buf + ops;
    float text_h = wrapped_height(head, wrap_w) + wrapped_height(v.message, wrap_w);
    for (const AppliedAt& a : why)
      text_h += wrapped_height(describe(t, a), wrap_w);
    const auto chain = cause_lines(v);
    for (const auto& line : chain)
      text_h += wrapped_height(line, wrap_w);
    const float spacing = ImGui::GetStyle().ItemSpacing.y * static_cast<float>(2 + why.size() + chain.size());
    const float box_h = std::min(text_h + spacing + pad * 1.5f, ImGui::GetContentRegionAvail().y * 0.85f);
    ImGui::BeginChild("selected", {0, box_h}, true);
    wrapped_text(head);
    wrapped_text(v.message);
    for (const AppliedAt& a : why)
      wrapped_text(describe(t, a), palette::kCursor);
    for (std::size_t i = 0; i < chain.size(); ++i)
      wrapped_text(chain[i], i == 0 ? palette::kTextDim : palette::kCause);
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
      if (v.t_s >= 2 * 86400.0)
        std::snprintf(head, sizeof head, "%d. day %.2f  %s##%zu", row + 1, v.t_s / 86400.0, v.check.c_str(), idx);
      else
        std::snprintf(head, sizeof head, "%d. %.3f s  %s##%zu", row + 1, v.t_s, v.check.c_str(), idx);
      ImGui::PushStyleColor(ImGuiCol_Text, palette::kViolation);
      if (ImGui::Selectable(head, selected)) app.select_violation_index(idx, st.focus);
      ImGui::PopStyleColor();
      if (selected && ImGui::IsWindowAppearing()) ImGui::SetScrollHereY();
      wrapped_text(v.message);
      ImGui::Separator();
    }
  }
  ImGui::EndChild();
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

namespace {
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
  const auto& ts = app.traces();
  int rows_n = 0, resources = 0;
  for (const auto& lt : ts) {
    resources += resource_rows(lt.metrics);
    rows_n += 1 + resource_rows(lt.metrics);
  }
  bool scaling = false;
  for (const auto& lt : ts) scaling = scaling || !lt.metrics.scaling.empty() || !lt.metrics.lags.empty();
  begin_panel(resources == 0 ? "Metrics over time (client view)###metrics"
              : scaling      ? "Metrics over time (client view; resources, lags and autoscalers)###metrics"
                             : "Metrics over time (client view; databases and their pools)###metrics",
              r);
  const float avail_h = ImGui::GetContentRegionAvail().y;
  const float rows = static_cast<float>(rows_n);
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
    draw_resource_rows(app.state(), m, tag, plot_h);
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
      {"click", "move the cursor; on an op or a lock wait: its details"},
      {"Space", "play / pause"},
      {"[  ]", "slower / faster playback"},
      {"f or Home", "fit all"},
      {"+  -", "zoom in / out at the cursor"},
      {"Left  Right", "pan"},
      {",  .", "step the cursor"},
      {"n  p", "next / previous violation"},
      {"Esc", "clear the selection and the details"},
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
      "reply, cyan between replicas: replication, heartbeats, votes); a red cross is a drop. Cyan "
      "ticks under a node: its state changed (applied, filled, stock written, lease granted). "
      "Magenta triangles: violations. Yellow, for a selected violation: where the stale value came from "
      "(the replication message, its arrival, the wait to apply dashed, the apply; or a cache's late fill "
      "and the read that made it, outlined). Orange bars on a database's node: statements waiting for a "
      "lock (click one: who it waits behind).");
  ImGui::PopTextWrapPos();
  ImGui::End();
}

} // namespace faultlab::viz
