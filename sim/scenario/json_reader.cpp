#include "scenario/json_reader.hpp"

#include "util/input_error.hpp"
#include "util/units.hpp"

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
  if (!value_.is_object())
    origin_.fail("wrong-type", pointer_, "expected an object, got " + describe_json(value_));
}

bool ObjectReader::has(const std::string& key) const { return value_.contains(key); }

const Json* ObjectReader::find(const std::string& key) {
  known_.insert(key);
  auto it = value_.find(key);
  return it == value_.end() ? nullptr : &*it;
}

const Json& ObjectReader::require(const std::string& key) {
  const Json* value = find(key);
  if (value == nullptr) origin_.fail("missing-field", pointer_, "missing required field " + quote(key));
  return *value;
}

std::string ObjectReader::string(const std::string& key) {
  return read_string(origin_, require(key), child(key));
}

std::string ObjectReader::string_or(const std::string& key, const std::string& fallback) {
  const Json* value = find(key);
  return value == nullptr ? fallback : read_string(origin_, *value, child(key));
}

std::string ObjectReader::choice(const std::string& key, const std::vector<std::string>& options,
                                 const std::string& fallback) {
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

double ObjectReader::duration_s(const std::string& key) {
  return read_duration_s(origin_, require(key), child(key));
}

double ObjectReader::duration_s_or(const std::string& key, double fallback) {
  return optional_duration_s(key).value_or(fallback);
}

std::optional<double> ObjectReader::optional_duration_s(const std::string& key) {
  const Json* value = find(key);
  if (value == nullptr) return std::nullopt;
  return read_duration_s(origin_, *value, child(key));
}

double ObjectReader::number(const std::string& key, double min, double max) {
  return read_number(origin_, require(key), child(key), min, max);
}

double ObjectReader::number_or(const std::string& key, double fallback, double min, double max) {
  const Json* value = find(key);
  return value == nullptr ? fallback : read_number(origin_, *value, child(key), min, max);
}

long long ObjectReader::integer_or(const std::string& key, long long fallback, long long min, long long max) {
  const Json* value = find(key);
  if (value == nullptr) return fallback;
  std::string expected = "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  if (!value->is_number_integer()) origin_.fail("wrong-type", child(key), expected + ", got " + describe_json(*value));
  long long number = value->get<long long>();
  if (number < min || number > max) origin_.fail("bad-value", child(key), expected + ", got " + describe_json(*value));
  return number;
}

bool ObjectReader::boolean_or(const std::string& key, bool fallback) {
  const Json* value = find(key);
  if (value == nullptr) return fallback;
  if (!value->is_boolean())
    origin_.fail("wrong-type", child(key), "expected true or false, got " + describe_json(*value));
  return value->get<bool>();
}

std::vector<std::string> ObjectReader::string_list(const std::string& key) {
  const Json& value = require(key);
  if (!value.is_array())
    origin_.fail("wrong-type", child(key), "expected a list of strings, got " + describe_json(value));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < value.size(); ++i)
    out.push_back(read_string(origin_, value[i], child(key) + "/" + std::to_string(i)));
  return out;
}

ObjectReader ObjectReader::object(const std::string& key) { return ObjectReader(origin_, require(key), child(key)); }

std::vector<std::pair<std::string, ObjectReader>> ObjectReader::members(const std::string& key) {
  std::vector<std::pair<std::string, ObjectReader>> out;
  const Json* value = find(key);
  if (value == nullptr) return out;
  if (!value->is_object())
    origin_.fail("wrong-type", child(key), "expected an object keyed by name, got " + describe_json(*value));
  for (auto it = value->begin(); it != value->end(); ++it)
    out.emplace_back(it.key(), ObjectReader(origin_, it.value(), pointer_append(child(key), it.key())));
  return out;
}

void ObjectReader::finish() const {
  for (auto it = value_.begin(); it != value_.end(); ++it) {
    if (known_.count(it.key())) continue;
    std::string expected;
    for (const auto& name : known_) expected += (expected.empty() ? "" : ", ") + name;
    origin_.fail("unknown-field", pointer_append(pointer_, it.key()),
                 "unknown field " + quote(it.key()) + " (expected one of: " + expected + ")");
  }
}

} // namespace faultlab::scenario
