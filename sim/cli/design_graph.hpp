// From a scenario to the dependency design that topo/ analyses: which nodes
// each component runs on, what it needs of them, and what each endpoint a
// client uses depends on, hard or with a fallback.
#pragma once

#include "scenario/config.hpp"
#include "topo/design.hpp"

namespace faultlab::cli {

// Endpoints are what the scenario's clients call, named "<component>:<op>"
// (e.g. "api:feed", "profiles:write").
topo::Design design_of(const scenario::Scenario& s);

} // namespace faultlab::cli
