// double_charge, unpaid_shipment, charged_not_fulfilled on hand-made
// histories: the provider's ledger (`settled`), the checkout's attempts
// (`charge`), the order's state (`mark_paid`, `ship`, `cancel`) and the
// customer's request (`checkout`).
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "check/checker.hpp"
#include "history_builder.hpp"

using faultlab::check::check_charged_not_fulfilled;
using faultlab::check::check_double_charge;
using faultlab::check::check_unpaid_shipment;
using faultlab::check::CheckOptions;
using faultlab::check::find_checker;
using faultlab::history::Outcome;
using faultlab::testing::HistoryBuilder;
using Ids = std::vector<std::int64_t>;

namespace {
// The provider settles a charge: an instant op with the charge id as position.
std::int64_t settled(HistoryBuilder& b, std::int64_t customer, const std::string& order, std::int64_t cents,
                     double at_s, std::int64_t charge_id, Outcome outcome = Outcome::ok) {
  b.client = "stripe";
  b.node = "psp";
  const auto id = b.op("settled", customer, order, cents, at_s, at_s, outcome);
  b.history.ops.back().position = charge_id;
  return id;
}
// The checkout's attempt to charge.
std::int64_t attempt(HistoryBuilder& b, std::int64_t customer, const std::string& order, std::int64_t cents,
                     double invoke_s, double complete_s, Outcome outcome, std::int64_t charge_id = 0) {
  b.client = "shop";
  b.node = outcome == Outcome::info ? "" : "psp";
  const auto id = b.op("charge", customer, order,
                       outcome == Outcome::ok ? std::optional<std::int64_t>(cents) : std::nullopt, invoke_s,
                       complete_s, outcome);
  if (outcome == Outcome::info) b.history.ops.back().error = "timeout";
  if (charge_id != 0) b.history.ops.back().position = charge_id;
  return id;
}
std::int64_t state(HistoryBuilder& b, const std::string& f, std::int64_t customer, const std::string& order,
                   std::int64_t cents, double at_s, Outcome outcome = Outcome::ok) {
  b.client = "shop";
  b.node = "shop-1";
  return b.op(f, customer, order, cents, at_s, at_s, outcome);
}
std::int64_t customer_op(HistoryBuilder& b, std::int64_t customer, const std::string& order, double invoke_s,
                         double complete_s, Outcome outcome, const std::string& error = "") {
  b.client = "customers";
  b.node = "shop-1";
  const auto id = b.op("checkout", customer, order, std::nullopt, invoke_s, complete_s, outcome);
  b.history.ops.back().error = error;
  return id;
}
CheckOptions bound(double seconds) {
  CheckOptions options;
  options.payment_bound_s = seconds;
  return options;
}
} // namespace

TEST_CASE("double_charge: a retry without a key charges the order again") {
  HistoryBuilder b;
  const auto a1 = attempt(b, 3, "order-7", 4999, 1.0, 2.0, Outcome::info);
  const auto s1 = settled(b, 3, "order-7", 4999, 3.2, 11);
  const auto a2 = attempt(b, 3, "order-7", 4999, 2.5, 2.9, Outcome::ok, 10);
  const auto s0 = settled(b, 3, "order-7", 4999, 2.8, 10);
  state(b, "mark_paid", 3, "order-7", 4999, 2.9);

  const auto violations = check_double_charge(b.build(), {});
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].check == "double_charge");
  CHECK(violations[0].time_s == 3.2);
  CHECK(violations[0].ops == Ids{a1, a2, s0, s1});
  CHECK(violations[0].message == "order-7 was charged twice: charge 10 of 49.99 at 2.800 s and charge 11 of "
                                 "49.99 at 3.200 s, 49.99 too much "
                                 "(99.98 in all); the checkout retried it: attempt 1 at 1.000 s timed out at "
                                 "2.000 s, attempt 2 at 2.500 s "
                                 "was answered with charge 10");
  CHECK(find_checker("double_charge")->run == &check_double_charge);
  CHECK(std::string(find_checker("double_charge")->needs_component_type) == "payment_provider");
}

TEST_CASE("double_charge: three charges, amounts in whole cents, no attempts in the history") {
  HistoryBuilder b;
  settled(b, 1, "order-1", 5, 1.0, 1);
  settled(b, 1, "order-1", 5, 2.0, 2);
  settled(b, 1, "order-1", 5, 3.0, 3);
  const auto violations = check_double_charge(b.build(), {});
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].message ==
        "order-1 was charged 3 times: charge 1 of 0.05 at 1.000 s, charge 2 of 0.05 at "
        "2.000 s and charge 3 of 0.05 at 3.000 s, 0.10 too much (0.15 in all); the "
        "history shows no charge attempt for it");
}

TEST_CASE("double_charge: one charge per order, replays and info ledger entries pass") {
  HistoryBuilder b;
  attempt(b, 1, "order-1", 2500, 1.0, 2.0, Outcome::info);
  settled(b, 1, "order-1", 2500, 3.0, 1);
  attempt(b, 1, "order-1", 2500, 2.5, 3.1, Outcome::ok, 1); // the key's first result, replayed
  settled(b, 2, "order-2", 2500, 3.0, 2);
  settled(b, 2, "order-2", 2500, 4.0, 0, Outcome::info); // may or may not have been taken: not counted
  attempt(b, 3, "order-3", 100, 1.0, 1.2, Outcome::fail);
  CHECK(check_double_charge(b.build(), {}).empty());
  CHECK(check_double_charge(HistoryBuilder{}.build(), {}).empty());
}

