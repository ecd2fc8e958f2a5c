// A violation: what a checker found wrong in a history, in words.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace faultlab::check {

struct Violation {
  std::string check;             // the checker's name, e.g. "stale_read"
  double time_s = 0.0;           // when it became visible (usually the bad op's invoke)
  std::vector<std::int64_t> ops; // ids of the ops involved, the offending one last
  std::string message;           // one sentence a student can follow
};

} // namespace faultlab::check
