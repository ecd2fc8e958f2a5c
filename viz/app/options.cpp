#include "app/options.hpp"

#include <stdexcept>

namespace faultlab::viz {

namespace {
double parse_seconds(const std::string& s, const std::string& what) {
  std::size_t used = 0;
  double v = 0.0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  std::string rest = s.substr(used);
  if (used == 0 || !(rest.empty() || rest == "s"))
    throw std::invalid_argument(what + ": expected simulated seconds like 2.5, got \"" + s + "\"");
  return v;
}

int parse_int(const std::string& s, const std::string& what, int lo, int hi) {
  std::size_t used = 0;
  long v = 0;
  try {
    v = std::stol(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != s.size() || used == 0 || v < lo || v > hi)
    throw std::invalid_argument(what + ": expected a whole number from " + std::to_string(lo) + " to " +
                                std::to_string(hi) + ", got \"" + s + "\"");
  return static_cast<int>(v);
}
} // namespace

const char* usage() {
  return "usage: faultlab-viz TRACE [TRACE2] [--screenshot out.png] [--at T] [--window T0:T1]\n"
         "                    [--size WxH] [--select-violation N] [--checks NAME,NAME]\n"
         "  TRACE TRACE2            two traces: compare mode, one above the other on one time axis\n"
         "  --screenshot out.png    render one frame to a PNG and exit (works under xvfb-run)\n"
         "  --at T                  put the cursor at T simulated seconds\n"
         "  --window T0:T1          show this time window (default: fit all)\n"
         "  --size WxH              window / image size (default 1920x1080)\n"
         "  --select-violation N    select the N-th violation (1-based, as in the panel) and zoom to it\n"
         "  --checks A,B            show only the violations of these checks\n"
         "  --select-op ID          pick op ID: the details panel says what it did (and its lock waits)\n"
         "  --select-lock-wait N    pick the N-th database lock wait (1-based, in time order)\n"
         "  --mouse X,Y             with --screenshot: the mouse is there (to show a tooltip)\n"
         "  --show-help             open the help panel (keyboard shortcuts)\n"
         "  --frames N              with --screenshot: render N frames and print the time per frame\n";
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + ": missing value");
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      o.help = true;
    } else if (a == "--screenshot") {
      o.screenshot = value();
    } else if (a == "--at") {
      o.at_s = parse_seconds(value(), "--at");
    } else if (a == "--window") {
      const std::string v = value();
      const auto colon = v.find(':');
      if (colon == std::string::npos)
        throw std::invalid_argument("--window: expected T0:T1, got \"" + v + "\"");
      const double t0 = parse_seconds(v.substr(0, colon), "--window");
      const double t1 = parse_seconds(v.substr(colon + 1), "--window");
      if (!(t1 > t0)) throw std::invalid_argument("--window: T1 must be after T0, got \"" + v + "\"");
      o.window_s = {t0, t1};
    } else if (a == "--size") {
      const std::string v = value();
      const auto x = v.find('x');
      if (x == std::string::npos)
        throw std::invalid_argument("--size: expected WxH like 1920x1080, got \"" + v + "\"");
      o.width = parse_int(v.substr(0, x), "--size width", 320, 8192);
      o.height = parse_int(v.substr(x + 1), "--size height", 240, 8192);
    } else if (a == "--select-violation") {
      o.select_violation = static_cast<std::size_t>(parse_int(value(), "--select-violation", 1, 1 << 30));
    } else if (a == "--select-op") {
      o.select_op = parse_int(value(), "--select-op", 0, 2147483647);
    } else if (a == "--select-lock-wait") {
      o.select_lock_wait = static_cast<std::size_t>(parse_int(value(), "--select-lock-wait", 1, 1 << 30));
    } else if (a == "--mouse") {
      const std::string v = value();
      const auto comma = v.find(',');
      if (comma == std::string::npos)
        throw std::invalid_argument("--mouse: expected X,Y in pixels, got \"" + v + "\"");
      o.mouse = std::make_pair(static_cast<float>(parse_int(v.substr(0, comma), "--mouse x", 0, 8192)),
                               static_cast<float>(parse_int(v.substr(comma + 1), "--mouse y", 0, 8192)));
    } else if (a == "--show-help") {
      o.show_help = true;
    } else if (a == "--frames") {
      o.frames = parse_int(value(), "--frames", 1, 100000);
    } else if (a == "--checks") {
      std::string v = value();
      std::size_t start = 0;
      while (start <= v.size()) {
        const auto comma = v.find(',', start);
        const std::string name =
            v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!name.empty()) o.only_checks.insert(name);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (!a.empty() && a[0] == '-') {
      throw std::invalid_argument("unknown option " + a);
    } else {
      o.traces.push_back(a);
    }
  }
  if (o.help) return o;
  if (o.traces.empty()) throw std::invalid_argument("no trace file given");
  if (o.traces.size() > 2)
    throw std::invalid_argument("at most two traces (compare mode), got " + std::to_string(o.traces.size()));
  return o;
}

} // namespace faultlab::viz
