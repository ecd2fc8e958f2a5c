// A number with a fixed count of decimals, between a prefix and a unit:
// what snprintf("%s%.*f%s") writes, without going through printf. Violation
// messages and their stories format thousands of times per run; glibc's
// printf took a quarter of the time spent explaining them.
#pragma once

#include <string>
#include <string_view>

namespace faultlab::util {

std::string fixed_text(double value, int decimals, std::string_view prefix = {}, std::string_view unit = {});

} // namespace faultlab::util
