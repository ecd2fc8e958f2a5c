#include "cli/explain_command.hpp"

#include "cli/catalog.hpp"
#include "cli/commands.hpp"
#include "scenario/loader.hpp"
#include "util/input_error.hpp"

#include <filesystem>
#include <ostream>
#include <sstream>

namespace faultlab::cli {
namespace {

// Prints `text` wrapped at `width` columns: the first line after `first`,
// the others after `rest` (a hanging indent for list items).
void wrap(std::ostream& out, const std::string& text, const std::string& first, const std::string& rest,
          std::size_t width = 78) {
  std::istringstream words(text);
  std::string word, line;
  const std::string* indent = &first;
  while (words >> word) {
    if (!line.empty() && indent->size() + line.size() + 1 + word.size() > width) {
      out << *indent << line << "\n";
      line.clear();
      indent = &rest;
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) out << *indent << line << "\n";
}

} // namespace

int command_explain(const std::string& name, const std::string& catalog_dir_option, std::ostream& out,
                    std::ostream& err) {
  std::string file = name;
  std::string catalog_dir = catalog_dir_option;
  if (!std::filesystem::exists(file)) {
    if (catalog_dir.empty()) {
      try {
        catalog_dir = catalog_dir_or_throw();
      } catch (const util::InputError& e) {
        err << e.what() << "\n";
        return kExitBadInput;
      }
    }
    file = catalog_dir + "/" + name + ".json";
  }
  if (!std::filesystem::exists(file)) {
    std::string known;
    std::error_code no_dir;
    if (std::filesystem::is_directory(catalog_dir, no_dir))
      for (const auto& f : scenario_files({catalog_dir}))
        known += (known.empty() ? "" : ", ") + std::filesystem::path(f).stem().string();
    err << "error[unknown-scenario]: " << name << ": no such scenario in " << catalog_dir
        << " (there: " << (known.empty() ? "none" : known) << ")\n";
    return kExitBadInput;
  }
  try {
    scenario::Scenario base = scenario::load_scenario(file, scenario::LoadOptions{"base", {}});
    out << base.name << ": " << base.title << "\n\n";
    wrap(out, base.lesson, "  ", "  ");
    if (!base.variant_names.empty()) out << "\nVariants\n";
    for (const auto& variant : base.variant_names) {
      scenario::Scenario v = scenario::load_scenario(file, scenario::LoadOptions{variant, {}});
      out << "  " << variant << "\n";
      wrap(out, v.design.empty() ? "(no design sentence)" : v.design, "      ", "      ");
    }
    if (!base.look_for.empty()) {
      out << "\nWhat to look for in the viewer\n";
      for (const auto& item : base.look_for) wrap(out, item, "  - ", "    ");
    }
    if (!base.questions.empty()) {
      out << "\nQuestions for the room\n";
      for (std::size_t i = 0; i < base.questions.size(); ++i)
        wrap(out, base.questions[i], "  " + std::to_string(i + 1) + ". ", "     ");
    }
    out << "\nTry it (from the faultlab checkout)\n  ./faultlab run " << file << " --variant "
        << (base.variant_names.empty() ? "base" : base.variant_names.front()) << " --trace out/" << base.name
        << ".jsonl\n  ./faultlab-viz out/" << base.name << ".jsonl\n";
    return kExitOk;
  } catch (const util::InputError& e) {
    err << e.what() << "\n";
    return kExitBadInput;
  }
}

} // namespace faultlab::cli
