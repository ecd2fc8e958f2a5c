// outside_local_window and wrong_day_report on hand-made histories: a
// billing's renewals (`renewal`), its stored rows (`charged`) and its daily
// reports (`daily_report` with its `report_row`s), judged in local time.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "check/checker.hpp"
#include "check/local_time.hpp"
#include "history_builder.hpp"

using faultlab::check::check_outside_local_window;
using faultlab::check::check_wrong_day_report;
using faultlab::check::CheckOptions;
using faultlab::check::find_checker;
using faultlab::history::Outcome;
using faultlab::testing::HistoryBuilder;
namespace lt = faultlab::check::local_time;
using Ids = std::vector<std::int64_t>;

namespace {
constexpr double kHourS = 3600.0;

// Time 0 is 2026-03-02 00:00 UTC; ny-1 lives at UTC-5, tokyo-1 at UTC+9;
// reports are about New York days.
CheckOptions options() {
  CheckOptions o;
  o.start_day = lt::days_from_civil(2026, 3, 2);
  o.customer_zones["ny-1"] = {"America/New_York", -5 * kHourS};
  o.customer_zones["tokyo-1"] = {"Asia/Tokyo", 9 * kHourS};
  o.local_window_from_s = 8 * kHourS;
  o.local_window_to_s = 20 * kHourS;
  o.report_zone = {"America/New_York", -5 * kHourS};
  return o;
}

std::int64_t renewal(HistoryBuilder& b, const std::string& customer, double at_s, Outcome outcome = Outcome::ok) {
  b.client = "billing";
  return b.op("renewal", 1, customer, 1500, at_s, at_s + 0.3, outcome);
}
std::int64_t charged(HistoryBuilder& b, const std::string& customer, double at_s) {
  b.client = "billing";
  return b.op("charged", 1, customer, 1500, at_s, at_s);
}
std::int64_t report(HistoryBuilder& b, std::int64_t number, const std::string& date, double at_s,
                    const std::vector<std::int64_t>& rows) {
  b.client = "billing";
  const auto id = b.op("daily_report", number, date, 1500 * static_cast<std::int64_t>(rows.size()), at_s, at_s);
  for (std::int64_t row : rows) b.op("report_row", number, "ny-1", row, at_s, at_s);
  return id;
}
} // namespace

TEST_CASE("local_time: dates and times of day convert both ways", "[local_time]") {
  CHECK(lt::format_date(lt::days_from_civil(2026, 3, 2)) == "2026-03-02");
  CHECK(lt::format_date(lt::days_from_civil(2024, 2, 29)) == "2024-02-29");
  CHECK(lt::parse_date("2026-02-30") == std::nullopt);
  CHECK(lt::parse_date("2026-3-2") == std::nullopt);
  CHECK(lt::parse_date("1970-01-01") == std::int64_t{0});
  CHECK(lt::parse_time_of_day("09:00") == 9 * kHourS);
  CHECK(lt::parse_time_of_day("24:00") == std::nullopt);
  CHECK(lt::format_offset(-5 * kHourS) == "UTC-05:00");
  CHECK(lt::format_offset(5.5 * kHourS) == "UTC+05:30");
  // 09:00 UTC on day 1 is 04:00 the same day in New York, 18:00 in Tokyo.
  const auto start = lt::days_from_civil(2026, 3, 2);
  CHECK(lt::format_local(lt::to_local(33 * kHourS, start, -5 * kHourS)) == "2026-03-03 04:00:00");
  CHECK(lt::format_local(lt::to_local(33 * kHourS, start, 9 * kHourS)) == "2026-03-03 18:00:00");
  // 01:00 UTC on day 1 is still the day before in New York.
  CHECK(lt::format_local(lt::to_local(25 * kHourS, start, -5 * kHourS)) == "2026-03-02 20:00:00");
}

TEST_CASE("outside_local_window: a renewal at 04:00 the customer's time is found", "[outside_local_window]") {
  HistoryBuilder b;
  const auto early = renewal(b, "ny-1", 33 * kHourS); // 09:00 UTC = 04:00 in New York
  const auto fine = renewal(b, "tokyo-1", 33 * kHourS); // 18:00 in Tokyo
  (void)fine;
  const auto v = check_outside_local_window(b.build(), options());
  REQUIRE(v.size() == 1);
  CHECK(v[0].check == "outside_local_window");
  CHECK(v[0].ops == Ids{early});
  CHECK(v[0].time_s == 33 * kHourS);
  CHECK(v[0].message ==
        "billing charged ny-1 (America/New_York, UTC-05:00) at 2026-03-03 04:00:00 their time (2026-03-03 09:00:00 "
        "UTC), outside the allowed hours 08:00-20:00");
}

