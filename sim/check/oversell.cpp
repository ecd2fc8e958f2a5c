// oversell: more purchases of an item were confirmed than there were units
// in stock, or the stock itself ended below zero.
//
// This is the check-then-act race behind oversold concert seats and flash
// sales: two buyers both see "1 left", both get "order confirmed", and the
// shop now owes someone an apology and a refund. Only confirmed (ok) buys
// are counted: a timed-out (info) buy may or may not have sold a unit, so
// counting it could blame a correct shop, and a failed buy sold nothing.
// What the info buys really did shows up in the final stock, which is read
// after the run: below zero there means units were sold that did not exist.
// Items without a declared stock are not judged.
#include <algorithm>
#include <limits>
#include <map>

#include "check/checker.hpp"
#include "check/describe.hpp"

namespace faultlab::check {
namespace {

using history::Op;
using history::Outcome;

constexpr std::size_t kMaxOpsListed = 20;

std::string units(std::int64_t count) {
  return std::to_string(count) + (count == 1 ? " unit" : " units");
}

std::string sold_that_did_not_exist(std::int64_t count) {
  return units(count) + (count == 1 ? " was" : " were") + " sold that did not exist";
}

// `confirmed` are the item's ok buys, by completion; more of them than `in_stock`.
Violation describe_oversold(const std::string& item, std::int64_t in_stock,
                            const std::vector<const Op*>& confirmed) {
  const auto first_extra = static_cast<std::size_t>(in_stock);
  const Op& extra = *confirmed[first_extra];
  Violation violation;
  violation.check = "oversell";
  violation.time_s = extra.complete_s;
  for (std::size_t i = first_extra; i < confirmed.size() && i < first_extra + kMaxOpsListed; ++i)
    violation.ops.push_back(confirmed[i]->id);

  const auto count = static_cast<std::int64_t>(confirmed.size());
  violation.message = format_key(item) + " had " + units(in_stock) + " in stock, but " +
                      std::to_string(count) + (count == 1 ? " purchase was" : " purchases were") +
                      " confirmed: " + sold_that_did_not_exist(count - in_stock) +
                      " (the first extra one to " + describe_issuer(extra) + " at " +
                      format_time(extra.complete_s) + ")";
  return violation;
}

Violation describe_negative(const Op& final_read) {
  const std::int64_t stock = *final_read.value;
  // -stock overflows only for the most negative int64; no real stock gets there.
  const std::int64_t missing =
      stock == std::numeric_limits<std::int64_t>::min() ? std::numeric_limits<std::int64_t>::max() : -stock;
  Violation violation;
  violation.check = "oversell";
  violation.time_s = final_read.invoke_s;
  violation.ops = {final_read.id};
  violation.message = "the stock of " + format_key(final_read.key) + " ended at " + std::to_string(stock) +
                      " (read after the run at " + format_time(final_read.invoke_s) + from_node(final_read) +
                      "): " + sold_that_did_not_exist(missing);
  return violation;
}

} // namespace

std::vector<Violation> check_oversell(const history::History& history, const CheckOptions& options) {
  // The confirmed buys of each declared item. std::map: items in a stable order.
  std::map<std::string, std::vector<const Op*>> confirmed;
  for (const auto& declared : options.stock)
    confirmed.emplace(declared.first, std::vector<const Op*>{});

  std::vector<Violation> violations;
  for (const Op& op : history.ops) {
    const auto item = confirmed.find(op.key);
    if (item == confirmed.end()) continue; // no declared stock: not judged
    if (op.f == "buy" && op.outcome == Outcome::ok) item->second.push_back(&op);
    if (op.is_read() && op.final_read && op.outcome == Outcome::ok && op.value && *op.value < 0)
      violations.push_back(describe_negative(op));
  }

  for (auto& [item, buys] : confirmed) {
    // A negative stock is treated as none: any confirmed buy oversells.
    const std::int64_t in_stock = std::max<std::int64_t>(options.stock.at(item), 0);
    if (static_cast<std::int64_t>(buys.size()) <= in_stock) continue;
    // The units run out in the order the buys were confirmed.
    std::sort(buys.begin(), buys.end(), [](const Op* a, const Op* b) {
      return a->complete_s != b->complete_s ? a->complete_s < b->complete_s : a->id < b->id;
    });
    violations.push_back(describe_oversold(item, in_stock, buys));
  }
  sort_violations(violations);
  return violations;
}

} // namespace faultlab::check
