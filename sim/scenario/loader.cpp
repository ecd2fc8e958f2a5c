#include "scenario/loader.hpp"

#include "util/input_error.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace faultlab::scenario {

using util::InputError;

namespace {

std::string stem(const std::string& path) {
  std::size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0) name.resize(name.size() - 5);
  return name;
}

// Line and column (1-based) of a byte offset.
std::pair<std::size_t, std::size_t> line_column(const std::string& text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

// nlohmann's parse error text, minus its own prefix and position, which we
// give ourselves: "syntax error while parsing object - ...".
std::string parse_error_detail(const std::string& what) {
  std::size_t colon = what.find(": ");
  std::size_t at = what.find(" at line ");
  if (at != std::string::npos && colon != std::string::npos) {
    std::size_t after_position = what.find(": ", at);
    if (after_position != std::string::npos) return what.substr(after_position + 2);
  }
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

// "components.db.lag" -> "/components/db/lag", checking every parent exists.
std::string set_pointer(const Json& document, const std::string& file, const std::string& dotted,
                        const std::string& argument) {
  std::string pointer;
  const Json* node = &document;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = dotted.find('.', start);
    std::string key = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (key.empty())
      throw InputError("unknown-set-path", file + ": --set " + argument, "the path has an empty part");
    bool last = dot == std::string::npos;
    if (node->is_array()) {
      char* end = nullptr;
      unsigned long index = std::strtoul(key.c_str(), &end, 10);
      if (*end != '\0' || index >= node->size())
        throw InputError("unknown-set-path", file + ": --set " + argument,
                         pointer + "/" + key + " does not exist (" + pointer + " is a list of " +
                             std::to_string(node->size()) + ")");
      pointer += "/" + key;
      node = &(*node)[index];
    } else if (node->is_object()) {
      pointer = pointer_append(pointer, key);
      auto it = node->find(key);
      if (it == node->end()) {
        // A new leaf in an existing object is fine (validation then checks
        // it is a known field); a missing parent is not.
        if (last) return pointer;
        std::string known;
        for (auto k = node->begin(); k != node->end(); ++k) known += (known.empty() ? "" : ", ") + k.key();
        throw InputError("unknown-set-path", file + ": --set " + argument,
                         pointer + " does not exist" + (known.empty() ? "" : " (there: " + known + ")"));
      }
      node = &*it;
    } else {
      throw InputError("unknown-set-path", file + ": --set " + argument,
                       (pointer.empty() ? std::string("/") : pointer) + " is " + describe_json(*node) +
                           ", which has no field " + util::quote(key));
    }
    if (last) return pointer;
    start = dot + 1;
  }
}

// A key that appears twice in one object is legal JSON to most parsers,
// which keep the last one and silently drop the other: in a scenario that
// is a setting someone wrote and that does nothing. `text` is valid JSON.
void check_duplicate_keys(const std::string& text, const std::string& path) {
  struct Frame {
    bool object = false;
    std::string pointer;
    std::map<std::string, std::size_t> keys; // key -> offset of its first appearance
    std::string key;                         // object: the current member's key
    std::size_t index = 0;                   // array: the current element's index
  };
  std::vector<Frame> stack;
  bool expect_key = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      const std::size_t start = i;
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
      if (!expect_key || stack.empty()) continue;
      expect_key = false;
      // Decoded, so "a" and "\u0061" are the same key, as a parser sees them.
      const std::string key = Json::parse(text.substr(start, i - start + 1)).get<std::string>();
      Frame& top = stack.back();
      top.key = key;
      auto [it, fresh] = top.keys.emplace(key, start);
      if (!fresh) {
        auto [line1, column1] = line_column(text, it->second);
        auto [line2, column2] = line_column(text, start);
        throw InputError("duplicate-key", path + ": " + pointer_append(top.pointer, key),
                         "the key " + util::quote(key) + " appears twice in one object, at line " +
                             std::to_string(line1) + ", column " + std::to_string(column1) + " and at line " +
                             std::to_string(line2) + ", column " + std::to_string(column2) +
                             " (only the last would count)");
      }
    } else if (c == '{' || c == '[') {
      Frame frame;
      frame.object = c == '{';
      if (!stack.empty())
        frame.pointer = stack.back().object ? pointer_append(stack.back().pointer, stack.back().key)
                                            : stack.back().pointer + "/" + std::to_string(stack.back().index);
      stack.push_back(std::move(frame));
      expect_key = c == '{';
    } else if (c == '}' || c == ']') {
      if (!stack.empty()) stack.pop_back();
      expect_key = false;
    } else if (c == ',' && !stack.empty()) {
      if (stack.back().object) expect_key = true;
      else ++stack.back().index;
    }
  }
}

// What a path that is not a scenario file is, for a message that says so.
void require_text_file(const std::string& path, const std::string& text) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error))
    throw InputError("not-a-file", path, "this is a folder, not a scenario file (name a .json file in it)");
  if (text.find('\0') != std::string::npos)
    throw InputError("not-a-file", path, "this is a binary file, not a scenario (a JSON text file)");
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw InputError("not-a-file", path, "the file is empty; a scenario is a JSON object");
}

} // namespace

