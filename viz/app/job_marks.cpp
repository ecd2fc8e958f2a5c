// A scheduler's job runs and an alerting component's alerts, on their nodes'
// lanes: one bar per run in the upper part of the scheduler's lane, from its
// start to its end, green when it did all its work, amber when it exited 0
// with less than its work (the quiet failure), red when it failed; and a red
// diamond per alert on the alerting node's lane. Only what is in the visible
// window is drawn.
#include "app/lanes.hpp"
#include "app/palette.hpp"

#include <algorithm>
#include <cstdio>

namespace faultlab::viz {

namespace {
ImU32 run_colour(const JobRun& r) {
  if (!r.ended) return palette::kPending;
  if (r.exit != 0) return palette::kFail;
  return r.short_of_work() ? palette::kInfo : palette::kOk;
}
} // namespace

void NodeLaneView::draw_jobs(const LaneFrame& f, float y0, float y1) const {
  const ViewContext& v = f.view;
  const float bar_top = y0 + 3.f, bar_bottom = y0 + (y1 - y0) * 0.4f;
  // A job runs a few times a day at most, and runs of several jobs may
  // overlap (so their ends are not sorted): a scan of the runs that start
  // before the window ends is both correct and cheap.
  for (auto it = trace_.job_runs.begin(); it != trace_.job_runs.end() && it->t_start_s <= v.t1_s; ++it) {
    const JobRun& r = *it;
    if (r.lane != id_ || r.t_end_s < v.t0_s) continue;
    const float xa = v.x_clamped(r.t_start_s), xb = std::max(v.x_clamped(r.t_end_s), xa + 3.f);
    f.draw->AddRectFilled({xa, bar_top}, {xb, bar_bottom}, run_colour(r), 1.f);
    if (!inside(f.mouse, xa - 2, bar_top, xb + 2, bar_bottom)) continue;
    std::string tip = r.component + ": job " + r.job + " run " + std::to_string(r.run) + " from " +
                      time_text(r.t_start_s) + " to " + time_text(r.t_end_s);
    tip += r.ended ? "\n" + r.why : "\nnever ended (its node went down, or the run was cut off)";
    if (r.ended && r.exit == 0 && r.short_of_work())
      tip += "\nexited 0 with " + std::to_string(r.expected - r.done) + " of its " + std::to_string(r.expected) +
             " undone: a quiet failure";
    *f.tooltip = tip;
  }
  auto alert = std::lower_bound(trace_.alerts.begin(), trace_.alerts.end(), v.t0_s,
                                [](const AlertEvent& a, double t) { return a.t_s < t; });
  const float mid = (bar_top + bar_bottom) * 0.5f, half = (bar_bottom - bar_top) * 0.5f + 2.f;
  for (; alert != trace_.alerts.end() && alert->t_s <= v.t1_s; ++alert) {
    if (alert->lane != id_) continue;
    const float x = v.x_of(alert->t_s);
    f.draw->AddQuadFilled({x, mid - half}, {x + half, mid}, {x, mid + half}, {x - half, mid}, palette::kViolation);
    if (inside(f.mouse, x - half, mid - half, x + half, mid + half))
      *f.tooltip = alert->component + ": alert for job " + alert->job + " at " + time_text(alert->t_s) + "\n" + alert->why;
  }
}

} // namespace faultlab::viz
