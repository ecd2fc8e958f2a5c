// value_corruption: a value read back end to end is not the value written.
//
// What the history must hold (an order_api records it):
//   stored    what the system of record wrote, one op per value, key
//             "<record>/<field>=<value as text>", e.g. "order-3/total=59.97"
//   received  what a client holds after reading it back (parsed from the
//             wire and printed as the client prints it), same key form,
//             e.g. "order-3/total=59.970000000000006"
// Values are compared as decimal numbers when both are (59.90 equals 59.9),
// else as text. Only ok ops count; a received value with no stored one is
// not judged.
#include "check/checker.hpp"
#include "check/describe.hpp"

#include <map>

namespace faultlab::check {
namespace {

using history::Op;
using history::Outcome;

struct Field {
  std::string name;  // "order-3/total"
  std::string value; // "59.97"
};

bool split(const std::string& key, Field& field) {
  const std::size_t eq = key.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  field.name = key.substr(0, eq);
  field.value = key.substr(eq + 1);
  return true;
}

bool is_decimal(const std::string& text) {
  std::size_t i = text[0] == '-' || text[0] == '+' ? 1 : 0;
  bool digits = false, point = false;
  for (; i < text.size(); ++i) {
    if (text[i] >= '0' && text[i] <= '9') digits = true;
    else if (text[i] == '.' && !point) point = true;
    else return false;
  }
  return digits;
}

// "059.90" -> "59.9", "-0.0" -> "0", "+7" -> "7".
std::string canonical(const std::string& text) {
  if (text.empty() || !is_decimal(text)) return text;
  bool negative = text[0] == '-';
  std::string body = text[0] == '-' || text[0] == '+' ? text.substr(1) : text;
  if (body.find('.') != std::string::npos) {
    while (body.back() == '0') body.pop_back();
    if (body.back() == '.') body.pop_back();
  }
  std::size_t lead = 0;
  while (lead + 1 < body.size() && body[lead] == '0' && body[lead + 1] != '.') ++lead;
  body = body.substr(lead);
  if (body.empty() || body == "0") return "0";
  return (negative ? "-" : "") + body;
}

bool is_big_integer(const std::string& text) {
  // above 2^53 = 9007199254740992: not every integer has a double
  const std::string c = canonical(text);
  if (c.find('.') != std::string::npos || c[0] == '-') return false;
  return c.size() > 16 || (c.size() == 16 && c > "9007199254740992");
}

} // namespace

std::vector<Violation> check_value_corruption(const history::History& history, const CheckOptions& options) {
  (void)options;
  std::map<std::string, const Op*> written; // field -> its stored op (the last one)
  for (const Op& op : history.ops) {
    Field field;
    if (op.f == "stored" && op.outcome == Outcome::ok && split(op.key, field)) written[field.name] = &op;
  }
  std::vector<Violation> violations;
  for (const Op& op : history.ops) {
    Field read;
    if (op.f != "received" || op.outcome != Outcome::ok || !split(op.key, read)) continue;
    auto it = written.find(read.name);
    if (it == written.end()) continue;
    Field wrote;
    split(it->second->key, wrote);
    if (canonical(wrote.value) == canonical(read.value)) continue;
    Violation v;
    v.check = "value_corruption";
    v.time_s = op.invoke_s;
    v.ops = {it->second->id, op.id};
    const std::size_t slash = read.name.rfind('/');
    const std::string what = slash == std::string::npos
                                 ? read.name
                                 : read.name.substr(0, slash) + "'s " + read.name.substr(slash + 1);
    std::string why;
    if (is_big_integer(wrote.value))
      why = " (above 2^53 = 9007199254740992 not every integer has a double: a client that reads JSON numbers into "
            "doubles holds the nearest one, and prints it with the fewest digits that identify it)";
    else if (canonical(wrote.value).find('.') != std::string::npos)
      why = " (binary floating point cannot hold most decimal fractions exactly; arithmetic on them shows it)";
    v.message = what + " was written as " + wrote.value + " and read back as " + read.value + " by " +
                describe_issuer(op) + why;
    violations.push_back(std::move(v));
  }
  sort_violations(violations);
  return violations;
}

} // namespace faultlab::check
