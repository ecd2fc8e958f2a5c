// The view's state (what the user controls: the visible window, the cursor,
// playback, the selected violation) and the const per-frame context that every
// lane draws from.
#pragma once

#include "trace_model/trace.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <string>

namespace faultlab::viz {

// An op or a database lock wait picked by a click (or --select-op /
// --select-lock-wait); the details panel describes it. -1: none.
struct Picked {
  int trace = 0;               // which timeline it belongs to
  std::int64_t op = -1;        // op id
  std::int64_t lock_wait = -1; // index into Trace::lock_waits
  bool any() const { return op >= 0 || lock_wait >= 0; }
  bool operator==(const Picked& o) const { return trace == o.trace && op == o.op && lock_wait == o.lock_wait; }
  bool operator!=(const Picked& o) const { return !(*this == o); }
};

// Shared by every timeline on screen, so compare mode has one time axis.
struct ViewState {
  double t0_s = 0.0, t1_s = 1.0;       // visible window
  double t_min_s = 0.0, t_max_s = 1.0; // the traces' extent (fit-all)
  double cursor_s = 0.0;
  bool playing = false;
  double speed = 1.0;                            // simulated seconds per real second
  int focus = 0;                                 // which trace the panels describe (compare mode)
  std::optional<std::size_t> selected_violation; // index into the focused trace's violations
  std::set<std::string> hidden_checks;           // violations of these checks are not shown
  bool show_help = false;
  Picked picked;                                 // op or lock wait shown in the details panel

  void fit_all() {
    const double pad = (t_max_s - t_min_s) * 0.01;
    t0_s = t_min_s - pad;
    t1_s = t_max_s + pad;
  }
  // Zoom by `factor` (< 1 zooms in) keeping `anchor_s` at the same place.
  void zoom_around(double anchor_s, double factor) {
    const double span = std::clamp((t1_s - t0_s) * factor, 1e-7, (t_max_s - t_min_s) * 4 + 1.0);
    const double frac = (anchor_s - t0_s) / (t1_s - t0_s);
    t0_s = anchor_s - frac * span;
    t1_s = t0_s + span;
  }
  void pan(double delta_s) {
    t0_s += delta_s;
    t1_s += delta_s;
  }
  bool check_visible(const std::string& check) const { return hidden_checks.count(check) == 0; }
};

// Computed once per frame per timeline; lanes only read it.
struct ViewContext {
  double t0_s = 0.0, t1_s = 1.0;
  double px_per_s = 1.0;
  float x0 = 0.f, x1 = 1.f; // screen x of the track area
  float font_px = 20.f;

  float x_of(double t_s) const { return x0 + static_cast<float>((t_s - t0_s) * px_per_s); }
  double t_of(float x) const { return t0_s + static_cast<double>(x - x0) / px_per_s; }
  // Clamped to a little outside the track, so huge zooms do not overflow floats.
  float x_clamped(double t_s) const { return std::clamp(x_of(t_s), x0 - 50.f, x1 + 50.f); }
};

} // namespace faultlab::viz
