// The details panel: what the picked op or lock wait was (see details_panel.cpp).
#pragma once

#include "app/panels.hpp"
#include "app/view.hpp"
#include "trace_model/trace.hpp"

#include <string>

namespace faultlab::viz {

std::string picked_title(const Trace& t, const Picked& p);
void draw_details_panel(const Trace& t, ViewState& state, const PanelRect& r);

} // namespace faultlab::viz
