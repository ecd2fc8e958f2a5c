#include "cli/usage_errors.hpp"

#include "util/input_error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <sstream>

namespace faultlab::cli {

const CLI::Validator kSeedValidator(
    [](std::string& text) -> std::string {
      bool digits = !text.empty() && text.size() <= 20 &&
                    std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
      errno = 0;
      if (digits) std::strtoull(text.c_str(), nullptr, 10);
      if (digits && errno != ERANGE) return "";
      return "expected a seed, a whole number from 0 to 18446744073709551615, got " + util::quote(text);
    },
    "SEED");

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string join(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

} // namespace

std::string nearest(const std::string& word, const std::vector<std::string>& names) {
  std::string best;
  std::size_t best_distance = 3; // more edits than this is not a typo
  for (const auto& name : names) {
    std::size_t d = edit_distance(word, name);
    if (d < best_distance || (d == best_distance && best.empty() && word.size() > 4)) {
      best = name;
      best_distance = d;
    }
  }
  return best;
}

std::optional<std::string> unknown_command(const CLI::App& app, int argc, const char* const* argv) {
  if (argc < 2 || argv[1][0] == '-') return std::nullopt;
  const std::string word = argv[1];
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
  if (std::find(names.begin(), names.end(), word) != names.end()) return std::nullopt;
  const std::string guess = nearest(word, names);
  return util::InputError("unknown-command", word,
                          "no such command" + (guess.empty() ? std::string() : " (did you mean " + guess + "?)") +
                              "; the commands are " + join(names) + " (faultlab --help)")
      .what();
}

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv, int bad_input) {
  if (auto unknown = unknown_command(app, argc, argv)) {
    std::cerr << *unknown << "\n";
    return bad_input;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << command_line_error(e) << "\n";
    return bad_input;
  }
  return std::nullopt;
}

std::string command_line_error(const CLI::ParseError& error) {
  const std::string what = error.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr || what.find("not expected: ") != std::string::npos) {
    const auto colon = what.find(": ");
    // CLI11 lists the extra words last first; put them back in the order typed.
    std::istringstream words(colon == std::string::npos ? what : what.substr(colon + 2));
    std::vector<std::string> typed;
    for (std::string word; words >> word;) typed.insert(typed.begin(), word);
    std::string extras;
    for (const auto& word : typed) extras += (extras.empty() ? "" : " ") + word;
    return util::InputError("unknown-option", extras,
                            "not an option or argument of this command (see its --help)")
        .what();
  }
  if (dynamic_cast<const CLI::RequiredError*>(&error) != nullptr) return "error[missing-option]: " + what;
  // ValidationError and the others already start with the option's name.
  return "error[bad-option]: " + what;
}

} // namespace faultlab::cli
