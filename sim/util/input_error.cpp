#include "util/input_error.hpp"

namespace faultlab::util {

InputError::InputError(std::string id, const std::string& where, const std::string& what)
    : std::runtime_error("error[" + id + "]: " + where + ": " + what), id_(std::move(id)) {}

std::string quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

} // namespace faultlab::util
