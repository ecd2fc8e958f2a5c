// Numbers as a JavaScript client sees them: every JSON number becomes an
// IEEE 754 double, and a double is printed the way Number.prototype.toString
// (and JSON.stringify) prints it: the shortest digits that read back as the
// same double, laid out in fixed notation from 1e-6 up to 1e21.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

namespace faultlab::model::json_numbers {

inline std::string js_number_to_string(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value < 0 ? "-Infinity" : "Infinity";
  if (value == 0) return "0";
  std::string sign = value < 0 ? "-" : "";
  char text[64];
  // The shortest round-trip digits, as d.ddde+XX.
  auto result = std::to_chars(text, text + sizeof text, std::fabs(value), std::chars_format::scientific);
  const std::string scientific(text, result.ptr);
  const std::size_t e = scientific.find('e');
  std::string digits = scientific.substr(0, e);
  if (digits.size() > 1) digits.erase(1, 1); // drop the point
  const int exponent = std::stoi(scientific.substr(e + 1));
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1; // the point goes after n digits
  if (k <= n && n <= 21) return sign + digits + std::string(static_cast<std::size_t>(n - k), '0');
  if (0 < n && n <= 21) return sign + digits.substr(0, static_cast<std::size_t>(n)) + "." + digits.substr(static_cast<std::size_t>(n));
  if (-6 < n && n <= 0) return sign + "0." + std::string(static_cast<std::size_t>(-n), '0') + digits;
  const std::string mantissa = k == 1 ? digits : digits.substr(0, 1) + "." + digits.substr(1);
  return sign + mantissa + "e" + (n - 1 >= 0 ? "+" : "-") + std::to_string(std::abs(n - 1));
}

// "59.97" for 5997 cents (exact, integers only).
inline std::string cents_to_decimal(std::int64_t cents) {
  const bool negative = cents < 0;
  const std::uint64_t magnitude =
      negative ? static_cast<std::uint64_t>(-(cents + 1)) + 1 : static_cast<std::uint64_t>(cents);
  const std::uint64_t rest = magnitude % 100;
  return std::string(negative ? "-" : "") + std::to_string(magnitude / 100) + "." + (rest < 10 ? "0" : "") +
         std::to_string(rest);
}

} // namespace faultlab::model::json_numbers
