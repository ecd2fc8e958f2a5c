// Field access for one trace line, over the full parser (nlohmann::json) or
// the fast flat reader. Both turn a missing or mistyped field into a
// TraceError naming the file and line, with the same words. Internal to load.cpp.
#pragma once

#include "trace_model/flat_json.hpp"
#include "trace_model/load.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace faultlab::viz::detail {

using nlohmann::json;

inline std::string type_name(const json& j) {
  return j.is_null() ? "null" : j.type_name();
}

// Field access (full parser) that turns a missing or mistyped field into a line-numbered error.
class Line { // over nlohmann::json
public:
  Line(const json& j, const std::string& where) : j_(j), where_(where) {}

  [[noreturn]] void fail(const std::string& what) const { throw TraceError(where_ + ": " + what); }

  const json* find(const char* key) const {
    auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  double number(const char* key) const {
    const json* v = find(key);
    if (!v) fail(std::string("missing field \"") + key + "\"");
    if (!v->is_number()) fail(std::string("field \"") + key + "\" should be a number, got " + type_name(*v));
    return v->get<double>();
  }
  std::int64_t integer(const char* key) const {
    const json* v = find(key);
    if (!v) fail(std::string("missing field \"") + key + "\"");
    if (!v->is_number_integer())
      fail(std::string("field \"") + key + "\" should be an integer, got " + type_name(*v));
    return v->get<std::int64_t>();
  }
  std::int64_t integer_or(const char* key, std::int64_t fallback) const {
    return find(key) ? integer(key) : fallback;
  }
  double number_or(const char* key, double fallback) const { return find(key) ? number(key) : fallback; }
  std::string string(const char* key) const {
    const json* v = find(key);
    if (!v) fail(std::string("missing field \"") + key + "\"");
    if (!v->is_string()) fail(std::string("field \"") + key + "\" should be a string, got " + type_name(*v));
    return v->get<std::string>();
  }
  std::string string_or(const char* key, const std::string& fallback = {}) const {
    return find(key) ? string(key) : fallback;
  }
  // Any JSON value as display text: strings bare, everything else dumped.
  std::string text_or(const char* key) const {
    const json* v = find(key);
    if (!v) return {};
    return v->is_string() ? v->get<std::string>() : v->dump();
  }
  bool flag(const char* key) const {
    const json* v = find(key);
    return v && v->is_boolean() && v->get<bool>();
  }
  std::vector<std::string> strings_or(const json& parent, const char* key) const {
    std::vector<std::string> out;
    auto it = parent.find(key);
    if (it == parent.end() || !it->is_array()) return out;
    for (const auto& s : *it)
      if (s.is_string()) out.push_back(s.get<std::string>());
    return out;
  }

private:
  const json& j_;
  const std::string& where_;
};

// The same accessors over a FlatObject: the fast path for flat event lines.
class FlatLine {
public:
  FlatLine(const FlatObject& o, const std::string& where) : o_(o), where_(where) {}

  [[noreturn]] void fail(const std::string& what) const { throw TraceError(where_ + ": " + what); }
  const FlatValue* find(const char* key) const { return o_.find(key); }
  double number(const char* key) const {
    const FlatValue* v = need(key);
    if (v->type != FlatValue::Type::number) wrong(key, "a number", *v);
    return v->number;
  }
  std::int64_t integer(const char* key) const {
    const FlatValue* v = need(key);
    if (v->type != FlatValue::Type::number || !v->is_integer) wrong(key, "an integer", *v);
    return v->integer;
  }
  std::int64_t integer_or(const char* key, std::int64_t fallback) const {
    return find(key) ? integer(key) : fallback;
  }
  double number_or(const char* key, double fallback) const { return find(key) ? number(key) : fallback; }
  std::string string(const char* key) const {
    const FlatValue* v = need(key);
    if (v->type != FlatValue::Type::string) wrong(key, "a string", *v);
    return v->text;
  }
  std::string string_or(const char* key, const std::string& fallback = {}) const {
    return find(key) ? string(key) : fallback;
  }
  std::string text_or(const char* key) const {
    const FlatValue* v = find(key);
    if (!v) return {};
    return v->type == FlatValue::Type::string ? v->text : std::string(v->raw);
  }
  bool flag(const char* key) const {
    const FlatValue* v = find(key);
    return v && v->type == FlatValue::Type::boolean && v->boolean;
  }

private:
  const FlatValue* need(const char* key) const {
    const FlatValue* v = find(key);
    if (!v) fail(std::string("missing field \"") + key + "\"");
    return v;
  }
  [[noreturn]] void wrong(const char* key, const char* expected, const FlatValue& v) const {
    const char* got = v.type == FlatValue::Type::number ? "number" : flat_type_name(v.type);
    fail(std::string("field \"") + key + "\" should be " + expected + ", got " + got);
  }
  const FlatObject& o_;
  const std::string& where_;
};

} // namespace faultlab::viz::detail
