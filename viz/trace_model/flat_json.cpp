#include "trace_model/flat_json.hpp"

#include <charconv>

namespace faultlab::viz {

namespace {
void skip_ws(std::string_view s, std::size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
    ++i;
}

// A string at s[i] == '"'. Keys with escapes are refused (none in traces);
// values with simple escapes are unescaped, \u escapes are refused.
bool read_string(std::string_view s, std::size_t& i, std::string_view& raw, std::string* out) {
  const std::size_t start = ++i;
  bool escaped = false;
  while (i < s.size() && s[i] != '"') {
    if (static_cast<unsigned char>(s[i]) < 0x20) return false;
    if (s[i] == '\\') {
      escaped = true;
      if (++i >= s.size()) return false;
    }
    ++i;
  }
  if (i >= s.size()) return false;
  raw = s.substr(start, i - start);
  ++i; // closing quote
  if (!out) return !escaped;
  out->clear();
  if (!escaped) {
    out->assign(raw.data(), raw.size());
    return true;
  }
  for (std::size_t k = 0; k < raw.size(); ++k) {
    char c = raw[k];
    if (c == '\\') {
      switch (raw[++k]) {
      case '"':
        c = '"';
        break;
      case '\\':
        c = '\\';
        break;
      case '/':
        c = '/';
        break;
      case 'n':
        c = '\n';
        break;
      case 't':
        c = '\t';
        break;
      case 'r':
        c = '\r';
        break;
      case 'b':
        c = '\b';
        break;
      case 'f':
        c = '\f';
        break;
      default:
        return false; // \uXXXX: leave it to the full parser
      }
    }
    out->push_back(c);
  }
  return true;
}

bool read_scalar(std::string_view s, std::size_t& i, FlatValue& v) {
  auto literal = [&](std::string_view word) {
    if (s.substr(i, word.size()) != word) return false;
    v.raw = s.substr(i, word.size());
    i += word.size();
    return true;
  };
  const char c = s[i];
  if (c == '"') {
    v.type = FlatValue::Type::string;
    return read_string(s, i, v.raw, &v.text);
  }
  if (c == 't' || c == 'f') {
    v.type = FlatValue::Type::boolean;
    v.boolean = c == 't';
    return literal(c == 't' ? "true" : "false");
  }
  if (c == 'n') {
    v.type = FlatValue::Type::null;
    return literal("null");
  }
  if (c != '-' && (c < '0' || c > '9')) return false; // nested value or garbage
  std::size_t end = i;
  bool integral = true;
  while (end < s.size()) {
    const char d = s[end];
    if ((d >= '0' && d <= '9') || d == '-' || d == '+') {
      ++end;
      continue;
    }
    if (d == '.' || d == 'e' || d == 'E') {
      integral = false;
      ++end;
      continue;
    }
    break;
  }
  v.type = FlatValue::Type::number;
  v.raw = s.substr(i, end - i);
  const char* first = s.data() + i;
  const char* last = s.data() + end;
  auto r = std::from_chars(first, last, v.number);
  if (r.ec != std::errc() || r.ptr != last) return false;
  v.is_integer = integral;
  if (integral) {
    auto ri = std::from_chars(first, last, v.integer);
    if (ri.ec != std::errc() || ri.ptr != last) return false; // out of range: full parser
  }
  i = end;
  return true;
}
} // namespace

bool FlatObject::parse(std::string_view s) {
  count_ = 0;
  std::size_t i = 0;
  skip_ws(s, i);
  if (i >= s.size() || s[i] != '{') return false;
  ++i;
  skip_ws(s, i);
  if (i < s.size() && s[i] == '}') return false; // empty: not an event, let the full parser say so
  while (true) {
    skip_ws(s, i);
    if (i >= s.size() || s[i] != '"') return false;
    std::string_view key;
    if (!read_string(s, i, key, nullptr)) return false;
    skip_ws(s, i);
    if (i >= s.size() || s[i] != ':') return false;
    ++i;
    skip_ws(s, i);
    if (i >= s.size()) return false;
    if (count_ == values_.size()) {
      keys_.emplace_back();
      values_.emplace_back();
    }
    keys_[count_] = key;
    if (!read_scalar(s, i, values_[count_])) return false;
    ++count_;
    skip_ws(s, i);
    if (i >= s.size()) return false;
    if (s[i] == ',') {
      ++i;
      continue;
    }
    if (s[i] != '}') return false;
    ++i;
    skip_ws(s, i);
    return i == s.size();
  }
}

const char* flat_type_name(FlatValue::Type t) {
  switch (t) {
  case FlatValue::Type::string:
    return "string";
  case FlatValue::Type::number:
    return "number";
  case FlatValue::Type::boolean:
    return "boolean";
  case FlatValue::Type::null:
    return "null";
  }
  return "?";
}

} // namespace faultlab::viz
