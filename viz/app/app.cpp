#include "app/app.hpp"

#include "app/details_panel.hpp"
#include "app/node_panel.hpp"
#include "app/palette.hpp"
#include "app/panels.hpp"
#include "app/selection.hpp"
#include "app/text.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

namespace faultlab::viz {

App::App(std::vector<std::unique_ptr<Trace>> traces, std::vector<std::string> errors)
    : errors_(std::move(errors)) {
  double t_max = 0.0;
  for (std::size_t i = 0; i < traces.size(); ++i) {
    LoadedTrace lt;
    lt.trace = std::move(traces[i]);
    const std::string tag = traces.size() > 1 ? std::string(1, static_cast<char>('A' + i)) : "";
    lt.timeline = std::make_unique<TimelineView>(*lt.trace, static_cast<int>(i), tag);
    lt.metrics = compute_metrics(*lt.trace, 120);
    t_max = std::max(t_max, lt.trace->t_end_s());
    traces_.push_back(std::move(lt));
  }
  state_.t_min_s = 0.0;
  state_.t_max_s = std::max(t_max, 1e-3);
  state_.fit_all();
}

void App::select_violation_index(std::size_t index, int which) {
  if (which < 0 || static_cast<std::size_t>(which) >= traces_.size()) return;
  const Trace& t = *traces_[static_cast<std::size_t>(which)].trace;
  faultlab::viz::select_violation(state_, t, index, which);
}

bool App::select_violation(std::size_t n, int which) {
  if (which < 0 || static_cast<std::size_t>(which) >= traces_.size()) return false;
  const auto& shown = traces_[static_cast<std::size_t>(which)].timeline->shown_violations(state_);
  if (n >= shown.size()) return false;
  select_violation_index(shown[n], which);
  return true;
}

void App::handle_keys() {
  ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;
  auto pressed = [](ImGuiKey k) { return ImGui::IsKeyPressed(ImGui::GetKeyIndex(k)); };
  auto pressed_char = [&](char c) {
    for (int i = 0; i < io.InputQueueCharacters.Size; ++i)
      if (io.InputQueueCharacters[i] == static_cast<ImWchar>(c)) return true;
    return false;
  };
  const double span = state_.t1_s - state_.t0_s;
  if (pressed(ImGuiKey_Space)) toggle_play();
  if (pressed(ImGuiKey_Home) || pressed_char('f')) {
    state_.fit_all();
    state_.selected_violation.reset();
  }
  if (pressed(ImGuiKey_Escape)) {
    state_.selected_violation.reset();
    state_.picked = Picked{};
  }
  if (pressed(ImGuiKey_LeftArrow)) state_.pan(-span * 0.1);
  if (pressed(ImGuiKey_RightArrow)) state_.pan(span * 0.1);
  if (pressed_char('+') || pressed_char('=')) state_.zoom_around(state_.cursor_s, 0.7);
  if (pressed_char('-')) state_.zoom_around(state_.cursor_s, 1.0 / 0.7);
  if (pressed_char(']')) state_.speed = std::min(state_.speed * 2.0, 64.0);
  if (pressed_char('[')) state_.speed = std::max(state_.speed / 2.0, 1.0 / 64.0);
  if (pressed_char(',')) state_.cursor_s = std::max(state_.t_min_s, state_.cursor_s - span * 0.01);
  if (pressed_char('.')) state_.cursor_s = std::min(state_.t_max_s, state_.cursor_s + span * 0.01);
  // ImGui 1.86 indexes keys by the backend's codes: 290 is GLFW_KEY_F1.
  if (pressed_char('h') || pressed_char('?') || ImGui::IsKeyPressed(290))
    state_.show_help = !state_.show_help;
  if (pressed_char('1')) state_.focus = 0;
  if (pressed_char('2') && traces_.size() > 1) state_.focus = 1;
  if (pressed_char('n') || pressed_char('p')) {
    if (static_cast<std::size_t>(state_.focus) < traces_.size()) {
      const auto& shown = traces_[static_cast<std::size_t>(state_.focus)].timeline->shown_violations(state_);
      if (!shown.empty()) {
        auto pos = state_.selected_violation
                       ? std::find(shown.begin(), shown.end(), *state_.selected_violation)
                       : shown.end();
        std::size_t n = 0;
        if (pos != shown.end()) {
          const auto k = static_cast<std::size_t>(pos - shown.begin());
          n = pressed_char('n') ? std::min(k + 1, shown.size() - 1) : (k == 0 ? 0 : k - 1);
        }
        select_violation(n, state_.focus);
      }
    }
  }
}

void App::toggle_play() {
  state_.playing = !state_.playing;
  // Playing from the end starts again at the left edge of the view.
  if (state_.playing && state_.cursor_s >= state_.t_max_s)
    state_.cursor_s = std::max(state_.t0_s, state_.t_min_s);
}

void App::step_playback(double dt_s) {
  if (!state_.playing) return;
  state_.cursor_s += dt_s * state_.speed;
  if (state_.cursor_s >= state_.t_max_s) {
    state_.cursor_s = state_.t_max_s;
    state_.playing = false;
  }
  // Keep the cursor in view: page forward when it reaches the right edge.
  const double span = state_.t1_s - state_.t0_s;
  if (state_.cursor_s > state_.t1_s - span * 0.05 || state_.cursor_s < state_.t0_s) {
    state_.t0_s = state_.cursor_s - span * 0.2;
    state_.t1_s = state_.t0_s + span;
  }
}

void App::draw_top_bar(float x, float y, float w, float h) {
  begin_panel("##top", {x, y, w, h}, false);
  ImGui::SetCursorPosY((h - ImGui::GetFrameHeight()) * 0.5f);
  if (ImGui::Button(state_.playing ? "Pause" : "Play ")) toggle_play();
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7.f);
  float speed = static_cast<float>(state_.speed);
  if (ImGui::SliderFloat("##speed", &speed, 1.f / 64.f, 64.f, "speed %.3gx", ImGuiSliderFlags_Logarithmic))
    state_.speed = static_cast<double>(speed);
  ImGui::SameLine();
  if (ImGui::Button("Fit all")) {
    state_.fit_all();
    state_.selected_violation.reset();
  }
  ImGui::SameLine();
  if (ImGui::Button("Help (h)")) state_.show_help = !state_.show_help;
  ImGui::SameLine();
  ImGui::Text("  cursor %.3f s   window %.3f .. %.3f s", state_.cursor_s, state_.t0_s, state_.t1_s);
  if (!traces_.empty()) {
    // The scenario's title, cut to what is left of the bar (the heading above
    // each timeline names the run); hover it for the whole.
    ImGui::SameLine(0.f, ImGui::GetFontSize() * 1.2f);
    const std::string& title = traces_[0].trace->header.title;
    const std::string shown = ellipsize(title, ImGui::GetContentRegionAvail().x - 4.f);
    ImGui::TextColored(ImColor(palette::kTextDim), "%s", shown.c_str());
    if (shown != title && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", title.c_str());
  }
  ImGui::End();
}

void App::draw_errors(float x, float y, float w, float h) {
  begin_panel("Could not open the trace", {x, y, w, h});
  ImGui::PushTextWrapPos(0.f);
  for (const auto& e : errors_)
    ImGui::TextColored(ImColor(palette::kFail), "%s", e.c_str());
  ImGui::PopTextWrapPos();
  ImGui::End();
}

void App::draw_timelines(float x, float y, float w, float h) {
  begin_panel("##timelines", {x, y, w, h}, false);
  const float gap = ImGui::GetFontSize() * 0.6f;
  const float each = (h - gap * static_cast<float>(traces_.size() + 1)) / static_cast<float>(traces_.size());
  for (std::size_t i = 0; i < traces_.size(); ++i) {
    const float top = y + gap + static_cast<float>(i) * (each + gap);
    traces_[i].timeline->draw(state_, {x + gap * 0.5f, top}, {w - gap, each});
  }
  ImGui::End();
}

void App::frame(double dt_s) {
  handle_keys();
  step_playback(dt_s);
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float font = ImGui::GetFontSize();
  const float top_h = font * 2.2f;
  const float side_w = std::max(display.x * 0.32f, font * 18.f);
  const float main_w = display.x - side_w;
  // Databases add rows of resource plots (levels, pool waits) to the metrics.
  int metric_rows = 0;
  for (const auto& lt : traces_)
    metric_rows += 1 + resource_rows(lt.metrics);
  const float metrics_h = display.y * std::min(0.22f + 0.1f * static_cast<float>(metric_rows - static_cast<int>(traces_.size())), 0.42f);
  const float body_h = display.y - top_h;

  draw_top_bar(0, 0, display.x, top_h);
  if (traces_.empty()) {
    draw_errors(0, top_h, display.x, body_h);
    return;
  }
  if (!errors_.empty()) {
    draw_errors(0, top_h, main_w, font * 6.f);
    draw_timelines(0, top_h + font * 6.f, main_w, body_h - metrics_h - font * 6.f);
  } else {
    draw_timelines(0, top_h, main_w, body_h - metrics_h);
  }
  draw_metrics_panel(*this, {0, display.y - metrics_h, main_w, metrics_h});
  // The node panel takes the height its rows need (a design may have ten
  // nodes, and summaries wrap), within bounds; the violations list scrolls
  // anyway. It only grows, so panels do not jump about during playback.
  const auto focus =
      static_cast<std::size_t>(std::clamp(state_.focus, 0, static_cast<int>(traces_.size()) - 1));
  const Trace& focused = *traces_[focus].trace;
  const bool picked = state_.picked.any() && static_cast<std::size_t>(state_.picked.trace) < traces_.size();
  const float lesson_h = body_h * (picked ? 0.34f : 0.24f);
  nodes_h_ = std::max(nodes_h_, node_panel_height(focused, state_.cursor_s, side_w));
  const bool no_violations = traces_[focus].timeline->shown_violations(state_).empty();
  const float nodes_h = std::clamp(nodes_h_, body_h * 0.22f, body_h * (no_violations ? 0.6f : 0.46f));
  const float violations_h = body_h - lesson_h - nodes_h;
  draw_violations_panel(*this, {main_w, top_h, side_w, violations_h});
  draw_node_state_panel(focused, state_.cursor_s, main_w, top_h + violations_h, side_w, nodes_h);
  // A picked op or lock wait takes the lesson's place until Esc.
  if (picked)
    draw_details_panel(*traces_[static_cast<std::size_t>(state_.picked.trace)].trace, state_,
                       {main_w, top_h + violations_h + nodes_h, side_w, lesson_h});
  else
    draw_lesson_panel(*this, {main_w, top_h + violations_h + nodes_h, side_w, lesson_h});
  if (state_.show_help) draw_help_window(state_, display.x, display.y);
}

} // namespace faultlab::viz
