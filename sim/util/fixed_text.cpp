#include "util/fixed_text.hpp"

#include <charconv>

namespace faultlab::util {

std::string fixed_text(double value, int decimals, std::string_view prefix, std::string_view unit) {
  // 400 characters hold any double in fixed notation with up to 60 decimals.
  char digits[400];
  const auto result = std::to_chars(digits, digits + sizeof digits, value, std::chars_format::fixed, decimals);
  std::string text;
  text.reserve(prefix.size() + static_cast<std::size_t>(result.ptr - digits) + unit.size());
  text.append(prefix);
  text.append(digits, result.ptr);
  text.append(unit);
  return text;
}

} // namespace faultlab::util
