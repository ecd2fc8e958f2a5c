#include "model/invariant.hpp"

#include <cstdio>
#include <cstdlib>

namespace faultlab::model {
namespace {
std::string& run_description() {
  static std::string description = "(no run)";
  return description;
}
} // namespace

void set_invariant_context(std::string description) { run_description() = std::move(description); }

void invariant_failed(const char* condition, const std::string& what, const char* file, int line) {
  std::fprintf(stderr,
               "faultlab: model invariant violated: %s\n  (%s, at %s:%d)\n  run: %s\n"
               "This is a bug in faultlab's model, not in the simulated system; please report it with the run.\n",
               what.c_str(), condition, file, line, run_description().c_str());
  std::fflush(stderr);
  std::abort();
}

} // namespace faultlab::model
