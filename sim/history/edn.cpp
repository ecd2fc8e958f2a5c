// EDN histories: the EDN values (edn_reader.cpp) become ops, then Jepsen's
// pairing of invokes and completions per process.
#include "history/edn.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "history/edn_reader.hpp"
#include "util/input_error.hpp"

namespace faultlab::history {
namespace {

using edn::describe;
using edn::Edn;

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
  Builder(const std::string& name, bool kv) : name_(name), kv_(kv) {}

  [[noreturn]] void fail(const Edn& at, const std::string& what) const { edn::fail_at(name_, at.line, at.column, what); }

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
  const std::string& name_;
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
  const edn::Document document = edn::read_all(bom ? unmarked : text, name);
  const std::vector<Edn>& forms = document.forms;
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
    edn::fail_at(name, document.end_line, document.end_column,
                "expected a history (a vector of operation maps, or one map per line), got no operations");

  const Builder builder(name, kv);
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
