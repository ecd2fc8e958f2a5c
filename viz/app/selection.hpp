// Selecting a violation: focus its trace, zoom to its story (its ops and what
// the explanation draws: the replication message, its arrival and the apply;
// a cache's delete, the late fill and the reader that made it; see focus.hpp),
// and put the cursor on it. Used by the panel, the timeline markers and the keys.
#pragma once

#include "app/view.hpp"
#include "trace_model/explain.hpp"
#include "trace_model/focus.hpp"
#include "trace_model/trace.hpp"

namespace faultlab::viz {

inline void select_violation(ViewState& state, const Trace& trace, std::size_t index, int which) {
  if (index >= trace.violations.size()) return;
  const Violation& v = trace.violations[index];
  state.focus = which;
  state.selected_violation = index;
  const Focus f = violation_focus(trace, v, explain_violation(trace, v));
  state.t0_s = f.t0_s;
  state.t1_s = f.t1_s;
  state.cursor_s = f.cursor_s;
  state.playing = false;
}

} // namespace faultlab::viz
