// faultlab check: is a history linearizable? For histories that did not come
// from a faultlab run: faultlab's own history/trace files, and Jepsen/Knossos
// EDN histories.
#pragma once

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
  std::string model;    // "register", "cas-register" or "kv"
  double budget_s = 10; // time budget of the search
};

// Detects the format (a faultlab JSON Lines file starts with a header object
// naming its "format"; anything else is read as EDN), checks, prints a short
// report (and the violations) to `out`, bad input to `err`.
int command_check(const CheckArgs& args, std::ostream& out, std::ostream& err);

} // namespace faultlab::cli
