// Loading a scenario file: parse, apply the variant's merge patch (RFC 7386)
// and the --set overrides, then validate into a typed Scenario. Any problem
// throws util::InputError and nothing runs.
#pragma once

#include "scenario/config.hpp"
#include "scenario/json_reader.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace faultlab::scenario {

struct LoadOptions {
  // Which variant to apply. Empty: the first variant the file declares, or
  // the base scenario when it declares none. "base": no variant.
  std::string variant;
  std::vector<std::string> sets; // "components.db.lag=800ms"
};

// Reads and parses a JSON file; syntax errors name line and column.
// Refuses a file larger than this (over-limit) before it is all in memory.
constexpr std::size_t kMaxScenarioFileBytes = std::size_t{16} << 20;
Json read_json_file(const std::string& path);

// The same for text already in memory (`path` names the file in messages).
Json parse_json_text(const std::string& text, const std::string& path);

// The names of the variants a scenario declares, in file order.
std::vector<std::string> variant_names(const Json& document, const std::string& file);

// The document a run uses, before typing: base + variant patch + overrides.
Json effective_document(const Json& base, const std::string& file, const LoadOptions& options, Origin& origin);

Scenario load_scenario(const std::string& path, const LoadOptions& options = {});

// The same from text in memory, or from a document already parsed: `path`
// names the file in messages and gives the scenario its name.
Scenario load_scenario_text(const std::string& text, const std::string& path, const LoadOptions& options = {});
Scenario load_scenario_document(const Json& base, const std::string& path, const LoadOptions& options = {});

// Builds the typed scenario from a patched document (validate.cpp).
Scenario validate(const Json& document, const Origin& origin);

} // namespace faultlab::scenario
