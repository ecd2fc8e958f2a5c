// faultlab-viz: replay one trace (or compare two) and see the violations.
// With --screenshot it renders one frame to a PNG and exits (headless).
#include "app/app.hpp"
#include "app/options.hpp"
#include "app/platform.hpp"
#include "trace_model/focus.hpp"
#include "trace_model/load.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>

using namespace faultlab::viz;

#if defined(__SANITIZE_ADDRESS__)
// make test-asan: no leak check in the viewer. After a screenshot under Xvfb,
// LeakSanitizer reports two 56-byte objects from the GL stack whose stacks end
// in a library already unloaded (frames without a module), so no suppression
// can name them. Memory errors are still checked; the trace model's own tests
// keep the leak check. ASAN_OPTIONS from the environment still wins.
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }
#endif

int main(int argc, char** argv) {
  Options opt;
  try {
    opt = parse_options(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "faultlab-viz: " << e.what() << "\n" << usage();
    return 2;
  }
  if (opt.help) {
    std::cout << usage();
    return 0;
  }

  std::vector<std::unique_ptr<Trace>> traces;
  std::vector<std::string> errors;
  for (const auto& path : opt.traces) {
    try {
      traces.push_back(std::make_unique<Trace>(load_trace(path)));
    } catch (const TraceError& e) {
      std::cerr << "faultlab-viz: " << e.what() << "\n";
      errors.push_back(e.what());
    }
  }
  // Headless runs fail fast; a window shows the message instead.
  if (!opt.screenshot.empty() && !errors.empty()) return 1;

  PlatformConfig cfg;
  for (std::size_t i = 0; i < traces.size(); ++i)
    cfg.title += (i ? "  vs  " : " - ") + run_title(traces[i]->header);
  cfg.width = opt.width;
  cfg.height = opt.height;
  cfg.visible = opt.screenshot.empty();
  std::string error;
  if (!platform_init(cfg, error)) {
    std::cerr << "faultlab-viz: " << error << "\n";
    return errors.empty() ? 3 : 1;
  }
  int rc = errors.empty() ? 0 : 1;
  {
    App app(std::move(traces), std::move(errors));
    ViewState& st = app.state();
    for (const auto& t : app.traces())
      for (const auto& check : t.trace->header.checks)
        if (!opt.only_checks.empty() && !opt.only_checks.count(check)) st.hidden_checks.insert(check);
    if (opt.select_violation && !app.select_violation(*opt.select_violation - 1)) {
      std::cerr << "faultlab-viz: --select-violation " << *opt.select_violation << ": the trace shows only "
                << (app.traces().empty() ? 0 : app.traces()[0].timeline->shown_violations(st).size())
                << " violations\n";
      rc = 2;
    }
    // --select-op / --select-lock-wait pick for the details panel, and frame it when no --window says otherwise.
    if (!app.traces().empty() && (opt.select_op || opt.select_lock_wait)) {
      const Trace& t = *app.traces()[0].trace;
      double t0 = 0, t1 = 0;
      if (opt.select_lock_wait && *opt.select_lock_wait <= t.lock_waits.size()) {
        const LockWait& w = t.lock_waits[*opt.select_lock_wait - 1];
        st.picked.lock_wait = static_cast<std::int64_t>(*opt.select_lock_wait - 1);
        t0 = w.t_start_s;
        t1 = w.t_end_s;
      } else if (opt.select_lock_wait) {
        std::cerr << "faultlab-viz: --select-lock-wait " << *opt.select_lock_wait << ": the trace has only "
                  << t.lock_waits.size() << " lock waits\n";
        rc = 2;
      }
      if (opt.select_op) {
        if (const Op* op = t.find_op(*opt.select_op)) {
          st.picked = Picked{};
          st.picked.op = op->id;
          t0 = op->t_invoke_s;
          t1 = op->t_complete_s;
        } else {
          std::cerr << "faultlab-viz: --select-op " << *opt.select_op << ": no op with that id in the trace\n";
          rc = 2;
        }
      }
      if (st.picked.any()) {
        const double margin = std::max((t1 - t0) * 0.25, 0.01);
        st.t0_s = t0 - margin;
        st.t1_s = t1 + margin;
        st.cursor_s = t0;
      }
    }
    if (opt.window_s) {
      st.t0_s = opt.window_s->first;
      st.t1_s = opt.window_s->second;
      // Without --at, the cursor (and the node panel) belongs inside the window.
      const Violation* selected = nullptr;
      if (st.selected_violation && !app.traces().empty())
        selected = &app.traces()[0].trace->violations[*st.selected_violation];
      st.cursor_s = cursor_for_window(st.t0_s, st.t1_s, selected, st.cursor_s);
    }
    if (opt.at_s) st.cursor_s = *opt.at_s;
    st.show_help = opt.show_help;
    if (rc == 0 && !opt.screenshot.empty()) {
      if (render_screenshot(app, opt.screenshot, opt.frames, error, opt.mouse ? opt.mouse->first : -1.f,
                            opt.mouse ? opt.mouse->second : -1.f)) {
        std::cout << "wrote " << opt.screenshot << " (" << opt.width << "x" << opt.height << ")\n";
      } else {
        std::cerr << "faultlab-viz: " << error << "\n";
        rc = 1;
      }
    } else if (opt.screenshot.empty()) {
      run_interactive(app);
    }
  }
  platform_shutdown();
  return rc;
}
