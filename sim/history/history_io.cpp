#include "history/history_io.hpp"

#include "history/trace_writer.hpp"
#include "util/input_error.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <limits>
#include <map>

namespace faultlab::history {

namespace {
// A whole-number field of a history line. nlohmann's get<std::int64_t>()
// converts a float such as 3e21 with undefined behaviour and wraps an
// unsigned number above 2^63 to a negative one, so both are refused here.
std::int64_t whole(const nlohmann::json& value, const char* field, const std::string& where) {
  const bool too_big = value.is_number_unsigned() &&
                       value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (!value.is_number_integer() || too_big)
    throw util::InputError("bad-op", where,
                           std::string("expected \"") + field + "\" to be a whole number of at most 19 digits, got " +
                               (value.is_number() ? value.dump() : std::string("a ") + value.type_name()));
  return value.get<std::int64_t>();
}
} // namespace

History read_history_jsonl(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw util::InputError("no-file", path, "cannot open the file (does it exist?)");
  return parse_history_jsonl(in, path);
}

History parse_history_jsonl(std::istream& in, const std::string& path) {
  History history;
  std::map<std::int64_t, std::size_t> index_of;
  std::string text;
  std::size_t line_number = 0;
  auto where = [&] { return path + ": line " + std::to_string(line_number); };
  while (std::getline(in, text)) {
    ++line_number;
    if (text.empty()) continue;
    nlohmann::json line = nlohmann::json::parse(text, nullptr, false);
    if (line.is_discarded() || !line.is_object())
      throw util::InputError("syntax", where(), "expected one JSON object per line");
    if (line_number == 1) {
      // value() would throw nlohmann's own error for a "format" that is not
      // a string; such a header is just not ours.
      const auto format = line.find("format");
      if (format == line.end() || !format->is_string() ||
          (*format != kTraceFormat && *format != kHistoryFormat))
        throw util::InputError("bad-format", where(), "expected a faultlab trace or history header");
      // Versions 1 and 2 differ only in the header's nodes, which a history does not need.
      const auto version = line.find("version");
      if (version != line.end() && !version->is_number_integer())
        throw util::InputError("bad-format", where(), "the header's \"version\" should be a whole number");
      // (An unsigned number above 2^63 would wrap to a negative one.)
      const bool newer = version != line.end() &&
                         (version->is_number_unsigned() ? version->get<std::uint64_t>() > static_cast<std::uint64_t>(kTraceVersion)
                                                        : version->get<std::int64_t>() > kTraceVersion);
      if (newer)
        throw util::InputError("bad-format", where(),
                               "format version " + version->dump() +
                                   " is newer than this faultlab understands (" + std::to_string(kTraceVersion) + ")");
      continue;
    }
    const auto ev = line.find("ev");
    if (ev != line.end() && !ev->is_string())
      throw util::InputError("syntax", where(), "expected \"ev\" to be a string (the event's kind), got " + std::string(ev->type_name()));
    if (ev == line.end() || *ev != "op") continue;
    try {
      std::int64_t id = whole(line.at("op"), "op", where());
      std::string type = line.at("type").get<std::string>();
      if (type == "invoke") {
        Op op;
        op.id = id;
        op.process = whole(line.at("process"), "process", where());
        op.client = line.value("client", "");
        op.f = line.at("f").get<std::string>();
        op.key = line.value("key", "");
        if (line.contains("value") && !line["value"].is_null()) op.value = whole(line["value"], "value", where());
        if (line.contains("expected") && !line["expected"].is_null()) op.expected = whole(line["expected"], "expected", where());
        op.invoke_s = line.at("t").get<double>();
        op.final_read = line.value("final", false);
        index_of[id] = history.ops.size();
        history.ops.push_back(std::move(op));
      } else {
        auto outcome = outcome_from_string(type);
        auto it = index_of.find(id);
        if (!outcome || it == index_of.end())
          throw util::InputError("bad-op", where(), "a completion of type \"" + type + "\" for op " +
                                                        std::to_string(id) + " that was never invoked");
        Op& op = history.ops[it->second];
        op.outcome = *outcome;
        op.complete_s = line.at("t").get<double>();
        if (op.f == "read")
          op.value = line.contains("value") ? std::optional<std::int64_t>(whole(line["value"], "value", where()))
                                            : std::nullopt;
        op.node = line.value("node", "");
        op.error = line.value("error", "");
        if (line.contains("position")) op.position = whole(line["position"], "position", where());
        if (line.contains("term")) op.term = whole(line["term"], "term", where());
      }
    } catch (const nlohmann::json::exception& e) {
      throw util::InputError("bad-op", where(), std::string("malformed op event: ") + e.what());
    }
  }
  if (line_number == 0) throw util::InputError("bad-format", path, "the file is empty");
  return history;
}

} // namespace faultlab::history
