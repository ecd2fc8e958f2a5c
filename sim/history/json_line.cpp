#include "history/json_line.hpp"

#include <charconv>
#include <cmath>

namespace faultlab::history {

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  // Most text needs no escape: append it in one piece, up to the first
  // character that does.
  std::size_t plain = 0;
  while (plain < text.size()) {
    const auto c = static_cast<unsigned char>(text[plain]);
    if (c < 0x20 || c == '"' || c == '\\') break;
    ++plain;
  }
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
  out_.reserve(128);
  out_ += "{\"t\":";
  append_json_number(out_, t);
  out_ += ",\"ev\":";
  append_json_string(out_, ev);
}

void JsonLine::key(std::string_view name) {
  out_ += ',';
  append_json_string(out_, name);
  out_ += ':';
}

JsonLine& JsonLine::str(std::string_view name, std::string_view value) {
  key(name);
  append_json_string(out_, value);
  return *this;
}

JsonLine& JsonLine::num(std::string_view name, double value) {
  key(name);
  append_json_number(out_, value);
  return *this;
}

JsonLine& JsonLine::integer(std::string_view name, std::int64_t value) {
  key(name);
  char buffer[24];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out_.append(buffer, result.ptr);
  return *this;
}

JsonLine& JsonLine::boolean(std::string_view name, bool value) {
  key(name);
  out_ += value ? "true" : "false";
  return *this;
}

JsonLine& JsonLine::raw(std::string_view name, std::string_view json) {
  key(name);
  out_ += json;
  return *this;
}

std::string JsonLine::done() {
  out_ += '}';
  return std::move(out_);
}

} // namespace faultlab::history
