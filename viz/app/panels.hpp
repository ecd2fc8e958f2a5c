// The side panels: violations, the lesson, metrics over time, and the help
// with the keyboard shortcuts (the node panel is in node_panel.hpp). Each
// draws one fixed window at the given place.
#pragma once

#include "app/app.hpp"
#include "app/view.hpp"
#include "trace_model/metrics.hpp"

#include <imgui.h>

#include <string>
#include <vector>

namespace faultlab::viz {

struct PanelRect {
  float x, y, w, h;
};

void begin_panel(const char* title, const PanelRect& r, bool title_bar = true);
void draw_violations_panel(App& app, const PanelRect& r);
void draw_lesson_panel(App& app, const PanelRect& r);
void draw_metrics_panel(App& app, const PanelRect& r);
// A second series over the plot just drawn (ImGui's PlotLines draws one).
void overlay_series(const std::vector<float>& values, float lo, float hi, ImU32 colour);

// Rows of resource plots a trace's metrics add (resource_plots.cpp): one per
// database (at most two) with disk, memory, connections and lock waiters,
// and one shared by the autoscalers, the lags (event loops, consumer
// groups) and the services' connection pool waits, four plots at most.
int resource_rows(const Metrics& m);
// Draws them at the cursor, `plot_h` high each, marking the view on each plot.
void draw_resource_rows(const ViewState& st, const Metrics& m, const std::string& tag, float plot_h);
void draw_help_window(ViewState& state, float display_w, float display_h);

} // namespace faultlab::viz
