#include "history/json_line.hpp"

#include <charconv>
#include <cmath>

namespace faultlab::history {

namespace {
// How many characters at the start of `text` JSON takes as they are: most
// text needs no escape and is copied in one piece up to the first that does.
std::size_t plain_prefix(std::string_view text) {
  std::size_t plain = 0;
  while (plain < text.size()) {
    const auto c = static_cast<unsigned char>(text[plain]);
    if (c < 0x20 || c == '"' || c == '\\') break;
    ++plain;
  }
  return plain;
}
} // namespace

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  const std::size_t plain = plain_prefix(text);
  out.append(text.data(), plain);
  for (char c : text.substr(plain)) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    case '\r': out += "\\r"; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        static const char* hex = "0123456789abcdef";
        out += "\\u00";
        out += hex[(c >> 4) & 0xf];
        out += hex[c & 0xf];
      } else {
        out += c;
      }
    }
  }
  out += '"';
}

void append_json_number(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

JsonLine::JsonLine(double t, std::string_view ev) {
  put("{\"t\":", 5);
  char buffer[32];
  if (std::isfinite(t)) {
    auto result = std::to_chars(buffer, buffer + sizeof buffer, t);
    put(buffer, static_cast<std::size_t>(result.ptr - buffer));
  } else {
    put("null", 4);
  }
  put(",\"ev\":", 6);
  string_value(ev);
}

void JsonLine::spill() {
  if (spilled_) return;
  big_.reserve(2 * sizeof small_);
  big_.assign(small_, used_);
  spilled_ = true;
}

void JsonLine::string_value(std::string_view text) {
  // The same bytes as append_json_string, which escapes what follows the
  // plain start.
  const std::size_t plain = plain_prefix(text);
  put('"');
  put(text.data(), plain);
  if (plain < text.size()) {
    std::string escaped;
    append_json_string(escaped, text.substr(plain));
    put(escaped.data() + 1, escaped.size() - 1); // without its opening quote
    return;
  }
  put('"');
}

void JsonLine::key(std::string_view name) {
  put(',');
  string_value(name);
  put(':');
}

JsonLine& JsonLine::str(std::string_view name, std::string_view value) {
  key(name);
  string_value(value);
  return *this;
}

JsonLine& JsonLine::num(std::string_view name, double value) {
  key(name);
  if (!std::isfinite(value)) {
    put("null", 4);
    return *this;
  }
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  put(buffer, static_cast<std::size_t>(result.ptr - buffer));
  return *this;
}

JsonLine& JsonLine::integer(std::string_view name, std::int64_t value) {
  key(name);
  char buffer[24];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  put(buffer, static_cast<std::size_t>(result.ptr - buffer));
  return *this;
}

JsonLine& JsonLine::boolean(std::string_view name, bool value) {
  key(name);
  if (value) put("true", 4);
  else put("false", 5);
  return *this;
}

JsonLine& JsonLine::raw(std::string_view name, std::string_view json) {
  key(name);
  put(json);
  return *this;
}

std::string JsonLine::done() {
  put('}');
  if (spilled_) return std::move(big_);
  return std::string(small_, used_);
}

} // namespace faultlab::history
