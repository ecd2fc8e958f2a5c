// What to show when a violation is selected: the time window that tells its
// story, where to put the cursor, and the ops outside the violation that the
// story names (the reader whose late fill put a stale value in a cache).
#pragma once

#include "trace_model/explain.hpp"
#include "trace_model/trace.hpp"

#include <cstdint>
#include <vector>

namespace faultlab::viz {

struct Focus {
  double t0_s = 0.0, t1_s = 0.0; // the window, margins included
  double cursor_s = 0.0;
  // The story's own span, without margins (what must be on screen).
  double story_t0_s = 0.0, story_t1_s = 0.0;
};

// The span of the violation's ops and of the marks its explanation draws
// (a replication message, its arrival, the apply; a cache's delete, the fill
// and the cache_set that made it), with a margin on each side. A stale cache
// episode can go on for seconds after the race that caused it: when its reads
// would shrink the race to a sliver, the window holds the race and the first
// stale read is left to the edge (it is pointed at there).
Focus violation_focus(const Trace& trace, const Violation& v, const std::vector<AppliedAt>& why);

// Ops that the explanation names but the violation does not list.
std::vector<std::int64_t> related_ops(const Violation& v, const std::vector<AppliedAt>& why);

// The cursor for a window T0:T1 given on the command line: the selected
// violation's time when it is inside, else the selection's own cursor when
// inside, else the window's start.
double cursor_for_window(double t0_s, double t1_s, const Violation* selected, double selection_cursor_s);

} // namespace faultlab::viz
