// double_charge, unpaid_shipment, charged_not_fulfilled: a shop's orders
// against a payment provider's ledger.
//
// What the history must hold (a faultlab run records all of it; an imported
// history may hold some):
//   settled    the provider's ledger: one op per charge it settled, recorded
//              by the provider when it settled it (key: the order, value: the
//              amount in cents, position: the charge id). Only ok ones count
//              as money taken; an info one may or may not have been taken.
//   charge     the checkout's attempts to charge an order, as the checkout
//              saw them (ok, fail, or info after a timeout).
//   mark_paid, ship, cancel   the order's changes of state in the shop;
//   checkout   the customer's request (ok: the customer was told "paid").
// Amounts are integer cents; they are written as 49.99 without a currency.
#include <algorithm>
#include <map>
#include <set>

#include "check/checker.hpp"
#include "check/describe.hpp"

namespace faultlab::check {
namespace {

using history::Op;
using history::Outcome;

constexpr std::size_t kMaxAttemptsListed = 6;

std::string money(std::int64_t cents) {
  const bool negative = cents < 0;
  const std::uint64_t magnitude =
      negative ? static_cast<std::uint64_t>(-(cents + 1)) + 1 : static_cast<std::uint64_t>(cents);
  const std::uint64_t rest = magnitude % 100;
  return std::string(negative ? "-" : "") + std::to_string(magnitude / 100) + "." + (rest < 10 ? "0" : "") +
         std::to_string(rest);
}

std::string times(std::size_t n) {
  return n == 2 ? "twice" : std::to_string(n) + " times";
}

bool by_completion(const Op* a, const Op* b) {
  return a->complete_s != b->complete_s ? a->complete_s < b->complete_s : a->id < b->id;
}
bool by_invoke(const Op* a, const Op* b) {
  return a->invoke_s != b->invoke_s ? a->invoke_s < b->invoke_s : a->id < b->id;
}

bool marks_paid(const Op& op) {
  return op.f == "mark_paid" || op.f == "ship" || op.f == "checkout";
}

// Everything about one order, each list in time order.
struct OrderOps {
  std::vector<const Op*> settled;       // ok: money taken
  std::vector<const Op*> maybe_settled; // info
  std::vector<const Op*> attempts;      // charge, by invoke
  std::vector<const Op*> paid;          // ok mark_paid / ship / checkout, by completion
  std::vector<const Op*> maybe_paid;    // info mark_paid / ship
  std::vector<const Op*> cancels;       // ok cancel
  std::vector<const Op*> customer;      // checkout ops, any outcome
};

// std::map: orders in a stable order.
std::map<std::string, OrderOps> index_orders(const history::History& history) {
  std::map<std::string, OrderOps> orders;
  for (const Op& op : history.ops) {
    if (op.f == "settled") {
      if (op.outcome == Outcome::ok) orders[op.key].settled.push_back(&op);
      if (op.outcome == Outcome::info) orders[op.key].maybe_settled.push_back(&op);
    } else if (op.f == "charge") {
      orders[op.key].attempts.push_back(&op);
    } else if (marks_paid(op)) {
      if (op.f == "checkout") orders[op.key].customer.push_back(&op);
      if (op.outcome == Outcome::ok) orders[op.key].paid.push_back(&op);
      if (op.outcome == Outcome::info && op.f != "checkout") orders[op.key].maybe_paid.push_back(&op);
    } else if (op.f == "cancel" && op.outcome == Outcome::ok) {
      orders[op.key].cancels.push_back(&op);
    }
  }
  for (auto& [key, o] : orders) {
    (void)key;
    std::sort(o.settled.begin(), o.settled.end(), by_completion);
    std::sort(o.attempts.begin(), o.attempts.end(), by_invoke);
    std::sort(o.paid.begin(), o.paid.end(), by_completion);
    std::sort(o.cancels.begin(), o.cancels.end(), by_completion);
    std::sort(o.customer.begin(), o.customer.end(), by_invoke);
  }
  return orders;
}

std::string charge_id(const Op& settled) {
  return settled.position ? "charge " + std::to_string(*settled.position) : "a charge";
}

std::string describe_attempt(const Op& attempt, std::size_t number) {
  std::string out = "attempt " + std::to_string(number) + " at " + format_time(attempt.invoke_s);
  switch (attempt.outcome) {
  case Outcome::ok:
    return out + " was answered" +
           (attempt.position ? " with charge " + std::to_string(*attempt.position) : std::string(" ok"));
  case Outcome::fail:
    return out + " failed" + (attempt.error.empty() ? "" : " (" + attempt.error + ")");
  case Outcome::info:
    return out + (attempt.error == "timeout"
                      ? " timed out at " + format_time(attempt.complete_s)
                      : " got no answer" + (attempt.error.empty() ? "" : " (" + attempt.error + ")"));
  }
  return out;
}

// "the checkout retried it: attempt 1 ... timed out ..., attempt 2 ..."
std::string describe_attempts(const std::vector<const Op*>& attempts) {
  if (attempts.empty()) return "the history shows no charge attempt for it";
  std::string out = attempts.size() == 1 ? "the checkout sent it once: " : "the checkout retried it: ";
  for (std::size_t i = 0; i < attempts.size() && i < kMaxAttemptsListed; ++i)
    out += (i == 0 ? "" : ", ") + describe_attempt(*attempts[i], i + 1);
  if (attempts.size() > kMaxAttemptsListed)
    out += " and " + std::to_string(attempts.size() - kMaxAttemptsListed) + " more";
  return out;
}

std::string told(const Op& customer) {
  switch (customer.outcome) {
  case Outcome::ok:
    return "told it was paid";
  case Outcome::fail:
    return "told \"" + (customer.error.empty() ? std::string("failed") : customer.error) + "\"";
  case Outcome::info:
    return "left without an answer" + (customer.error.empty() ? std::string() : " (" + customer.error + ")");
  }
  return "";
}

void add_ops(Violation& v, const std::vector<const Op*>& ops, std::size_t limit = 20) {
  for (std::size_t i = 0; i < ops.size() && i < limit; ++i)
    v.ops.push_back(ops[i]->id);
}

} // namespace

std::vector<Violation> check_double_charge(const history::History& history, const CheckOptions& options) {
  (void)options;
  std::vector<Violation> violations;
  for (const auto& [order, o] : index_orders(history)) {
    if (o.settled.size() < 2) continue;
    std::int64_t total = 0;
    std::string charges;
    for (std::size_t i = 0; i < o.settled.size(); ++i) {
      const Op& s = *o.settled[i];
      total += s.value.value_or(0);
      if (i < kMaxAttemptsListed)
        charges += std::string(i == 0                      ? ""
                               : i + 1 == o.settled.size() ? " and "
                                                           : ", ") +
                   charge_id(s) + " of " + money(s.value.value_or(0)) + " at " + format_time(s.complete_s);
    }
    const std::int64_t extra = total - o.settled.front()->value.value_or(0);
    Violation v;
    v.check = "double_charge";
    v.time_s = o.settled[1]->complete_s;
    add_ops(v, o.attempts, kMaxAttemptsListed);
    add_ops(v, o.settled);
    v.message = format_key(order) + " was charged " + times(o.settled.size()) + ": " + charges + ", " +
                money(extra) + " too much (" + money(total) + " in all); " + describe_attempts(o.attempts);
    violations.push_back(std::move(v));
  }
  sort_violations(violations);
  return violations;
}

std::vector<Violation> check_unpaid_shipment(const history::History& history, const CheckOptions& options) {
  (void)options;
  std::vector<Violation> violations;
  for (const auto& [order, o] : index_orders(history)) {
    // An info `settled` may have taken the money: not judged.
    if (o.paid.empty() || !o.settled.empty() || !o.maybe_settled.empty()) continue;
    const Op& first = *o.paid.front();
    const std::string what = first.f == "ship"        ? "shipped"
                             : first.f == "mark_paid" ? "marked paid"
                                                      : "confirmed as paid to " + describe_issuer(first);
    Violation v;
    v.check = "unpaid_shipment";
    v.time_s = first.complete_s;
    add_ops(v, o.paid);
    v.message = format_key(order) + " was " + what + " at " + format_time(first.complete_s) +
                (first.f == "checkout" ? "" : " by " + (first.client.empty() ? "the shop" : first.client)) +
                ", but the provider's ledger has no charge for it: it was never paid for";
    violations.push_back(std::move(v));
  }
  sort_violations(violations);
  return violations;
}

std::vector<Violation> check_charged_not_fulfilled(const history::History& history,
                                                   const CheckOptions& options) {
  double end_s = 0; // the last moment the history knows about
  for (const Op& op : history.ops) {
    end_s = std::max(end_s, op.invoke_s);
    if (op.complete_s != history::kNever) end_s = std::max(end_s, op.complete_s);
  }
  std::vector<Violation> violations;
  for (const auto& [order, o] : index_orders(history)) {
    if (o.settled.empty() || !o.maybe_paid.empty()) continue; // not charged, or maybe paid: not judged
    const Op& charged = *o.settled.front();
    const double due_s = charged.complete_s + options.payment_bound_s;
    const Op* paid = o.paid.empty() ? nullptr : o.paid.front();
    if (paid != nullptr && paid->complete_s <= due_s) continue;
    if (paid == nullptr && end_s < due_s) continue; // the bound has not run out yet
    std::int64_t total = 0;
    for (const Op* s : o.settled)
      total += s->value.value_or(0);
    std::string state;
    if (paid != nullptr)
      state = "it was marked paid only at " + format_time(paid->complete_s);
    else if (!o.cancels.empty())
      state = "it was cancelled at " + format_time(o.cancels.front()->complete_s) + " and never paid";
    else
      state = "it was still unpaid when the history ends at " + format_time(end_s);
    Violation v;
    v.check = "charged_not_fulfilled";
    v.time_s = due_s;
    add_ops(v, o.customer, 2);
    add_ops(v, o.cancels, 2);
    add_ops(v, o.settled);
    v.message = format_key(order) + " was charged " + money(total) + " (" + charge_id(charged) + " at " +
                format_time(charged.complete_s) + ") but not paid within " +
                format_time(options.payment_bound_s) + ": " + state +
                (o.customer.empty() ? "" : "; the customer was " + told(*o.customer.front()));
    violations.push_back(std::move(v));
  }
  sort_violations(violations);
  return violations;
}

} // namespace faultlab::check
