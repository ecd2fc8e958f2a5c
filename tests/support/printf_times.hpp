// Messages and stories format times without printf (util::fixed_text); these
// are the reference and the inputs their tests compare against.
#pragma once

#include "util/rng.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace faultlab::testing {

// What snprintf writes for `format` (one double conversion) and `value`.
inline std::string printf_text(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

// Halfway cases (0.0005 and 1.0005 are not exact in binary; 0.0625, 0.5 ms
// and 2.5 ms are, and round to even), zero, -0, the two-day boundary where
// times turn into days, a year, and 2,000 random times below 3 s or 4.6 days.
inline std::vector<double> times_to_compare() {
  std::vector<double> times = {0.0,    -0.0, 0.0005, 0.0015,      0.0025,   0.0625,       0.9995,
                               1.0005, 2.675, 14.2,  172799.9995, 172800.0, 365 * 86400.0};
  auto rng = util::Rng::stream(7, "times");
  for (int i = 0; i < 2000; ++i) times.push_back(rng.uniform(0.0, i % 2 ? 3.0 : 400000.0));
  return times;
}

} // namespace faultlab::testing
