#include "cli/check_input.hpp"

#include <cerrno>
#include <cstdlib>
#include <sstream>

#include "history/edn.hpp"
#include "history/history_io.hpp"
#include "util/input_error.hpp"

#include <nlohmann/json.hpp>

namespace faultlab::cli {

bool is_faultlab_jsonl(const std::string& text, const std::string& path) {
  const std::string first_line = text.substr(0, text.find('\n'));
  const std::size_t start = first_line.find_first_not_of(" \t\r");
  if (start == std::string::npos || first_line[start] != '{') return false;
  const auto header = nlohmann::json::parse(first_line, nullptr, false);
  if (header.is_object() && header.contains("format") && header["format"].is_string() &&
      header["format"].get<std::string>().rfind("faultlab-", 0) == 0)
    return true;
  // EDN maps start with "{" too; JSON that parses is not EDN history.
  const auto whole = nlohmann::json::parse(text, nullptr, false);
  if (whole.is_object() && (whole.contains("components") || whole.contains("topology")))
    throw util::InputError("wrong-format", path,
                           "this is a faultlab scenario, not a history: run it with `faultlab run " + path +
                               " --history H.jsonl`, then check H.jsonl");
  if (!whole.is_discarded() || header.is_object())
    throw util::InputError("wrong-format", path,
                           "this is JSON but not a faultlab trace or history (their first line is a header with "
                           "\"format\": \"faultlab-trace\" or \"faultlab-history\"), nor an EDN history");
  return false;
}

history::History parse_history(const std::string& text, const std::string& path, bool jsonl, bool kv) {
  if (!jsonl) return history::parse_edn_history(text, path, kv);
  std::istringstream in(text);
  return history::parse_history_jsonl(in, path);
}

check::RegisterSemantics semantics_from(const CheckArgs& args) {
  check::RegisterSemantics semantics;
  if (args.knossos) {
    semantics.initial = 0;
    semantics.nil_read = check::NilRead::unknown;
  }
  if (args.nil_read == "absent") semantics.nil_read = check::NilRead::absent;
  if (args.nil_read == "unknown") semantics.nil_read = check::NilRead::unknown;
  if (args.initial == "nil") {
    semantics.initial.reset();
  } else if (!args.initial.empty()) {
    errno = 0;
    char* end = nullptr;
    const long long value = std::strtoll(args.initial.c_str(), &end, 10);
    if (end != args.initial.c_str() + args.initial.size() || errno == ERANGE)
      throw util::InputError("bad-option", "--initial",
                             "expected an integer that fits in 64 bits, or nil, got " + util::quote(args.initial));
    semantics.initial = value;
  }
  return semantics;
}

std::string describe_semantics(const check::RegisterSemantics& semantics) {
  std::string text = semantics.initial ? "start at " + std::to_string(*semantics.initial) : "start absent";
  text += semantics.nil_read == check::NilRead::unknown ? "; a read of nil tells nothing"
                                                         : "; a read of nil saw the register absent";
  return text;
}

} // namespace faultlab::cli
