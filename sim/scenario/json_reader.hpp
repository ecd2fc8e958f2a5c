// Typed, path-aware reading of a scenario's JSON.
//
// Every accessor knows the JSON pointer of what it reads, so any problem is
// reported as one InputError naming the file, the path and what was
// expected. Objects remember which fields were read; finish() turns any
// other field into an "unknown field" error, so typos never pass silently.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace faultlab::scenario {

using Json = nlohmann::ordered_json;

class Probe; // schema.hpp: runs the readers to record what they ask for

// Where the document being read came from, to point errors at the right
// place: the base file, a variant's patch, or a --set override.
struct Origin {
  std::string file;
  std::string variant;        // "" when no variant was applied
  const Json* patch = nullptr; // the variant's merge patch
  std::vector<std::string> set_pointers; // JSON pointers overridden by --set
  std::vector<std::string> set_texts;    // the matching --set arguments
  // Set only while `faultlab schema` runs the readers over no document to
  // record the fields they ask for (schema.cpp); null for every real load.
  Probe* probe = nullptr;

  // "/components/db/lag", "/variants/fixed/components/db/lag" or
  // "--set components.db.lag=..." depending on where the value came from.
  std::string locate(const std::string& pointer) const;
  [[noreturn]] void fail(const std::string& id, const std::string& pointer, const std::string& what) const;
};

std::string describe_json(const Json& value); // short rendering for messages
std::string pointer_append(const std::string& pointer, const std::string& key);

// The JSON Schema of a field the reader takes apart by hand (a value that
// is a duration or an object, a map of numbers...), for `faultlab schema`.
// `schema` may hold {"$probe": ""} where the object read below this field
// goes ({"$probe": "0"}: the object read from its first list item);
// `example` is a value the hand-written code accepts, handed to it instead
// of the field when the schema is recorded (null: the field is absent then).
struct Shape {
  Json schema;
  Json example;
};

class ObjectReader {
public:
  ObjectReader(const Origin& origin, const Json& value, std::string pointer);

  const std::string& pointer() const { return pointer_; }
  std::string child(const std::string& key) const { return pointer_append(pointer_, key); }
  bool has(const std::string& key) const;
  // Marks the field as known; returns it or nullptr when absent.
  const Json* find(const std::string& key);
  const Json& require(const std::string& key);
  // The same, for a field read by hand: `shape` says what it holds.
  const Json* find(const std::string& key, const Shape& shape);
  const Json& require(const std::string& key, const Shape& shape);
  // Marks fields as known without reading them (documentation-only fields).
  void allow(const std::string& key) { known_.insert(key); }

  std::string string(const std::string& key);
  std::string string_or(const std::string& key, const std::string& fallback);
  std::string choice(const std::string& key, const std::vector<std::string>& options,
                     const std::string& fallback);
  // A choice that decides which other fields the object has (a fault's or a
  // component's "type"); the schema gives each option its own fields.
  std::string kind(const std::string& key, const std::vector<std::string>& options,
                   const std::string& fallback = "");
  double duration_s(const std::string& key);
  double duration_s_or(const std::string& key, double fallback);
  std::optional<double> optional_duration_s(const std::string& key);
  double number_or(const std::string& key, double fallback, double min, double max);
  double number(const std::string& key, double min, double max);
  long long integer_or(const std::string& key, long long fallback, long long min, long long max);
  bool boolean_or(const std::string& key, bool fallback);
  std::vector<std::string> string_list(const std::string& key);
  ObjectReader object(const std::string& key);
  // Each member of an object keyed by name, in file order.
  std::vector<std::pair<std::string, ObjectReader>> members(const std::string& key);
  // Members whose names come from a registry (checker names, metrics): the
  // same as members(); the schema lists `names` as the fields.
  std::vector<std::pair<std::string, ObjectReader>> named_members(const std::string& key,
                                                                  const std::vector<std::string>& names);
  // One sentence per field for the schema (editors show it); costs nothing
  // when a file is read.
  void describe(std::initializer_list<std::pair<const char*, const char*>> fields);

  // Errors on any field that no accessor asked for.
  void finish() const;

  const Origin& origin() const { return origin_; }
  bool probing() const { return origin_.probe != nullptr; }

private:
  // What the probe records of one accessor call (schema.cpp).
  void record(const std::string& key, Json schema, bool required);

  const Origin& origin_;
  const Json& value_;
  std::string pointer_;
  std::set<std::string> known_;
};

// Value readers usable on any element (array items, map values).
double read_duration_s(const Origin& origin, const Json& value, const std::string& pointer);
std::string read_string(const Origin& origin, const Json& value, const std::string& pointer);
double read_number(const Origin& origin, const Json& value, const std::string& pointer, double min,
                   double max);

} // namespace faultlab::scenario
