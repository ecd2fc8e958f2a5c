#include "util/units.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

namespace faultlab::util {
namespace {

// Splits "12.5ms" into 12.5 and "ms". Rejects signs, exponents, spaces.
std::optional<std::pair<double, std::string>> split_number_unit(const std::string& text) {
  std::size_t i = 0;
  bool digits = false, dot = false;
  while (i < text.size()) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
    ++i;
  }
  if (!digits || i == text.size()) return std::nullopt;
  double value = std::strtod(text.substr(0, i).c_str(), nullptr);
  if (!std::isfinite(value)) return std::nullopt;
  return std::make_pair(value, text.substr(i));
}

std::optional<double> scaled(const std::string& text,
                             const std::vector<std::pair<const char*, double>>& units) {
  auto parts = split_number_unit(text);
  if (!parts) return std::nullopt;
  for (const auto& [unit, factor] : units)
    if (parts->second == unit) return parts->first * factor;
  return std::nullopt;
}

} // namespace

// The units each kind of quantity accepts, and what one unit is worth.
using UnitTable = std::vector<std::pair<const char*, double>>;
const UnitTable kDurationUnits{{"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1.0}, {"min", 60.0}, {"h", 3600.0}, {"d", 86400.0}};
const UnitTable kSizeUnits{{"B", 1.0},           {"KB", 1e3},
                           {"MB", 1e6},          {"GB", 1e9},
                           {"KiB", 1024.0},      {"MiB", 1024.0 * 1024.0},
                           {"GiB", 1024.0 * 1024.0 * 1024.0}, {"TB", 1e12},
                           {"TiB", 1024.0 * 1024.0 * 1024.0 * 1024.0}};
const UnitTable kBandwidthUnits{{"bps", 1.0 / 8}, {"Kbps", 1e3 / 8}, {"Mbps", 1e6 / 8}, {"Gbps", 1e9 / 8},
                                {"Bps", 1.0},     {"KBps", 1e3},     {"MBps", 1e6},     {"GBps", 1e9}};
const UnitTable kSpeedUnits{{"f", 1.0}, {"kf", 1e3}, {"Mf", 1e6}, {"Gf", 1e9}, {"Tf", 1e12}};

std::optional<double> parse_duration_s(const std::string& text) { return scaled(text, kDurationUnits); }

std::optional<double> parse_size_bytes(const std::string& text) { return scaled(text, kSizeUnits); }

std::optional<double> parse_bandwidth_Bps(const std::string& text) { return scaled(text, kBandwidthUnits); }

std::optional<double> parse_speed_flops(const std::string& text) { return scaled(text, kSpeedUnits); }

std::string unit_pattern(Quantity quantity) {
  const UnitTable& units = quantity == Quantity::duration ? kDurationUnits
                           : quantity == Quantity::size   ? kSizeUnits
                           : quantity == Quantity::bandwidth ? kBandwidthUnits
                                                             : kSpeedUnits;
  // split_number_unit's grammar: digits with at most one dot, no sign or exponent.
  std::string pattern = "^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(";
  for (std::size_t i = 0; i < units.size(); ++i) pattern += (i ? "|" : "") + std::string(units[i].first);
  return pattern + ")$";
}

std::string format_duration(double seconds) {
  char buffer[64];
  double magnitude = std::fabs(seconds);
  if (magnitude >= 1.0 || magnitude == 0.0) {
    std::snprintf(buffer, sizeof buffer, "%.3f s", seconds);
  } else if (magnitude >= 1e-3) {
    std::snprintf(buffer, sizeof buffer, "%.1f ms", seconds * 1e3);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.0f us", seconds * 1e6);
  }
  return buffer;
}

std::string format_bytes(double bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int unit = 0;
  while (std::fabs(bytes) >= 1024.0 && unit < 5) bytes /= 1024.0, ++unit;
  char buffer[64];
  if (unit == 0) std::snprintf(buffer, sizeof buffer, "%.0f B", bytes);
  else std::snprintf(buffer, sizeof buffer, "%.1f %s", bytes, units[unit]);
  return buffer;
}

} // namespace faultlab::util
