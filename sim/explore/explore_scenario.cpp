#include "explore/explore_scenario.hpp"

namespace faultlab::explore {

namespace {
std::string stem(const std::string& path) {
  std::size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0) name.resize(name.size() - 5);
  return name;
}
} // namespace

scenario::Scenario scenario_from_document(const scenario::Json& document, const std::string& path,
                                          const scenario::LoadOptions& options, const std::string& variant) {
  scenario::Origin origin;
  origin.file = path;
  origin.variant = variant;
  scenario::Scenario s = scenario::validate(document, origin);
  s.file = path;
  s.name = stem(path);
  s.variant = variant;
  s.overrides = options.sets;
  return s;
}

ExploreScenario load_explore_scenario(const std::string& path, const scenario::LoadOptions& options,
                                      std::uint64_t explore_seed) {
  // As load_scenario, keeping the patched document: the schedule replaces
  // its faults, and the typed scenario is read from it again.
  scenario::Scenario plain = scenario::load_scenario(path, options);
  const scenario::Json base = scenario::read_json_file(path);
  scenario::Origin origin;
  ExploreScenario result;
  result.document = scenario::effective_document(base, path, options, origin);
  result.schedule = make_schedule(plain, explore_seed);
  result.document["faults"] = result.schedule.faults;
  result.scenario = scenario_from_document(result.document, path, options, plain.variant);
  result.scenario.variant_names = plain.variant_names;
  result.scenario.explore_seed = explore_seed;
  return result;
}

} // namespace faultlab::explore