TEST_CASE("unpaid_shipment: an order marked paid or shipped that the ledger never charged") {
  HistoryBuilder b;
  attempt(b, 4, "order-9", 1200, 1.0, 2.0, Outcome::info);
  const auto paid = state(b, "mark_paid", 4, "order-9", 1200, 2.0);
  const auto shipped = state(b, "ship", 4, "order-9", 1200, 5.0);
  const auto told = customer_op(b, 5, "order-10", 1.0, 1.5, Outcome::ok);
  settled(b, 6, "order-11", 700, 1.0, 1);
  state(b, "mark_paid", 6, "order-11", 700, 1.1);

  const auto violations = check_unpaid_shipment(b.build(), {});
  REQUIRE(violations.size() == 2);
  CHECK(violations[0].ops == Ids{told});
  CHECK(violations[0].time_s == 1.5);
  CHECK(violations[0].message == "order-10 was confirmed as paid to customers session 5 at 1.500 s, but the "
                                 "provider's ledger has no charge for it: it was never paid for");
  CHECK(violations[1].ops == Ids{paid, shipped});
  CHECK(violations[1].message ==
        "order-9 was marked paid at 2.000 s by shop, but the provider's ledger has no "
        "charge for it: it was never paid for");
}

TEST_CASE("unpaid_shipment: charged orders, maybe-charged orders and unmarked orders pass") {
  HistoryBuilder b;
  settled(b, 1, "order-1", 700, 3.0, 1);
  state(b, "mark_paid", 1, "order-1", 700, 2.0); // marked before the charge settled, but it did
  settled(b, 2, "order-2", 700, 3.0, 2, Outcome::info);
  state(b, "ship", 2, "order-2", 700, 4.0); // the ledger entry is unknown: not judged
  customer_op(b, 3, "order-3", 1.0, 2.0, Outcome::info, "timeout");
  customer_op(b, 4, "order-4", 1.0, 2.0, Outcome::fail, "card declined");
  state(b, "mark_paid", 5, "order-5", 700, 2.0, Outcome::info);
  CHECK(check_unpaid_shipment(b.build(), {}).empty());
}

TEST_CASE("charged_not_fulfilled: charged, then cancelled") {
  HistoryBuilder b;
  const auto told = customer_op(b, 2, "order-4", 1.0, 2.05, Outcome::fail, "payment failed: no answer");
  attempt(b, 2, "order-4", 1999, 1.0, 2.0, Outcome::info);
  const auto cancelled = state(b, "cancel", 2, "order-4", 1999, 2.0);
  const auto charged = settled(b, 2, "order-4", 1999, 3.5, 8);
  customer_op(b, 9, "order-99", 30.0, 30.1, Outcome::ok); // the history goes on until 30.1 s

  const auto violations = check_charged_not_fulfilled(b.build(), bound(10.0));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].check == "charged_not_fulfilled");
  CHECK(violations[0].time_s == 13.5);
  CHECK(violations[0].ops == Ids{told, cancelled, charged});
  CHECK(violations[0].message == "order-4 was charged 19.99 (charge 8 at 3.500 s) but not paid within 10.000 "
                                 "s: it was cancelled at 2.000 s "
                                 "and never paid; the customer was told \"payment failed: no answer\"");
}

TEST_CASE("charged_not_fulfilled: pending too long, or paid too late") {
  HistoryBuilder b;
  customer_op(b, 1, "order-1", 1.0, 2.0, Outcome::info, "payment pending");
  settled(b, 1, "order-1", 300, 1.5, 1);
  settled(b, 2, "order-2", 300, 1.5, 2);
  state(b, "mark_paid", 2, "order-2", 300, 20.0);
  const auto violations = check_charged_not_fulfilled(b.build(), bound(5.0));
  REQUIRE(violations.size() == 2);
  CHECK(violations[0].message ==
        "order-1 was charged 3.00 (charge 1 at 1.500 s) but not paid within 5.000 s: "
        "it was still unpaid when the history ends at 20.000 s; the customer was left "
        "without an answer (payment pending)");
  CHECK(violations[1].message == "order-2 was charged 3.00 (charge 2 at 1.500 s) but not paid within 5.000 "
                                 "s: it was marked paid only at 20.000 s");
}

TEST_CASE(
    "charged_not_fulfilled: paid within the bound, too recent to judge, maybe paid, or never charged pass") {
  HistoryBuilder b;
  settled(b, 1, "order-1", 300, 1.5, 1);
  state(b, "mark_paid", 1, "order-1", 300, 6.0); // by a webhook, within the bound
  settled(b, 2, "order-2", 300, 18.0, 2);        // charged 2 s before the history ends
  settled(b, 3, "order-3", 300, 1.0, 3);
  state(b, "mark_paid", 3, "order-3", 300, 2.0, Outcome::info); // maybe marked: not judged
  settled(b, 4, "order-4", 300, 1.0, 4, Outcome::info);         // maybe charged: not judged
  state(b, "cancel", 5, "order-5", 300, 1.0);                   // cancelled, never charged
  customer_op(b, 6, "order-6", 1.0, 2.0, Outcome::ok);
  settled(b, 6, "order-6", 300, 1.9, 6);
  customer_op(b, 9, "order-9", 19.0, 20.0, Outcome::fail, "card declined");
  CHECK(check_charged_not_fulfilled(b.build(), bound(5.0)).empty());
}
