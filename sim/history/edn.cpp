// EDN histories: a small EDN reader (values with their line and column), then
// Jepsen's pairing of invokes and completions per process.
#include "history/edn.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string_view>

#include "util/input_error.hpp"

namespace faultlab::history {
namespace {

// ---- EDN values -------------------------------------------------------------

struct Edn {
  // big_integer: an integer beyond 64 bits (kept as text: an error only where
  // a number is needed, so a big number in a field nobody reads is fine).
  enum class Kind {
    nil, boolean, integer, big_integer, floating, string, keyword, symbol, character, list, vector, map, set, tagged
  };
  Kind kind = Kind::nil;
  bool boolean = false;
  std::int64_t integer = 0;
  std::string text;        // string, keyword (without ':'), symbol, character, tag, number as written
  std::vector<Edn> items;  // collections; a map alternates keys and values; tagged: the value
  std::size_t line = 0, column = 0;
};

// How a value is named in messages: scalars as written, collections by kind.
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

constexpr std::size_t kMaxDepth = 256; // deeper nesting is an error, not a stack overflow

class Reader {
public:
  Reader(const std::string& text, const std::string& name) : text_(text), name_(name) {}

  [[noreturn]] void fail(std::size_t line, std::size_t column, const std::string& what) const {
    throw util::InputError("edn", name_ + ": line " + std::to_string(line) + ", column " + std::to_string(column),
                           what);
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

// ---- Operations -------------------------------------------------------------

const Edn* field(const Edn& map, const char* name) {
  for (std::size_t i = 0; i + 1 < map.items.size(); i += 2) {
    if (map.items[i].kind == Edn::Kind::keyword && map.items[i].text == name) return &map.items[i + 1];
  }
  return nullptr;
}

bool is_pair(const Edn& value) {
  return (value.kind == Edn::Kind::vector || value.kind == Edn::Kind::list) && value.items.size() == 2;
}

// One client event of the file, before pairing.
struct Event {
  const Edn* map;
  std::size_t position; // among all events in the file, nemesis ones included
  std::int64_t process;
  std::string type, f;
  const Edn* value;
  std::optional<double> time_s;
  std::optional<std::int64_t> index;
};

class Builder {
public:
  Builder(const Reader& reader, bool kv) : reader_(reader), kv_(kv) {}

  [[noreturn]] void fail(const Edn& at, const std::string& what) const { reader_.fail(at.line, at.column, what); }

  // Where an integer is needed, one beyond 64 bits is an error.
  void fits(const Edn& value) const {
    if (value.kind == Edn::Kind::big_integer)
      fail(value, "expected an integer that fits in 64 bits, got " + value.text);
  }

  std::optional<Event> read_event(const Edn& map, std::size_t position) const {
    if (map.kind != Edn::Kind::map)
      fail(map, "expected an operation, a map like {:process 0, :type :invoke, :f :read, :value nil}, got " +
                    describe(map));
    Event event{&map, position, 0, "", "", field(map, "value"), std::nullopt, std::nullopt};
    const Edn* process = field(map, "process");
    if (process == nullptr) fail(map, "expected a :process in every operation");
    if (process->kind == Edn::Kind::keyword) return std::nullopt; // :nemesis and friends
    fits(*process);
    if (process->kind != Edn::Kind::integer)
      fail(*process, "expected :process to be an integer (or a keyword like :nemesis), got " + describe(*process));
    event.process = process->integer;

    const Edn* type = field(map, "type");
    if (type == nullptr) fail(map, "expected a :type in every operation");
    event.type = type->text;
    if (type->kind != Edn::Kind::keyword ||
        (event.type != "invoke" && event.type != "ok" && event.type != "fail" && event.type != "info"))
      fail(*type, "expected :type to be :invoke, :ok, :fail or :info, got " + describe(*type));

    const Edn* f = field(map, "f");
    if (f == nullptr) fail(map, "expected an :f in every operation");
    event.f = f->text;
    static const std::set<std::string> known = {"read", "write", "cas", "txn", "acquire", "release"};
    if ((f->kind != Edn::Kind::keyword && f->kind != Edn::Kind::string) || known.count(event.f) == 0)
      fail(*f, "expected :f to be :read, :write, :cas, :txn, :acquire or :release, got " + describe(*f));

    if (const Edn* time = field(map, "time")) {
      fits(*time);
      if (time->kind == Edn::Kind::integer) {
        event.time_s = static_cast<double>(time->integer) / 1e9;
      } else if (time->kind == Edn::Kind::floating) {
        event.time_s = std::strtod(time->text.c_str(), nullptr) / 1e9;
      } else {
        fail(*time, "expected :time to be a number of nanoseconds, got " + describe(*time));
      }
    }
    if (const Edn* index = field(map, "index")) {
      fits(*index);
      if (index->kind != Edn::Kind::integer) fail(*index, "expected :index to be an integer, got " + describe(*index));
      event.index = index->integer;
    }
    return event;
  }

  // A register value: an integer, or nil (absent) where `allow_nil`.
  std::optional<std::int64_t> number(const Edn& value, const std::string& what, bool allow_nil) const {
    fits(value);
    if (value.kind == Edn::Kind::integer) return value.integer;
    if (value.kind == Edn::Kind::nil && allow_nil) return std::nullopt;
    fail(value, "expected " + what + " to be an integer" + (allow_nil ? " or nil" : "") + ", got " + describe(value));
  }

  // Splits a kv tuple into its key and value; a plain value when !kv.
  const Edn* unwrap(const Event& event, std::string* key) const {
    const Edn* value = event.value;
    if (!kv_) return value;
    if (value != nullptr && value->kind == Edn::Kind::tagged && value->items.size() == 1 &&
        value->items[0].kind == Edn::Kind::map) {
      const Edn* k = field(value->items[0], "key");
      const Edn* v = field(value->items[0], "value");
      if (k != nullptr && v != nullptr) {
        read_key(*k, key);
        return v;
      }
    }
    if (value == nullptr || !is_pair(*value)) {
      if (value == nullptr) fail(*event.map, "expected a :value, a [key value] tuple, in every operation of a kv history");
      fail(*value, "expected the :value of a kv operation to be a [key value] tuple, got " + describe(*value));
    }
    read_key(value->items[0], key);
    return &value->items[1];
  }

  void read_key(const Edn& k, std::string* key) const {
    fits(k);
    switch (k.kind) {
    case Edn::Kind::integer:
      *key = std::to_string(k.integer);
      return;
    case Edn::Kind::keyword:
    case Edn::Kind::string:
    case Edn::Kind::symbol:
      *key = k.text;
      return;
    default:
      fail(k, "expected a key (an integer, keyword or string), got " + describe(k));
    }
  }

  // A txn's :value: [[:read :x nil] [:write :y 2] …] (:r and :w too).
  std::vector<TxnStep> read_txn(const Event& event) const {
    const Edn* value = event.value;
    if (value == nullptr) fail(*event.map, "expected a :value, a list of [f key value] steps, in a :txn");
    if (value->kind != Edn::Kind::vector && value->kind != Edn::Kind::list)
      fail(*value, "expected the :value of a :txn to be a list of [f key value] steps, got " + describe(*value));
    std::vector<TxnStep> steps;
    for (const Edn& item : value->items) {
      if ((item.kind != Edn::Kind::vector && item.kind != Edn::Kind::list) || item.items.size() != 3)
        fail(item, "expected a txn step like [:read :x 1] or [:write :x 2], got " + describe(item));
      const Edn& f = item.items[0];
      const bool read = f.kind == Edn::Kind::keyword && (f.text == "read" || f.text == "r");
      const bool write = f.kind == Edn::Kind::keyword && (f.text == "write" || f.text == "w");
      if (!read && !write) fail(f, "expected a txn step's f to be :read or :write, got " + describe(f));
      TxnStep step;
      step.write = write;
      read_key(item.items[1], &step.key);
      step.value = number(item.items[2], write ? "the value of a :write step" : "the value of a :read step", read);
      steps.push_back(std::move(step));
    }
    return steps;
  }

  // The invoke's arguments: a write's value, a cas's [expected new].
  void read_arguments(const Event& invoke, Op& op) const {
    if (op.f == "acquire" || op.f == "release") return; // a lock's ops carry nothing the model needs
    if (op.f == "txn") {
      op.txn = read_txn(invoke);
      return;
    }
    // A read's invoke carries no value ([key nil] in kv histories, or just nil).
    if (op.f == "read" && (invoke.value == nullptr || invoke.value->kind == Edn::Kind::nil)) return;
    const Edn* value = unwrap(invoke, &op.key);
    if (op.f == "read") return;
    if (value == nullptr) fail(*invoke.map, "expected a :value in the invoke of a :" + op.f);
    if (op.f == "write") {
      op.value = number(*value, "the :value of a :write", false);
      return;
    }
    if (!is_pair(*value))
      fail(*value, "expected the :value of a :cas to be [expected new], two integers, got " + describe(*value));
    op.expected = number(value->items[0], "the expected value of a :cas", true);
    op.value = number(value->items[1], "the new value of a :cas", false);
  }

  void read_observed(const Event& completion, Op& op) const {
    if (completion.value == nullptr) fail(*completion.map, "expected a :value (what the read saw) in an :ok read");
    const Edn* value = completion.value;
    if (kv_) {
      std::string key;
      value = unwrap(completion, &key);
      if (op.key.empty()) {
        op.key = key;
      } else if (key != op.key) {
        fail(completion.value->items.empty() ? *completion.value : completion.value->items[0],
             "expected the key " + op.key + ", as in the invoke, got " + key);
      }
    }
    op.value = number(*value, "the :value of an :ok read", true);
  }

private:
  const Reader& reader_;
  bool kv_;
};

std::string at(const Edn& value) {
  return "line " + std::to_string(value.line) + ", column " + std::to_string(value.column);
}

} // namespace

History parse_edn_history(const std::string& text, const std::string& name, bool kv) {
  // A UTF-8 byte order mark, as some editors write, is not part of the history.
  const bool bom = text.compare(0, 3, "\xEF\xBB\xBF") == 0;
  const std::string unmarked = bom ? text.substr(3) : std::string();
  Reader reader(bom ? unmarked : text, name);
  const std::vector<Edn> forms = reader.read_all();
  // A record (#jepsen.history.Op{…}, #knossos.op.Op{…}) is its map.
  auto record = [](const Edn* value) {
    return value->kind == Edn::Kind::tagged && value->items.size() == 1 && value->items[0].kind == Edn::Kind::map
               ? &value->items[0]
               : value;
  };
  std::vector<const Edn*> maps;
  for (const Edn& form : forms) {
    if (form.kind == Edn::Kind::vector || form.kind == Edn::Kind::list) {
      for (const Edn& item : form.items) maps.push_back(record(&item));
    } else {
      maps.push_back(record(&form));
    }
  }
  if (maps.empty())
    reader.fail(reader.line(), reader.column(),
                "expected a history (a vector of operation maps, or one map per line), got no operations");

  const Builder builder(reader, kv);
  std::vector<Event> events;
  bool all_timed = true, all_indexed = true;
  for (std::size_t i = 0; i < maps.size(); ++i) {
    std::optional<Event> event = builder.read_event(*maps[i], i);
    if (!event) continue;
    all_timed = all_timed && event->time_s.has_value();
    all_indexed = all_indexed && event->index.has_value();
    events.push_back(std::move(*event));
  }

  History history;
  std::map<std::int64_t, std::size_t> in_progress; // process -> index in history.ops
  std::map<std::int64_t, const Event*> invoke_of;  // op id -> its invoke
  std::set<std::int64_t> ids;
  auto time_of = [&](const Event& event) {
    return all_timed ? *event.time_s : static_cast<double>(event.position);
  };
  for (const Event& event : events) {
    auto open = in_progress.find(event.process);
    if (event.type == "invoke") {
      if (open != in_progress.end())
        builder.fail(*event.map, "expected a completion for process " + std::to_string(event.process) +
                                     "'s operation invoked at " + at(*invoke_of[history.ops[open->second].id]->map) +
                                     " before its next invoke");
      Op op;
      op.id = all_indexed ? *event.index : static_cast<std::int64_t>(event.position);
      if (!ids.insert(op.id).second)
        builder.fail(*event.map, "expected each :index to be unique, got " + std::to_string(op.id) + " again");
      op.process = event.process;
      op.f = event.f;
      op.invoke_s = time_of(event);
      op.complete_s = kNever;
      op.outcome = Outcome::info;
      op.error = "no completion in the history";
      builder.read_arguments(event, op);
      invoke_of[op.id] = &event;
      in_progress[event.process] = history.ops.size();
      history.ops.push_back(std::move(op));
      continue;
    }
    if (open == in_progress.end())
      builder.fail(*event.map, "expected an invoke before this :" + event.type + " completion: process " +
                                   std::to_string(event.process) + " has no operation in progress");
    Op& op = history.ops[open->second];
    in_progress.erase(open);
    if (event.f != op.f)
      builder.fail(*event.map, "expected :f :" + op.f + ", as in the invoke at " + at(*invoke_of[op.id]->map) +
                                   ", got :" + event.f);
    op.outcome = *outcome_from_string(event.type);
    op.complete_s = std::max(time_of(event), op.invoke_s);
    op.error.clear();
    if (const Edn* error = field(*event.map, "error")) op.error = describe(*error);
    if (op.f == "txn" && op.outcome == Outcome::ok && event.value != nullptr &&
        event.value->kind != Edn::Kind::nil) {
      op.txn = builder.read_txn(event); // the completion says what the reads saw
    }
    if (op.f == "read") {
      if (op.outcome == Outcome::ok) {
        builder.read_observed(event, op);
      } else {
        op.value.reset(); // a read that failed or timed out observed nothing
      }
    }
  }

  std::stable_sort(history.ops.begin(), history.ops.end(), [](const Op& a, const Op& b) {
    return a.invoke_s != b.invoke_s ? a.invoke_s < b.invoke_s : a.id < b.id;
  });
  return history;
}

History read_edn_history(const std::string& path, bool kv) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw util::InputError("no-file", path, "cannot open the file (does it exist?)");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_edn_history(buffer.str(), path, kv);
}

} // namespace faultlab::history
