// A scenario whose fault timeline is an explore schedule: what
// `faultlab run --explore-seed K` and `faultlab explore` run.
#pragma once

#include "explore/schedule.hpp"
#include "scenario/loader.hpp"

#include <cstdint>
#include <string>

namespace faultlab::explore {

struct ExploreScenario {
  scenario::Scenario scenario; // validated, with explore_seed set
  scenario::Json document;     // base + variant + --set, its faults replaced by the schedule (no "variants")
  Schedule schedule;
};

// Loads `path` as load_scenario does, then replaces its faults with the
// schedule for `explore_seed` (drawn over the loaded scenario's nodes and
// duration). Throws util::InputError for bad input, as load_scenario does.
ExploreScenario load_explore_scenario(const std::string& path, const scenario::LoadOptions& options,
                                      std::uint64_t explore_seed);

// A typed scenario from a document that is already patched (no variants
// left), named as if it came from `path` with `options`.
scenario::Scenario scenario_from_document(const scenario::Json& document, const std::string& path,
                                          const scenario::LoadOptions& options, const std::string& variant);

} // namespace faultlab::explore
