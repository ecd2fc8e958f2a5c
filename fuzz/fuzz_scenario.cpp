// Fuzz target: the scenario loader, as `faultlab run` reads a scenario file
// (syntax and depth checks, duplicate keys, variants, validation of every
// field and component). It loads the base scenario and each variant the
// input declares (at most 8), so a patch that breaks validation is reached.
// A util::InputError is the loader's answer to bad input and is fine;
// anything else (a crash, a sanitizer report, another exception escaping,
// a hang, a huge allocation) is a finding.
#include "components/readers.hpp"
#include "scenario/loader.hpp"
#include "util/input_error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace faultlab;
  static const bool registered = [] {
    components::register_readers();
    return true;
  }();
  (void)registered;

  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string path = "fuzz.json";
  scenario::Json base;
  std::vector<std::string> variants{"base"};
  try {
    base = scenario::parse_json_text(text, path);
    for (auto& name : scenario::variant_names(base, path))
      if (variants.size() < 8) variants.push_back(std::move(name));
  } catch (const util::InputError&) {
    return 0;
  }
  for (const auto& variant : variants) {
    scenario::LoadOptions options;
    options.variant = variant;
    try {
      scenario::load_scenario_document(base, path, options);
    } catch (const util::InputError&) {
    }
  }
  return 0;
}
