// Calendar dates, times of day and fixed-offset time zones, for the models
// and checkers that deal with "9 AM in New York" and "the report for March 5".
//
// A zone here is a name and a fixed offset from UTC ("America/New_York",
// -5 h). Daylight saving time is not modelled, and nothing reads the
// machine's time zone database: a run must give the same trace on every
// machine. Simulated time 0 is midnight UTC of a scenario's start date, so an
// instant is (days since 1970-01-01 of that date) * 86400 + simulated seconds.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace faultlab::check::local_time {

constexpr double kDayS = 86400.0;

struct Zone {
  std::string name = "UTC";
  double utc_offset_s = 0.0; // local time = UTC + offset
};

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil, exact for any year of interest).
inline std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// "2026-03-05" for a count of days since 1970-01-01.
inline std::string format_date(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  char text[32];
  std::snprintf(text, sizeof text, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return text;
}

// "2026-03-05" -> days since 1970-01-01; nullopt if it is not a real date.
inline std::optional<std::int64_t> parse_date(const std::string& text) {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  char tail = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) return std::nullopt;
  if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  const std::int64_t days = days_from_civil(y, m, d);
  if (format_date(days) != text) return std::nullopt; // 2026-02-30
  return days;
}

// "09:00" -> seconds after midnight; nullopt unless HH:MM with 00..23, 00..59.
inline std::optional<double> parse_time_of_day(const std::string& text) {
  unsigned h = 0;
  unsigned m = 0;
  char tail = 0;
  if (text.size() != 5 || text[2] != ':' || std::sscanf(text.c_str(), "%2u:%2u%c", &h, &m, &tail) != 2)
    return std::nullopt;
  if (h > 23 || m > 59) return std::nullopt;
  return h * 3600.0 + m * 60.0;
}

// "09:00:05" for seconds after midnight (whole seconds, rounded down).
inline std::string format_time_of_day(double seconds) {
  const long long s = static_cast<long long>(std::floor(seconds));
  char text[32];
  std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  return text;
}

// "UTC-05:00", "UTC+09:00", "UTC".
inline std::string format_offset(double utc_offset_s) {
  if (utc_offset_s == 0) return "UTC";
  const long long minutes = static_cast<long long>(std::llround(std::fabs(utc_offset_s) / 60.0));
  char text[32];
  std::snprintf(text, sizeof text, "UTC%c%02lld:%02lld", utc_offset_s < 0 ? '-' : '+', minutes / 60, minutes % 60);
  return text;
}

// An instant in a zone: its local day (days since 1970-01-01) and the
// seconds since that day's local midnight. `sim_s` is simulated time,
// `start_day` the day whose midnight UTC is simulated time 0.
struct Local {
  std::int64_t day = 0;
  double seconds = 0.0;
};
inline Local to_local(double sim_s, std::int64_t start_day, double utc_offset_s) {
  const double local_s = sim_s + utc_offset_s;
  const double day = std::floor(local_s / kDayS);
  return Local{start_day + static_cast<std::int64_t>(day), local_s - day * kDayS};
}

// Simulated time of a local day's midnight in a zone.
inline double local_midnight_s(std::int64_t day, std::int64_t start_day, double utc_offset_s) {
  return static_cast<double>(day - start_day) * kDayS - utc_offset_s;
}

// "2026-03-05 04:00:07".
inline std::string format_local(const Local& local) {
  return format_date(local.day) + " " + format_time_of_day(local.seconds);
}

} // namespace faultlab::check::local_time
