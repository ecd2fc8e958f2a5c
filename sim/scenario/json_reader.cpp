#include "scenario/json_reader.hpp"

#include "scenario/schema.hpp"

#include "util/input_error.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace faultlab::scenario {

using util::quote;

namespace {

const char* kDurationHint = "expected a duration with a unit, like \"250ms\" or \"3s\", got ";

std::string number_text(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

std::string range_text(double min, double max) {
  if (max == HUGE_VAL) return "a number of at least " + number_text(min);
  return "a number from " + number_text(min) + " to " + number_text(max);
}

// True when `pointer` lies inside `patch` (or under a non-object value that
// the patch set, which replaces everything below it).
bool patch_touches(const Json& patch, const std::string& pointer) {
  const Json* node = &patch;
  std::size_t pos = 1;
  while (pos <= pointer.size()) {
    if (!node->is_object()) return true;
    std::size_t next = pointer.find('/', pos);
    std::string token = pointer.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    // Undo RFC 6901 escaping.
    for (std::size_t i; (i = token.find("~1")) != std::string::npos;) token.replace(i, 2, "/");
    for (std::size_t i; (i = token.find("~0")) != std::string::npos;) token.replace(i, 2, "~");
    auto it = node->find(token);
    if (it == node->end()) return false;
    node = &*it;
    // An object the patch only partly changes is not the patch's doing.
    if (next == std::string::npos) return !node->is_object();
    pos = next + 1;
  }
  return !patch.is_object() || !pointer.empty();
}

// While probing (schema.hpp), what an accessor hands back for a field the
// reader takes apart by hand: null, which every reader must survive anyway.
const Json& probe_null() {
  static const Json value;
  return value;
}

// A duration as the files write it, for defaults in the schema: 0.0001 -> "100us".
std::string duration_text(double seconds) {
  struct Unit { const char* name; double size; };
  for (Unit unit : {Unit{"h", 3600}, Unit{"min", 60}, Unit{"s", 1}, Unit{"ms", 1e-3}, Unit{"us", 1e-6}}) {
    double count = seconds / unit.size;
    if (count >= 1 && std::fabs(count - std::round(count)) < 1e-9)
      return number_text(std::round(count)) + unit.name;
  }
  if (seconds >= 1e-3) return number_text(seconds) + "s";
  return seconds == 0 ? "0s" : number_text(seconds * 1e9) + "ns";
}

Json duration_schema() { return Json{{"$ref", "#/$defs/duration"}}; }

Json number_schema(const char* type, double min, double max) {
  Json schema{{"type", type}};
  if (min != -HUGE_VAL) schema["minimum"] = min;
  if (max != HUGE_VAL) schema["maximum"] = max;
  return schema;
}

// {"$probe": "rest"} -> {"$probe": "<the field's pointer>/rest"}.
void place_probe_markers(Json& schema, const std::string& field_pointer) {
  if (schema.is_object()) {
    auto it = schema.find("$probe");
    if (it != schema.end() && it->is_string()) {
      std::string rest = it->get<std::string>();
      *it = rest.empty() ? field_pointer : field_pointer + "/" + rest;
      return;
    }
  }
  if (schema.is_structured())
    for (auto& child : schema) place_probe_markers(child, field_pointer);
}

bool is_prefix_pointer(const std::string& prefix, const std::string& pointer) {
  return pointer == prefix || (pointer.size() > prefix.size() && pointer.compare(0, prefix.size(), prefix) == 0 &&
                               pointer[prefix.size()] == '/');
}

} // namespace

std::string Origin::locate(const std::string& pointer) const {
  for (std::size_t i = set_pointers.size(); i-- > 0;)
    if (is_prefix_pointer(set_pointers[i], pointer)) return "--set " + set_texts[i] + ": " + pointer;
  if (patch != nullptr && !pointer.empty() && patch_touches(*patch, pointer))
    return "/variants/" + variant + pointer;
  return pointer.empty() ? "/" : pointer;
}

void Origin::fail(const std::string& id, const std::string& pointer, const std::string& what) const {
  throw util::InputError(id, file + ": " + locate(pointer), what);
}

std::string describe_json(const Json& value) {
  std::string text = value.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

std::string pointer_append(const std::string& pointer, const std::string& key) {
  std::string escaped;
  for (char c : key) {
    if (c == '~') escaped += "~0";
    else if (c == '/') escaped += "~1";
    else escaped += c;
  }
  return pointer + "/" + escaped;
}

std::string read_string(const Origin& origin, const Json& value, const std::string& pointer) {
  if (!value.is_string()) origin.fail("wrong-type", pointer, "expected a string, got " + describe_json(value));
  return value.get<std::string>();
}

double read_duration_s(const Origin& origin, const Json& value, const std::string& pointer) {
  if (!value.is_string()) origin.fail("bad-duration", pointer, kDurationHint + describe_json(value));
  const std::string& text = value.get_ref<const std::string&>();
  if (!text.empty() && text[0] == '-')
    origin.fail("bad-duration", pointer, "expected a duration of zero or more, like \"3s\", got " + describe_json(value));
  auto seconds = util::parse_duration_s(text);
  if (!seconds) origin.fail("bad-duration", pointer, kDurationHint + describe_json(value));
  return *seconds;
}

double read_number(const Origin& origin, const Json& value, const std::string& pointer, double min,
                   double max) {
  if (!value.is_number())
    origin.fail("wrong-type", pointer, "expected " + range_text(min, max) + ", got " + describe_json(value));
  double number = value.get<double>();
  if (!(number >= min && number <= max))
    origin.fail("bad-value", pointer, "expected " + range_text(min, max) + ", got " + describe_json(value));
  return number;
}

ObjectReader::ObjectReader(const Origin& origin, const Json& value, std::string pointer)
    : origin_(origin), value_(value), pointer_(std::move(pointer)) {
  if (!value_.is_object() && !probing())
    origin_.fail("wrong-type", pointer_, "expected an object, got " + describe_json(value_));
}

// While probing, known_ holds the fields whose presence the reader tested:
// a field it then requires is required only when present, so optional.
void ObjectReader::record(const std::string& key, Json schema, bool required) {
  place_probe_markers(schema, origin_.probe->annotate(child(key)));
  origin_.probe->field(origin_.probe->annotate(pointer_), key, std::move(schema), required && !known_.count(key));
}

bool ObjectReader::has(const std::string& key) const {
  if (probing()) {
    const_cast<ObjectReader*>(this)->known_.insert(key);
    return origin_.probe->decide(origin_.probe->annotate(child(key)) + "#has", {"yes", "no"}) == "yes";
  }
  return value_.contains(key);
}

const Json* ObjectReader::find(const std::string& key) {
  if (probing()) {
    record(key, Json::object(), false);
    known_.insert(key);
    bool present = origin_.probe->decide(origin_.probe->annotate(child(key)) + "#find", {"yes", "no"}) == "yes";
    return present ? &probe_null() : nullptr;
  }
  known_.insert(key);
  auto it = value_.find(key);
  return it == value_.end() ? nullptr : &*it;
}

const Json* ObjectReader::find(const std::string& key, const Shape& shape) {
  if (!probing()) return find(key);
  record(key, shape.schema, false);
  known_.insert(key);
  if (shape.example.is_null()) return nullptr;
  bool present = origin_.probe->decide(origin_.probe->annotate(child(key)) + "#find", {"yes", "no"}) == "yes";
  return present ? origin_.probe->keep(shape.example) : nullptr;
}

const Json& ObjectReader::require(const std::string& key, const Shape& shape) {
  if (!probing()) return require(key);
  record(key, shape.schema, true);
  return *origin_.probe->keep(shape.example);
}

const Json& ObjectReader::require(const std::string& key) {
  if (probing()) {
    record(key, Json::object(), true);
    return probe_null();
  }
  const Json* value = find(key);
  if (value == nullptr) origin_.fail("missing-field", pointer_, "missing required field " + quote(key));
  return *value;
}

std::string ObjectReader::string(const std::string& key) {
  if (probing()) {
    record(key, Json{{"type", "string"}}, true);
    return kProbeName;
  }
  return read_string(origin_, require(key), child(key));
}

std::string ObjectReader::string_or(const std::string& key, const std::string& fallback) {
  if (probing()) {
    Json schema{{"type", "string"}};
    if (!fallback.empty()) schema["default"] = fallback;
    record(key, std::move(schema), false);
    return fallback;
  }
  const Json* value = find(key);
  return value == nullptr ? fallback : read_string(origin_, *value, child(key));
}

std::string ObjectReader::choice(const std::string& key, const std::vector<std::string>& options,
                                 const std::string& fallback) {
  if (probing()) {
    std::vector<std::string> order;
    if (!fallback.empty()) order.push_back(fallback);
    for (const auto& option : options)
      if (option != fallback) order.push_back(option);
    Json schema{{"enum", options}};
    if (!fallback.empty()) schema["default"] = fallback;
    record(key, std::move(schema), fallback.empty());
    return origin_.probe->decide(origin_.probe->annotate(child(key)) + "#choice", order);
  }
  const Json* value = find(key);
  if (value == nullptr) {
    if (fallback.empty()) require(key);
    return fallback;
  }
  std::string expected = "expected one of ";
  for (std::size_t i = 0; i < options.size(); ++i) expected += (i ? ", " : "") + quote(options[i]);
  if (!value->is_string()) origin_.fail("wrong-type", child(key), expected + ", got " + describe_json(*value));
  std::string text = value->get<std::string>();
  for (const auto& option : options)
    if (option == text) return text;
  origin_.fail("bad-value", child(key), expected + ", got " + describe_json(*value));
}

std::string ObjectReader::kind(const std::string& key, const std::vector<std::string>& options,
                               const std::string& fallback) {
  std::string value = choice(key, options, fallback);
  if (probing()) origin_.probe->branch(pointer_, key, value, fallback);
  return value;
}

double ObjectReader::duration_s(const std::string& key) {
  if (probing()) {
    record(key, duration_schema(), true);
    return 1.0;
  }
  return read_duration_s(origin_, require(key), child(key));
}

double ObjectReader::duration_s_or(const std::string& key, double fallback) {
  if (probing()) {
    Json schema = duration_schema();
    schema["default"] = duration_text(fallback);
    record(key, std::move(schema), false);
    return fallback;
  }
  return optional_duration_s(key).value_or(fallback);
}

std::optional<double> ObjectReader::optional_duration_s(const std::string& key) {
  if (probing()) {
    record(key, duration_schema(), false);
    return std::nullopt;
  }
  const Json* value = find(key);
  if (value == nullptr) return std::nullopt;
  return read_duration_s(origin_, *value, child(key));
}

double ObjectReader::number(const std::string& key, double min, double max) {
  if (probing()) {
    record(key, number_schema("number", min, max), true);
    return std::min(std::max(1.0, min), max);
  }
  return read_number(origin_, require(key), child(key), min, max);
}

double ObjectReader::number_or(const std::string& key, double fallback, double min, double max) {
  if (probing()) {
    Json schema = number_schema("number", min, max);
    schema["default"] = fallback;
    record(key, std::move(schema), false);
    return fallback;
  }
  const Json* value = find(key);
  return value == nullptr ? fallback : read_number(origin_, *value, child(key), min, max);
}

long long ObjectReader::integer_or(const std::string& key, long long fallback, long long min, long long max) {
  if (probing()) {
    Json schema{{"type", "integer"}, {"minimum", min}, {"maximum", max}, {"default", fallback}};
    record(key, std::move(schema), false);
    return fallback;
  }
  const Json* value = find(key);
  if (value == nullptr) return fallback;
  std::string expected = "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  if (!value->is_number_integer()) origin_.fail("wrong-type", child(key), expected + ", got " + describe_json(*value));
  long long number = value->get<long long>();
  if (number < min || number > max) origin_.fail("bad-value", child(key), expected + ", got " + describe_json(*value));
  return number;
}

bool ObjectReader::boolean_or(const std::string& key, bool fallback) {
  if (probing()) {
    record(key, Json{{"type", "boolean"}, {"default", fallback}}, false);
    std::string first = fallback ? "true" : "false", second = fallback ? "false" : "true";
    return origin_.probe->decide(origin_.probe->annotate(child(key)) + "#boolean", {first, second}) == "true";
  }
  const Json* value = find(key);
  if (value == nullptr) return fallback;
  if (!value->is_boolean())
    origin_.fail("wrong-type", child(key), "expected true or false, got " + describe_json(*value));
  return value->get<bool>();
}

std::vector<std::string> ObjectReader::string_list(const std::string& key) {
  if (probing()) {
    record(key, Json{{"type", "array"}, {"items", {{"type", "string"}}}}, true);
    return {kProbeName};
  }
  const Json& value = require(key);
  if (!value.is_array())
    origin_.fail("wrong-type", child(key), "expected a list of strings, got " + describe_json(value));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < value.size(); ++i)
    out.push_back(read_string(origin_, value[i], child(key) + "/" + std::to_string(i)));
  return out;
}

ObjectReader ObjectReader::object(const std::string& key) {
  if (probing()) {
    record(key, Json{{"$probe", ""}}, true);
    return ObjectReader(origin_, probe_null(), child(key));
  }
  return ObjectReader(origin_, require(key), child(key));
}

std::vector<std::pair<std::string, ObjectReader>> ObjectReader::members(const std::string& key) {
  std::vector<std::pair<std::string, ObjectReader>> out;
  if (probing()) {
    record(key, Json{{"type", "object"}, {"additionalProperties", {{"$probe", kProbeName}}}}, false);
    out.emplace_back(kProbeName, ObjectReader(origin_, probe_null(), pointer_append(child(key), kProbeName)));
    return out;
  }
  const Json* value = find(key);
  if (value == nullptr) return out;
  if (!value->is_object())
    origin_.fail("wrong-type", child(key), "expected an object keyed by name, got " + describe_json(*value));
  for (auto it = value->begin(); it != value->end(); ++it)
    out.emplace_back(it.key(), ObjectReader(origin_, it.value(), pointer_append(child(key), it.key())));
  return out;
}

std::vector<std::pair<std::string, ObjectReader>> ObjectReader::named_members(const std::string& key,
                                                                              const std::vector<std::string>& names) {
  if (!probing()) return members(key);
  Json properties = Json::object();
  for (const auto& name : names) properties[name] = Json{{"$probe", name}};
  record(key, Json{{"type", "object"}, {"properties", properties}, {"additionalProperties", false}}, false);
  std::vector<std::pair<std::string, ObjectReader>> out;
  for (const auto& name : names)
    out.emplace_back(name, ObjectReader(origin_, probe_null(), pointer_append(child(key), name)));
  return out;
}

void ObjectReader::describe(std::initializer_list<std::pair<const char*, const char*>> fields) {
  if (!probing()) return;
  for (const auto& [key, text] : fields) origin_.probe->describe(origin_.probe->annotate(pointer_), key, text);
}

void ObjectReader::finish() const {
  if (probing()) {
    origin_.probe->finished(origin_.probe->annotate(pointer_));
    return;
  }
  for (auto it = value_.begin(); it != value_.end(); ++it) {
    if (known_.count(it.key())) continue;
    std::string expected;
    for (const auto& name : known_) expected += (expected.empty() ? "" : ", ") + name;
    origin_.fail("unknown-field", pointer_append(pointer_, it.key()),
                 "unknown field " + quote(it.key()) + " (expected one of: " + expected + ")");
  }
}

} // namespace faultlab::scenario
