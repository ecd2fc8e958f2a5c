// The one way bad input is reported. Every message names where the problem is
// (a file and a JSON path, or a command-line option) and what was expected,
// and carries a stable id that tests and docs can refer to:
//
//   error[bad-duration]: scenarios/x.json: /faults/crash/at: expected a duration with a unit, like "250ms" or "3s", got "soon"
#pragma once

#include <stdexcept>
#include <string>

namespace faultlab::util {

class InputError : public std::runtime_error {
public:
  // where: "scenarios/x.json: /faults/crash/at" or "--seed"; id: "bad-duration".
  InputError(std::string id, const std::string& where, const std::string& what);

  const std::string& id() const { return id_; }

private:
  std::string id_;
};

// JSON-style quoting for values shown in messages: "soon", 3, true.
std::string quote(const std::string& text);

} // namespace faultlab::util
