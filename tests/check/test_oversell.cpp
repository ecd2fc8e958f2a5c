// oversell on hand-made histories: confirmed purchases beyond the stock.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "check/checker.hpp"
#include "history_builder.hpp"

using faultlab::check::check_oversell;
using faultlab::check::CheckOptions;
using faultlab::check::find_checker;
using faultlab::history::Outcome;
using faultlab::testing::HistoryBuilder;
using Ids = std::vector<std::int64_t>;

namespace {
CheckOptions stock(std::map<std::string, std::int64_t> units) {
  CheckOptions options;
  options.stock = std::move(units);
  return options;
}

std::int64_t buy(HistoryBuilder& b, std::int64_t process, const std::string& item, double invoke_s,
                 double complete_s, Outcome outcome = Outcome::ok) {
  return b.op("buy", process, item, std::nullopt, invoke_s, complete_s, outcome);
}
} // namespace

TEST_CASE("oversell: more confirmed purchases than units in stock") {
  HistoryBuilder b;
  for (int i = 0; i < 5; ++i)
    buy(b, i, "sku-1", 1.0 + 0.5 * i, 1.1 + 0.5 * i);
  const auto first_extra = buy(b, 3, "sku-1", 4.0, 4.12);
  const auto second_extra = buy(b, 4, "sku-1", 4.05, 4.2);

  const auto violations = check_oversell(b.build(), stock({{"sku-1", 5}}));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].check == "oversell");
  CHECK(violations[0].time_s == 4.12);
  CHECK(violations[0].ops == Ids{first_extra, second_extra});
  CHECK(violations[0].message ==
        "sku-1 had 5 units in stock, but 7 purchases were confirmed: 2 units were sold "
        "that did not exist (the first extra one to users session 3 at 4.120 s)");
}

TEST_CASE("oversell: the units run out in the order the purchases were confirmed") {
  HistoryBuilder b;
  const auto slow = buy(b, 1, "sku-1", 1.0, 3.0); // invoked first, confirmed last
  buy(b, 2, "sku-1", 2.0, 2.1);
  b.client = "";
  const auto rival = buy(b, 7, "sku-9", 1.0, 1.5);
  buy(b, 8, "sku-9", 1.0, 1.5);

  const auto violations = check_oversell(b.build(), stock({{"sku-1", 1}, {"sku-9", 0}}));
  REQUIRE(violations.size() == 2);
  CHECK(violations[0].ops == Ids{rival, rival + 1});
  CHECK(violations[0].message ==
        "sku-9 had 0 units in stock, but 2 purchases were confirmed: 2 units were sold "
        "that did not exist (the first extra one to process 7 at 1.500 s)");
  CHECK(violations[1].ops == Ids{slow});
  CHECK(violations[1].time_s == 3.0);
  CHECK(violations[1].message == "sku-1 had 1 unit in stock, but 2 purchases were confirmed: 1 unit was sold "
                                 "that did not exist (the first extra one to users session 1 at 3.000 s)");
}

TEST_CASE("oversell: exactly the stock, or extras that failed or timed out, pass") {
  HistoryBuilder b;
  for (int i = 0; i < 3; ++i)
    buy(b, i, "sku-1", 1.0 + i, 1.1 + i);
  CHECK(check_oversell(b.build(), stock({{"sku-1", 3}})).empty());

  buy(b, 5, "sku-1", 5.0, 6.0, Outcome::info); // may or may not have sold: not counted
  buy(b, 6, "sku-1", 5.0, 5.1, Outcome::fail); // sold nothing
  b.op("read", 7, "sku-1", 0, 5.5, 5.6);       // a read is not a purchase
  CHECK(check_oversell(b.build(), stock({{"sku-1", 3}})).empty());

  HistoryBuilder none;
  buy(none, 1, "sku-1", 1.0, 1.1, Outcome::fail);
  CHECK(check_oversell(none.build(), stock({{"sku-1", 0}})).empty());
}

TEST_CASE("oversell: items without a declared stock are not judged") {
  HistoryBuilder b;
  for (int i = 0; i < 4; ++i)
    buy(b, i, "sku-2", 1.0 + i, 1.1 + i);
  b.final_read(-1, "sku-2", -3, 10.0, 10.1);
  CHECK(check_oversell(b.build(), stock({{"sku-1", 1}})).empty());
  CHECK(check_oversell(b.build(), {}).empty());
}

TEST_CASE("oversell: a final stock below zero") {
  HistoryBuilder b;
  for (int i = 0; i < 3; ++i)
    buy(b, i, "sku-1", 1.0 + i, 1.1 + i);
  buy(b, 4, "sku-1", 4.0, 4.5, Outcome::info); // these two did sell, as the final read shows
  buy(b, 5, "sku-1", 4.0, 4.5, Outcome::info);
  b.node = "db-1";
  const auto f = b.final_read(-1, "sku-1", -2, 20.0, 20.1);

  const auto violations = check_oversell(b.build(), stock({{"sku-1", 3}}));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].time_s == 20.0);
  CHECK(violations[0].ops == Ids{f});
  CHECK(violations[0].message == "the stock of sku-1 ended at -2 (read after the run at 20.000 s from db-1): "
                                 "2 units were sold that did not exist");

  HistoryBuilder one;
  one.final_read(-1, "sku-1", -1, 20.0, 20.1);
  CHECK(
      check_oversell(one.build(), stock({{"sku-1", 3}}))[0].message ==
      "the stock of sku-1 ended at -1 (read after the run at 20.000 s): 1 unit was sold that did not exist");
}

TEST_CASE("oversell: final reads at or above zero, or not ok, and normal reads below zero pass") {
  HistoryBuilder b;
  b.final_read(-1, "sku-1", 0, 20.0, 20.1);
  b.final_read(-1, "sku-1", -4, 20.0, 20.1, Outcome::info);
  b.final_read(-1, "sku-1", std::nullopt, 20.0, 20.1);
  b.read(1, "sku-1", -1, 5.0, 5.1); // judged only once the system has settled
  CHECK(check_oversell(b.build(), stock({{"sku-1", 3}})).empty());
}

TEST_CASE("oversell: at most 20 oversold purchases are listed, the first confirmed") {
  HistoryBuilder b;
  Ids ids;
  for (int i = 0; i < 30; ++i)
    ids.push_back(buy(b, i, "sku-1", 1.0, 1.0 + 0.01 * (i + 1)));
  const auto violations = check_oversell(b.build(), stock({{"sku-1", 2}}));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].ops == Ids(ids.begin() + 2, ids.begin() + 22));
  CHECK_THAT(violations[0].message,
             Catch::StartsWith("sku-1 had 2 units in stock, but 30 purchases were confirmed: 28 units"));
  CHECK(find_checker("oversell")->run == &check_oversell);
}