Json read_json_file(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) require_text_file(path, "");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("no-file", path, "cannot open the file (does it exist?)");
  // A scenario is a few kilobytes (the catalog's largest is 15 KB). Reading
  // stops past the limit, so /dev/zero or a log file named by mistake is
  // refused instead of filling memory.
  std::string text;
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxScenarioFileBytes)
      throw InputError("over-limit", path,
                       "the file is larger than " + std::to_string(kMaxScenarioFileBytes >> 20) +
                           " MiB; a scenario is a JSON text of a few kilobytes (is this the right file?)");
  }
  return parse_json_text(text, path);
}

Json parse_json_text(const std::string& text, const std::string& path) {
  require_text_file(path, text);
  // Scenarios are shallow; a deeply nested file would only exhaust the stack.
  constexpr int kMaxDepth = 64;
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if ((c == '[' || c == '{') && ++depth > kMaxDepth) {
      auto [line, column] = line_column(text, i);
      throw InputError("over-limit", path + ": line " + std::to_string(line) + ", column " + std::to_string(column),
                       "nested deeper than " + std::to_string(kMaxDepth) + " levels");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  Json document;
  try {
    document = Json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    auto [line, column] = line_column(text, e.byte == 0 ? 0 : e.byte - 1);
    throw InputError("syntax", path + ": line " + std::to_string(line) + ", column " + std::to_string(column),
                     "invalid JSON: " + parse_error_detail(e.what()));
  } catch (const nlohmann::json::out_of_range& e) {
    // A number beyond a double's range (1e400). nlohmann names the number
    // ("number overflow parsing '1e400'") but not where it is.
    const std::string what = e.what();
    const std::size_t open = what.find('\''), close = what.rfind('\'');
    const std::string number = open < close && close != std::string::npos ? what.substr(open + 1, close - open - 1) : "";
    std::string where = path;
    if (const std::size_t at = number.empty() ? std::string::npos : text.find(number); at != std::string::npos) {
      auto [line, column] = line_column(text, at);
      where += ": line " + std::to_string(line) + ", column " + std::to_string(column);
    }
    throw InputError("syntax", where,
                     "expected a number of at most about 1.8e308, got " + (number.empty() ? "a larger one" : number));
  }
  check_duplicate_keys(text, path);
  return document;
}

std::vector<std::string> variant_names(const Json& document, const std::string& file) {
  std::vector<std::string> names;
  if (!document.is_object()) return names;
  auto it = document.find("variants");
  if (it == document.end()) return names;
  if (!it->is_object())
    throw InputError("wrong-type", file + ": /variants",
                     "expected an object of merge patches keyed by variant name, got " + describe_json(*it));
  for (auto v = it->begin(); v != it->end(); ++v) names.push_back(v.key());
  return names;
}

Json effective_document(const Json& base, const std::string& file, const LoadOptions& options, Origin& origin) {
  origin.file = file;
  if (!base.is_object()) throw InputError("wrong-type", file + ": /", "expected an object, got " + describe_json(base));
  std::vector<std::string> names = variant_names(base, file);
  std::string variant = options.variant;
  if (variant.empty() && !names.empty()) variant = names.front();
  if (variant == "base") variant.clear();

  Json document = base;
  if (!variant.empty()) {
    static const Json kNoVariants = Json::object();
    const Json& variants = base.contains("variants") ? base.at("variants") : kNoVariants;
    auto it = variants.find(variant);
    if (it == variants.end()) {
      std::string known;
      for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
      throw InputError("unknown-variant", file + ": /variants/" + variant,
                       "no such variant (this scenario has: " + (known.empty() ? "none" : known) + ")");
    }
    if (!it->is_object())
      throw InputError("wrong-type", file + ": /variants/" + variant,
                       "expected a merge patch (an object), got " + describe_json(*it));
    document.merge_patch(*it);
    origin.variant = variant;
    origin.patch = &*it;
  }
  document.erase("variants");

  for (const auto& argument : options.sets) {
    std::size_t eq = argument.find('=');
    if (eq == std::string::npos || eq == 0)
      throw InputError("bad-set", "--set " + argument, "expected PATH=VALUE, like components.db.lag=800ms");
    std::string path = argument.substr(0, eq);
    std::string text = argument.substr(eq + 1);
    std::string pointer = set_pointer(document, file, path, argument);
    // The value is JSON when it parses as JSON, a plain string otherwise,
    // so both --set x.read_policy=primary and --set x.sessions=10 work.
    Json value = Json::parse(text, nullptr, false);
    if (value.is_discarded()) value = text;
    Json::json_pointer target(pointer);
    Json& parent = document[target.parent_pointer()];
    if (value.is_null() && parent.is_object()) parent.erase(target.back()); // null removes, as in a merge patch
    else document[target] = value;
    origin.set_pointers.push_back(pointer);
    origin.set_texts.push_back(argument);
  }
  return document;
}

Scenario load_scenario(const std::string& path, const LoadOptions& options) {
  return load_scenario_document(read_json_file(path), path, options);
}

Scenario load_scenario_text(const std::string& text, const std::string& path, const LoadOptions& options) {
  return load_scenario_document(parse_json_text(text, path), path, options);
}

Scenario load_scenario_document(const Json& base, const std::string& path, const LoadOptions& options) {
  Origin origin;
  Json document = effective_document(base, path, options, origin);
  Scenario scenario = validate(document, origin);
  scenario.file = path;
  scenario.name = stem(path);
  scenario.variant = origin.variant;
  scenario.overrides = options.sets;
  scenario.variant_names = variant_names(base, path);
  return scenario;
}

} // namespace faultlab::scenario
