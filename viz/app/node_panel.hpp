// The node panel: what each node's last state event says at the cursor.
#pragma once

#include "trace_model/trace.hpp"

namespace faultlab::viz {

// Draws the panel as a fixed window at (x, y), w by h.
void draw_node_state_panel(const Trace& trace, double cursor_s, float x, float y, float w, float h);

// About the height that shows every row at the cursor without scrolling, for a panel `w` wide.
float node_panel_height(const Trace& trace, double cursor_s, float w);

} // namespace faultlab::viz
