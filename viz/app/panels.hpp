// The side panels: violations, the lesson, metrics over time, and the help
// with the keyboard shortcuts (the node panel is in node_panel.hpp). Each
// draws one fixed window at the given place.
#pragma once

#include "app/app.hpp"
#include "app/view.hpp"

namespace faultlab::viz {

struct PanelRect {
  float x, y, w, h;
};

void begin_panel(const char* title, const PanelRect& r, bool title_bar = true);
void draw_violations_panel(App& app, const PanelRect& r);
void draw_lesson_panel(App& app, const PanelRect& r);
void draw_metrics_panel(App& app, const PanelRect& r);
void draw_help_window(ViewState& state, float display_w, float display_h);

} // namespace faultlab::viz
