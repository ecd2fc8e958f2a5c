// Fuzz target: the readers of faultlab's own histories and traces (JSON
// Lines): the format sniffing `faultlab check` does on a file, then the
// history reader, which `check`, `export` and the tests use. A
// util::InputError is the expected answer to bad input; anything else is a
// finding.
#include "cli/check_input.hpp"
#include "history/history_io.hpp"
#include "util/input_error.hpp"

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace faultlab;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string path = "fuzz.jsonl";
  try {
    cli::is_faultlab_jsonl(text, path);
  } catch (const util::InputError&) {
  }
  try {
    std::istringstream in(text);
    history::parse_history_jsonl(in, path);
  } catch (const util::InputError&) {
  }
  return 0;
}
