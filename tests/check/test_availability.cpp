// availability on hand-made histories: endpoints below their SLO in a window.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "check/checker.hpp"
#include "history_builder.hpp"

using faultlab::check::check_availability;
using faultlab::check::CheckOptions;
using faultlab::check::find_checker;
using faultlab::history::Outcome;
using faultlab::testing::HistoryBuilder;
using Ids = std::vector<std::int64_t>;

namespace {
// Adds `count` requests to `endpoint`, invoked 0.01 s apart from `start_s`;
// returns their ids.
Ids requests(HistoryBuilder& b, const std::string& endpoint, int count, Outcome outcome, double start_s) {
  Ids ids;
  for (int i = 0; i < count; ++i) {
    const double invoke_s = start_s + 0.01 * i;
    ids.push_back(b.op(endpoint, i % 7, "", std::nullopt, invoke_s, invoke_s + 0.005, outcome));
  }
  return ids;
}

Ids concat(Ids a, const Ids& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
} // namespace

TEST_CASE("availability: a window below the SLO, with the requests that failed") {
  HistoryBuilder b;
  requests(b, "feed", 30, Outcome::ok, 20.0);
  const auto failed = requests(b, "feed", 6, Outcome::fail, 21.0);
  const auto timed_out = requests(b, "feed", 4, Outcome::info, 22.0);
  requests(b, "feed", 50, Outcome::ok, 10.0); // an earlier window, all fine

  const auto violations = check_availability(b.build(), {});
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].check == "availability");
  CHECK(violations[0].time_s == 20.0);
  CHECK(violations[0].ops == concat(failed, timed_out));
  CHECK(violations[0].message ==
        "endpoint feed: 75.0% of 40 requests succeeded between 20.000 s and 25.000 s, below its 99.0% SLO");
}

TEST_CASE("availability: windows at or above the SLO pass") {
  HistoryBuilder b;
  requests(b, "feed", 99, Outcome::ok, 0.0);
  requests(b, "feed", 1, Outcome::info, 2.0); // 99.0%: exactly the SLO
  requests(b, "feed", 100, Outcome::ok, 5.0);
  CHECK(check_availability(b.build(), {}).empty());
}

TEST_CASE("availability: windows with too few requests are not judged") {
  HistoryBuilder b;
  requests(b, "feed", 9, Outcome::fail, 0.0);
  CHECK(check_availability(b.build(), {}).empty());
  requests(b, "feed", 1, Outcome::fail, 1.0); // the tenth: now it counts
  const auto violations = check_availability(b.build(), {});
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].message ==
        "endpoint feed: 0.0% of 10 requests succeeded between 0.000 s and 5.000 s, below its 99.0% SLO");

  CheckOptions one;
  one.min_window_ops = 1;
  HistoryBuilder single;
  single.op("feed", 1, "", std::nullopt, 0.5, 0.6, Outcome::fail);
  REQUIRE(check_availability(single.build(), one).size() == 1);
  CHECK(check_availability(single.build(), one)[0].message ==
        "endpoint feed: 0.0% of 1 request succeeded between 0.000 s and 5.000 s, below its 99.0% SLO");
}

TEST_CASE("availability: each endpoint has its own target, and its own windows") {
  HistoryBuilder b;
  requests(b, "search", 60, Outcome::ok, 0.0);
  requests(b, "search", 40, Outcome::fail, 1.0); // 60%: fine for search
  requests(b, "checkout", 98, Outcome::ok, 0.0);
  const auto failed = requests(b, "checkout", 2, Outcome::info, 3.0); // 98%: not for checkout
  requests(b, "checkout", 9, Outcome::ok, 7.0);
  const auto later = requests(b, "checkout", 3, Outcome::fail, 8.0);

  CheckOptions options;
  options.slo = 0.999;
  options.endpoint_slo = {{"search", 0.5}};
  const auto violations = check_availability(b.build(), options);
  REQUIRE(violations.size() == 2);
  CHECK(violations[0].ops == failed);
  CHECK(
      violations[0].message ==
      "endpoint checkout: 98.0% of 100 requests succeeded between 0.000 s and 5.000 s, below its 99.9% SLO");
  CHECK(violations[1].time_s == 5.0);
  CHECK(violations[1].ops == later);
  CHECK(
      violations[1].message ==
      "endpoint checkout: 75.0% of 12 requests succeeded between 5.000 s and 10.000 s, below its 99.9% SLO");
}

TEST_CASE("availability: windows are aligned to the window length, by invoke time") {
  HistoryBuilder b;
  for (int i = 0; i < 10; ++i)
    b.op("feed", 1, "", std::nullopt, 1.9 + 0.01 * i, 2.5, Outcome::ok);
  for (int i = 0; i < 10; ++i)
    b.op("feed", 1, "", std::nullopt, 2.0 + 0.01 * i, 2.5, Outcome::info);
  CheckOptions options;
  options.window_s = 2.0;
  const auto violations = check_availability(b.build(), options);
  REQUIRE(violations.size() == 1); // [0, 2) was all ok; [2, 4) timed out
  CHECK(violations[0].message ==
        "endpoint feed: 0.0% of 10 requests succeeded between 2.000 s and 4.000 s, below its 99.0% SLO");
}

TEST_CASE("availability: rounding never makes a rate look as high as its target") {
  HistoryBuilder b;
  requests(b, "feed", 2474, Outcome::ok, 0.0);
  requests(b, "feed", 26, Outcome::fail, 0.0); // 98.96%
  CheckOptions options;
  options.window_s = 60.0;
  const auto violations = check_availability(b.build(), options);
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].message ==
        "endpoint feed: 98.96% of 2500 requests succeeded between 0.000 s and 60.000 s, below its 99.0% SLO");

  options.slo = 0.9995;
  CHECK_THAT(check_availability(b.build(), options)[0].message, Catch::EndsWith("below its 99.95% SLO"));
}

TEST_CASE("availability: at most 20 ops are listed, the first by id") {
  HistoryBuilder b;
  const auto failed = requests(b, "feed", 50, Outcome::fail, 0.0);
  const auto violations = check_availability(b.build(), {});
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].ops == Ids(failed.begin(), failed.begin() + 20));
  CHECK_THAT(violations[0].message, Catch::StartsWith("endpoint feed: 0.0% of 50 requests succeeded"));
}

TEST_CASE("availability: final reads are not requests") {
  HistoryBuilder b;
  requests(b, "read", 20, Outcome::ok, 0.0);
  for (int i = 0; i < 20; ++i)
    b.final_read(-1, "k", std::nullopt, 1.0, 1.1, Outcome::info);
  CHECK(check_availability(b.build(), {}).empty());
  CHECK(find_checker("availability")->run == &check_availability);
}

TEST_CASE("availability: without a usable window length nothing is judged") {
  HistoryBuilder b;
  requests(b, "feed", 20, Outcome::fail, 0.0);
  CheckOptions options;
  for (const double window_s : {0.0, -5.0, std::numeric_limits<double>::infinity()}) {
    options.window_s = window_s;
    CHECK(check_availability(b.build(), options).empty());
  }
}
