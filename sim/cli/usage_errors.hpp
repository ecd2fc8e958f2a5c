// Command-line mistakes reported like every other input error: one line,
// `error[id]: where: what was expected`, on stderr, exit 2.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace faultlab::cli {

// A seed is a whole number from 0 to 2^64-1, written in digits: CLI11 would
// otherwise turn "-1" into 18446744073709551615 without a word.
extern const CLI::Validator kSeedValidator;

// "faultlab verfy": the first word is not a command. Names the nearest one.
std::optional<std::string> unknown_command(const CLI::App& app, int argc, const char* const* argv);

// A CLI11 parse error as an error[...] line.
std::string command_line_error(const CLI::ParseError& error);

// Parses the command line. Returns nothing when the program goes on, or the
// exit code to end with: 0 after --help, `bad_input` after an error line
// (an unknown command, option or value) on stderr.
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv, int bad_input);

// The command in `names` nearest to `word` by edit distance, if it is near
// enough to be a typo ("" otherwise).
std::string nearest(const std::string& word, const std::vector<std::string>& names);

} // namespace faultlab::cli
