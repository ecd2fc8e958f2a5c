// The EDN reader: values with their line and column (see edn_reader.hpp).
#include "history/edn_reader.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string_view>

#include "util/input_error.hpp"

namespace faultlab::history::edn {
namespace {

constexpr std::size_t kMaxDepth = 256; // deeper nesting is an error, not a stack overflow

class Reader {
public:
  Reader(const std::string& text, const std::string& name) : text_(text), name_(name) {}

  [[noreturn]] void fail(std::size_t line, std::size_t column, const std::string& what) const {
    fail_at(name_, line, column, what);
  }

  // Every top-level form in the text.
  std::vector<Edn> read_all() {
    std::vector<Edn> forms;
    skip_space();
    while (pos_ < text_.size()) {
      forms.push_back(read_form(0));
      skip_space();
    }
    return forms;
  }

  std::size_t line() const { return line_; }
  std::size_t column() const { return column_; }

private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }
  char take() {
    const char c = text_[pos_++];
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    return c;
  }

  static bool is_symbol_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) != 0 || u >= 0x80 || std::string_view(".*+!-_?$%&=<>/':#").find(c) != std::string_view::npos;
  }

  std::string describe_next() const {
    if (at_end()) return "the end of the file";
    const char c = peek();
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "a control character";
    return std::string("'") + c + "'";
  }

  void skip_space(std::size_t depth = 0) {
    while (!at_end()) {
      const char c = peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == '\f') {
        take();
      } else if (c == ';') {
        while (!at_end() && peek() != '\n') take();
      } else if (c == '#' && peek(1) == '_') { // #_ discards the next form
        if (depth > kMaxDepth)
          fail(line_, column_, "expected at most " + std::to_string(kMaxDepth) + " levels of nesting");
        take();
        take();
        skip_space(depth + 1);
        if (at_end()) fail(line_, column_, "expected a form to discard after #_, got the end of the file");
        read_form(depth + 1);
      } else {
        return;
      }
    }
  }

  std::string read_token() {
    std::string token;
    while (!at_end() && is_symbol_char(peek())) token += take();
    return token;
  }

  Edn read_form(std::size_t depth) {
    if (depth > kMaxDepth)
      fail(line_, column_, "expected at most " + std::to_string(kMaxDepth) + " levels of nesting");
    Edn value;
    value.line = line_;
    value.column = column_;
    const char c = peek();
    if (c == '(' || c == '[' || c == '{') {
      take();
      value.kind = c == '(' ? Edn::Kind::list : c == '[' ? Edn::Kind::vector : Edn::Kind::map;
      read_items(value, c == '(' ? ')' : c == '[' ? ']' : '}', depth);
    } else if (c == '#' && peek(1) == '{') {
      take();
      take();
      value.kind = Edn::Kind::set;
      read_items(value, '}', depth);
    } else if (c == '#' && peek(1) == '#') { // ##Inf, ##-Inf, ##NaN
      take();
      take();
      value.kind = Edn::Kind::floating;
      value.text = "##" + read_token();
      if (value.text != "##Inf" && value.text != "##-Inf" && value.text != "##NaN")
        fail(value.line, value.column, "expected ##Inf, ##-Inf or ##NaN, got " + value.text);
    } else if (c == '#' && std::isalpha(static_cast<unsigned char>(peek(1))) != 0) {
      take();
      value.kind = Edn::Kind::tagged;
      value.text = read_token();
      skip_space(depth + 1);
      if (at_end()) fail(line_, column_, "expected a value after the tag #" + value.text + ", got the end of the file");
      value.items.push_back(read_form(depth + 1));
    } else if (c == '"') {
      take();
      value.kind = Edn::Kind::string;
      read_string(value);
    } else if (c == ':') {
      take();
      value.kind = Edn::Kind::keyword;
      value.text = read_token();
      if (value.text.empty()) fail(value.line, value.column, "expected a keyword name after ':', got " + describe_next());
    } else if (c == '\\') {
      take();
      value.kind = Edn::Kind::character;
      value.text = read_token();
      if (value.text.empty() && !at_end()) value.text = std::string(1, take());
      if (value.text.empty()) fail(value.line, value.column, "expected a character after '\\', got the end of the file");
    } else if (std::isdigit(static_cast<unsigned char>(c)) != 0 ||
               ((c == '-' || c == '+') && std::isdigit(static_cast<unsigned char>(peek(1))) != 0)) {
      read_number(value);
    } else if (is_symbol_char(c) && c != '#') {
      const std::string token = read_token();
      if (token == "nil") {
        value.kind = Edn::Kind::nil;
      } else if (token == "true" || token == "false") {
        value.kind = Edn::Kind::boolean;
        value.boolean = token == "true";
      } else {
        value.kind = Edn::Kind::symbol;
        value.text = token;
      }
    } else {
      fail(line_, column_, "expected a value, got " + describe_next());
    }
    return value;
  }

  void read_items(Edn& value, char close, std::size_t depth) {
    const char* what = value.kind == Edn::Kind::list     ? "list"
                       : value.kind == Edn::Kind::vector ? "vector"
                       : value.kind == Edn::Kind::map    ? "map"
                                                         : "set";
    for (;;) {
      skip_space(depth + 1);
      if (at_end())
        fail(line_, column_, std::string("expected '") + close + "' to close the " + what + " opened at line " +
                                 std::to_string(value.line) + ", column " + std::to_string(value.column) +
                                 ", got the end of the file");
      if (peek() == close) {
        take();
        break;
      }
      if (peek() == ')' || peek() == ']' || peek() == '}')
        fail(line_, column_, std::string("expected '") + close + "' to close the " + what + " opened at line " +
                                 std::to_string(value.line) + ", column " + std::to_string(value.column) + ", got " +
                                 describe_next());
      value.items.push_back(read_form(depth + 1));
    }
    if (value.kind == Edn::Kind::map && value.items.size() % 2 != 0) {
      const Edn& key = value.items.back();
      fail(key.line, key.column, "expected a value for the key " + describe(key) + " in the map opened at line " +
                                     std::to_string(value.line) + ", column " + std::to_string(value.column));
    }
  }

  void read_string(Edn& value) {
    for (;;) {
      if (at_end())
        fail(value.line, value.column, "expected a closing '\"' for the string that starts here, got the end of the file");
      const char c = take();
      if (c == '"') return;
      if (c != '\\') {
        value.text += c;
        continue;
      }
      if (at_end()) continue; // reported as unterminated on the next turn
      const char escaped = take();
      switch (escaped) {
      case 'n':
        value.text += '\n';
        break;
      case 't':
        value.text += '\t';
        break;
      case 'r':
        value.text += '\r';
        break;
      default: // \" \\ and anything else (\uXXXX is kept as written)
        if (escaped == 'u') value.text += '\\';
        value.text += escaped;
      }
    }
  }

  void read_number(Edn& value) {
    const std::size_t line = line_, column = column_;
    std::string token = read_token();
    value.text = token;
    // 5N is an arbitrary-precision integer, 1.5M and 1e3M arbitrary-precision decimals.
    bool floating = token.find_first_of(".eE") != std::string::npos;
    if (!token.empty() && (token.back() == 'N' || token.back() == 'M')) {
      floating = floating || token.back() == 'M';
      token.pop_back();
    }
    errno = 0;
    char* end = nullptr;
    if (floating) {
      std::strtod(token.c_str(), &end);
      if (token.empty() || end != token.c_str() + token.size()) fail(line, column, "expected a number, got " + value.text);
      value.kind = Edn::Kind::floating;
      return;
    }
    const long long parsed = std::strtoll(token.c_str(), &end, 10);
    if (token.empty() || end != token.c_str() + token.size()) fail(line, column, "expected a number, got " + value.text);
    value.kind = errno == ERANGE ? Edn::Kind::big_integer : Edn::Kind::integer;
    value.integer = parsed;
  }

  const std::string& text_;
  const std::string& name_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1, column_ = 1;
};

} // namespace

