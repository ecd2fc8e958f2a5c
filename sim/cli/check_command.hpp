// faultlab check: is a history linearizable? For histories that did not come
// from a faultlab run: faultlab's own history/trace files, and Jepsen/Knossos
// EDN histories.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>

namespace faultlab::cli {

// Exit codes of `faultlab check`.
constexpr int kCheckLinearizable = 0;
constexpr int kCheckNotLinearizable = 1;
constexpr int kCheckBadInput = 2;
constexpr int kCheckUnknown = 3; // the time or memory budget ran out first

struct CheckArgs {
  std::string path;
  std::string model;    // "register", "cas-register", "kv", "mutex" or "multi-register"
  double budget_s = 10; // time budget, reading the file included
  std::size_t max_states = 5'000'000;
  std::size_t max_input_mib = 256; // larger files are refused (over-limit)
  std::string initial;  // a register's value before any op: an integer, or "nil" ("": the default)
  std::string nil_read; // "absent" or "unknown" ("": the default)
  bool knossos = false; // Knossos's semantics: --initial 0 --nil-read unknown, unless given
};

// Detects the format (a faultlab JSON Lines file starts with a header object
// naming its "format"; anything else is read as EDN), checks, prints a short
// report (and the violations) to `out`, bad input to `err`.
int command_check(const CheckArgs& args, std::ostream& out, std::ostream& err);

} // namespace faultlab::cli
