// The per-checker part of the causality analysis: from a violation back to
// the fault, through the events where the checker knows the mechanism.
// Internal to causality/.
#pragma once

#include "causality/causality.hpp"

#include <string>
#include <vector>

namespace faultlab::causality::detail {

struct Context {
  const check::Violation& violation;
  const Evidence& evidence;
  const std::vector<LinkedFault>& faults; // ranked
  double lookback_s;
};

// The steps from the violation (first) to just before its fault, and which
// linked fault the mechanism points at ("" : the first-ranked one).
struct Story {
  std::vector<Step> steps;
  std::string fault;
};

Story tell(const Context& c);

// "partition p1 cut db-2 off from db-1, db-3 from 12.000 s to 14.500 s";
// `focus` is the node the story is about (the side it is on comes first).
std::string describe_fault(const LinkedFault& f, const Evidence& evidence, const std::string& focus);

std::string seconds(double t_s); // "14.200 s", or "day 3.50" for long runs
std::string duration(double d_s); // "1.400 s", "350 ms"

} // namespace faultlab::causality::detail