std::string describe(const Edn& value) {
  switch (value.kind) {
  case Edn::Kind::nil:
    return "nil";
  case Edn::Kind::boolean:
    return value.boolean ? "true" : "false";
  case Edn::Kind::integer:
    return std::to_string(value.integer);
  case Edn::Kind::big_integer:
  case Edn::Kind::floating:
  case Edn::Kind::symbol:
    return value.text;
  case Edn::Kind::string:
    return util::quote(value.text);
  case Edn::Kind::keyword:
    return ":" + value.text;
  case Edn::Kind::character:
    return "the character \\" + value.text;
  case Edn::Kind::list:
    return "a list";
  case Edn::Kind::vector:
    return "a vector";
  case Edn::Kind::map:
    return "a map";
  case Edn::Kind::set:
    return "a set";
  case Edn::Kind::tagged:
    return "#" + value.text;
  }
  return "a value";
}

void fail_at(const std::string& name, std::size_t line, std::size_t column, const std::string& what) {
  throw util::InputError("edn", name + ": line " + std::to_string(line) + ", column " + std::to_string(column), what);
}

Document read_all(const std::string& text, const std::string& name) {
  Reader reader(text, name);
  Document document;
  document.forms = reader.read_all();
  document.end_line = reader.line();
  document.end_column = reader.column();
  return document;
}

} // namespace faultlab::history::edn