TEST_CASE("outside_local_window: renewals at 09:00 local pass, failed ones are not judged", "[outside_local_window]") {
  HistoryBuilder b;
  renewal(b, "ny-1", 38 * kHourS);    // 09:00 in New York
  renewal(b, "tokyo-1", 24 * kHourS); // 09:00 in Tokyo
  renewal(b, "ny-1", 30 * kHourS, Outcome::fail); // 01:00, but nothing was charged
  renewal(b, "someone-else", 30 * kHourS);        // no zone known: not judged
  CHECK(check_outside_local_window(b.build(), options()).empty());
}

TEST_CASE("outside_local_window: the window's edges, and an info renewal", "[outside_local_window]") {
  HistoryBuilder b;
  renewal(b, "ny-1", 13 * kHourS);                     // 08:00:00 local: allowed
  const auto late = renewal(b, "ny-1", 25 * kHourS);   // 20:00:00 local: not (to is exclusive)
  const auto info = renewal(b, "ny-1", 50 * kHourS, Outcome::info); // 21:00: may have charged
  const auto v = check_outside_local_window(b.build(), options());
  REQUIRE(v.size() == 2);
  CHECK(v[0].ops == Ids{late});
  CHECK(v[1].ops == Ids{info});
  CHECK(v[1].message.find("the charge timed out, it may have gone through") != std::string::npos);
}

TEST_CASE("wrong_day_report: a UTC-day report takes the previous New York evening", "[wrong_day_report]") {
  HistoryBuilder b;
  // 2026-03-03: 01:00 UTC is 20:00 on 03-02 in New York; 23:00 UTC is 18:00 on 03-03.
  const auto evening_before = charged(b, "ny-1", 25 * kHourS);
  const auto own = charged(b, "ny-1", 47 * kHourS);
  // 2026-03-04 02:00 UTC is 21:00 on 03-03 in New York: its day, not in the UTC day.
  const auto own_evening = charged(b, "ny-1", 50 * kHourS);
  const auto r = report(b, 1, "2026-03-03", 48.5 * kHourS, {evening_before, own});
  const auto v = check_wrong_day_report(b.build(), options());
  REQUIRE(v.size() == 1);
  CHECK(v[0].check == "wrong_day_report");
  CHECK(v[0].ops == Ids{evening_before, own_evening, r});
  CHECK(v[0].message ==
        "the daily report of billing for 2026-03-03 (America/New_York, UTC-05:00) included 1 row from another day "
        "(ny-1's charge at 2026-03-02 20:00:00) and missed 1 row of its day (ny-1's charge at 2026-03-03 21:00:00), "
        "local times");
}

TEST_CASE("wrong_day_report: a report by New York day passes", "[wrong_day_report]") {
  HistoryBuilder b;
  const auto before = charged(b, "ny-1", 25 * kHourS);     // 03-02 20:00 New York
  const auto a = charged(b, "ny-1", 29.1 * kHourS);        // 03-03 00:06
  const auto c = charged(b, "ny-1", 50 * kHourS);          // 03-03 21:00
  const auto after = charged(b, "ny-1", 53.5 * kHourS);    // 03-04 00:30
  report(b, 1, "2026-03-02", 29.5 * kHourS, {before});
  report(b, 2, "2026-03-03", 53.6 * kHourS, {a, c});
  (void)after; // stored after the report ran: a later report's row
  CHECK(check_wrong_day_report(b.build(), options()).empty());
}

TEST_CASE("wrong_day_report: an empty day passes, a missing row does not", "[wrong_day_report]") {
  HistoryBuilder b;
  report(b, 1, "2026-03-02", 29.5 * kHourS, {});
  CHECK(check_wrong_day_report(b.build(), options()).empty());
  const auto row = charged(b, "ny-1", 30 * kHourS); // 03-03 01:00 New York
  const auto r = report(b, 2, "2026-03-03", 53.5 * kHourS, {});
  const auto v = check_wrong_day_report(b.build(), options());
  REQUIRE(v.size() == 1);
  CHECK(v[0].ops == Ids{row, r});
  CHECK(v[0].message.find(" missed 1 row of its day") != std::string::npos);
}

TEST_CASE("the local-time checkers need a billing component", "[registry]") {
  REQUIRE(find_checker("outside_local_window") != nullptr);
  CHECK(std::string(find_checker("outside_local_window")->needs_component_type) == "billing");
  REQUIRE(find_checker("wrong_day_report") != nullptr);
  CHECK(std::string(find_checker("wrong_day_report")->needs_component_type) == "billing");
}
