// Selecting a violation: focus its trace, zoom to fit it (and, when the trace
// shows it, the moment the stale node finally applied the missed write), and
// put the cursor on it. Used by the panel, the timeline markers and the keys.
#pragma once

#include "app/view.hpp"
#include "trace_model/explain.hpp"
#include "trace_model/trace.hpp"

namespace faultlab::viz {

inline void select_violation(ViewState& state, const Trace& trace, std::size_t index, int which) {
  if (index >= trace.violations.size()) return;
  const Violation& v = trace.violations[index];
  state.focus = which;
  state.selected_violation = index;
  double last_s = v.t_last_s;
  for (const AppliedAt& a : explain_violation(trace, v))
    if (a.t_applied_s > last_s) last_s = a.t_applied_s;
  state.zoom_to(v.t_first_s, last_s);
  state.cursor_s = v.t_s;
  state.playing = false;
}

} // namespace faultlab::viz
