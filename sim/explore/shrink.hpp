// Shrinking a failing scenario, delta-debugging style: the smaller
// scenarios to try in place of one that fails, biggest cuts first. The
// caller (faultlab shrink) runs them in order and moves to the first that
// still fails the same checker, then asks again, until none does: the
// result is 1-minimal with respect to these reductions.
//
// Reductions work on the scenario document (no variants left) and know no
// component type: they remove members of the keyed objects (faults, client
// groups, components, nodes: a node is also taken out of every list that
// names it), cut time (the workload ends when the last fault does, the
// quiet time before the first fault goes), and halve numbers (fault
// durations, settle time, arrival rates, sessions, key counts). A candidate
// that does not validate is simply not a scenario: the caller skips it.
#pragma once

#include "scenario/json_reader.hpp"

#include <string>
#include <vector>

namespace faultlab::explore {

struct Reduction {
  std::string what; // "remove fault x2-drop", "halve the rate of client group east"
  scenario::Json document;
};

std::vector<Reduction> reductions(const scenario::Json& document);

// Takes out what does not change a run: every check but `check` (kept with
// its options), expectations, variants, the workshop notes, the design and
// "$schema" (a path relative to the catalog);
// shortens the lesson. The result still needs a run to confirm it fails.
scenario::Json strip_to_check(const scenario::Json& document, const std::string& check);

} // namespace faultlab::explore
