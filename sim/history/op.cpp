#include "history/op.hpp"

namespace faultlab::history {

const char* to_string(Outcome outcome) {
  switch (outcome) {
  case Outcome::ok:
    return "ok";
  case Outcome::fail:
    return "fail";
  case Outcome::info:
    return "info";
  }
  return "info";
}

std::optional<Outcome> outcome_from_string(const std::string& text) {
  if (text == "ok") return Outcome::ok;
  if (text == "fail") return Outcome::fail;
  if (text == "info") return Outcome::info;
  return std::nullopt;
}

} // namespace faultlab::history
