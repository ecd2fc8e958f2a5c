// The short human report printed after a run.
#pragma once

#include "cli/runner.hpp"

#include <iosfwd>

namespace faultlab::cli {

void print_report(std::ostream& out, const scenario::Scenario& scenario, const CheckedRun& run);

} // namespace faultlab::cli
