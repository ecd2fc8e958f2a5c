// Helpers shared by faultlab-bench's parts: clocks, peak memory, the SimGrid
// flags faultlab passes, and number formatting for the report.
#pragma once

#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace faultlab::bench {

using Json = nlohmann::ordered_json;

inline double wall_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline double cpu_now() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6; };
  return seconds(ru.ru_utime) + seconds(ru.ru_stime);
}

// Peak resident set of this process, in KiB (Linux reports ru_maxrss in KiB).
inline long max_rss_kib() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// The flags faultlab's simulate() always passes (sim/model/simulation.cpp).
inline std::vector<std::string> faultlab_simgrid_flags() {
  return {"--log=root.thres:critical", "--cfg=network/model:CM02", "--cfg=contexts/stack-size:256"};
}

// The 1-minute load average, or -1 if unknown.
inline double load_average() {
  double load[1] = {-1.0};
  return ::getloadavg(load, 1) == 1 ? load[0] : -1.0;
}

inline double per_second(double count, double seconds) { return seconds > 0 ? count / seconds : 0.0; }

inline std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

// 1234567 -> "1,234,567"
inline std::string grouped(double value) {
  std::string digits = fixed(value, 0);
  std::string out;
  std::size_t start = digits[0] == '-' ? 1 : 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > start && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

inline std::string mib(double kib) { return fixed(kib / 1024.0, 1) + " MiB"; }

} // namespace faultlab::bench
