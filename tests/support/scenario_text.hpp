// Helpers for tests of bad scenario input: write a scenario text as x.json,
// load it, and return the error exactly as a user would read it.
#pragma once

#include "run_support.hpp"
#include "scenario/loader.hpp"
#include "util/input_error.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace faultlab::testing {

// Writes `text` as x.json in a fresh folder and returns the loader's error
// ("no error" if it loads), with the folder dropped so tests compare
// against "x.json: ...".
inline std::string error_of(const std::string& text, const scenario::LoadOptions& options = {}) {
  std::string file = write_text(temp_dir() + "/x.json", text);
  try {
    scenario::load_scenario(file, options);
  } catch (const util::InputError& e) {
    std::string message = e.what();
    auto at = message.find(file);
    if (at != std::string::npos) message.replace(at, file.size(), "x.json");
    return message;
  }
  return "no error";
}

// `text` with its first `from` replaced by `to`; `from` must be there.
inline std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

} // namespace faultlab::testing
