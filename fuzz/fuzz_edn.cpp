// Fuzz target: the EDN reader and the Jepsen/Knossos history reader on top
// of it, as `faultlab check` reads an EDN history, once as a register
// history and once as a key-value one (--model kv). A util::InputError is
// the expected answer to bad input; anything else is a finding.
#include "history/edn.hpp"
#include "util/input_error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace faultlab;
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (bool kv : {false, true}) {
    try {
      history::parse_edn_history(text, "fuzz.edn", kv);
    } catch (const util::InputError&) {
    }
  }
  return 0;
}
