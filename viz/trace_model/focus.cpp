#include "trace_model/focus.hpp"

#include <algorithm>
#include <limits>

namespace faultlab::viz {

namespace {
constexpr double kMargin = 0.25; // of the story's span, on each side
// A cache race shorter than this share of the span up to the first stale read
// is shown on its own: 75 ms in a 2 s window is a few pixels.
constexpr double kMinRaceShare = 0.2;
// How far before the rest of the story (in story lengths, at least 1 s) a
// fault's start may be and still be brought into the window.
constexpr double kFaultReach = 3.0;

struct Span {
  double t0_s = std::numeric_limits<double>::infinity();
  double t1_s = -std::numeric_limits<double>::infinity();
  void add(double t_s) {
    if (t_s < 0) return; // -1: not in the trace
    t0_s = std::min(t0_s, t_s);
    t1_s = std::max(t1_s, t_s);
  }
  void add(const Op* op) {
    if (!op) return;
    add(op->t_invoke_s);
    add(op->t_complete_s);
  }
  void add(const Span& s) {
    if (s.empty()) return;
    add(s.t0_s);
    add(s.t1_s);
  }
  bool empty() const { return t0_s > t1_s; }
  double length_s() const { return empty() ? 0.0 : t1_s - t0_s; }
  bool contains(double t_s) const { return t_s >= t0_s && t_s <= t1_s; }
};
} // namespace

Focus violation_focus(const Trace& trace, const Violation& v, const std::vector<AppliedAt>& why) {
  Span cause, effect, all;
  bool cache = false;
  for (const AppliedAt& a : why) {
    cause.add(trace.find_op(a.write_op));
    effect.add(trace.find_op(a.read_op)); // the first read of the story, not every read of an episode
    if (a.carrier >= 0) {
      const Message& m = trace.messages[static_cast<std::size_t>(a.carrier)];
      cause.add(m.t_send_s);
      cause.add(m.t_end_s);
    }
    cause.add(a.t_applied_s);
    if (a.cache) {
      cache = true;
      cause.add(a.t_delete_s);
      cause.add(trace.find_op(a.filler_op));
    }
  }
  for (std::int64_t id : v.ops)
    all.add(trace.find_op(id));
  all.add(v.t_s);
  // The causal chain's events: the failover, the apply that came too late.
  // Its fault is taken in when it began near the rest; a fault that began
  // long before is still on screen as a band, and its mark sits at the edge.
  Span chain;
  for (const CauseStep& step : v.chain)
    if (step.fault.empty()) chain.add(step.t_s);
  all.add(chain);
  for (const CauseStep& step : v.chain)
    if (!step.fault.empty() && !all.empty() && all.t0_s - step.t_s <= kFaultReach * std::max(all.length_s(), 1.0))
      all.add(step.t_s);

  Span story;
  if (cache && !cause.empty()) {
    // The race, then the first read that found its result (the violation's time).
    story.add(cause);
    story.add(effect);
    story.add(v.t_s);
    if (cause.length_s() < kMinRaceShare * story.length_s()) story = cause;
  } else {
    story.add(all);
    story.add(cause);
    story.add(effect);
  }
  Focus f;
  f.story_t0_s = story.t0_s;
  f.story_t1_s = story.t1_s;
  const double pad_s = std::max(story.length_s(), 1e-6) * kMargin;
  f.t0_s = story.t0_s - pad_s;
  f.t1_s = story.t1_s + pad_s;
  // On the violation; else just after the story (the node panel then shows
  // its result, and the cursor line does not cover its last mark).
  f.cursor_s = story.contains(v.t_s) ? v.t_s : story.t1_s + pad_s * 0.5;
  return f;
}

std::vector<std::int64_t> related_ops(const Violation& v, const std::vector<AppliedAt>& why) {
  std::vector<std::int64_t> out;
  for (const AppliedAt& a : why) {
    if (a.filler_op < 0) continue;
    if (std::find(v.ops.begin(), v.ops.end(), a.filler_op) != v.ops.end()) continue;
    if (std::find(out.begin(), out.end(), a.filler_op) != out.end()) continue;
    out.push_back(a.filler_op);
  }
  return out;
}

double cursor_for_window(double t0_s, double t1_s, const Violation* selected, double selection_cursor_s) {
  if (selected && selected->t_s >= t0_s && selected->t_s <= t1_s) return selected->t_s;
  if (selected && selection_cursor_s >= t0_s && selection_cursor_s <= t1_s) return selection_cursor_s;
  return t0_s;
}

} // namespace faultlab::viz
