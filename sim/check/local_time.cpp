// outside_local_window and wrong_day_report: a billing job's scheduled
// charges and daily reports, judged in the customers' and the business's
// local time.
//
// What the history must hold (a billing component records all of it):
//   renewal       a charge the billing's scheduler made (key: the customer,
//                 value: the amount in cents). ok and info ones count: an
//                 info renewal may have taken the money.
//   charged       a row the billing stored for a charge that went through
//                 (key: the customer, value: cents), at the true time it
//                 was stored.
//   daily_report  a report (key: the local date it is about, "2026-03-05";
//                 value: its total in cents; process: the report's number)
//   report_row    a row a report included (value: the id of the `charged`
//                 op; process: the report's number).
// The times in a history are the true times; the zones, the allowed hours
// and the start date come from the scenario (CheckOptions).
#include "check/checker.hpp"
#include "check/describe.hpp"
#include "check/local_time.hpp"

#include <map>
#include <set>

namespace faultlab::check {
namespace {

using history::Op;
using history::Outcome;
namespace lt = local_time;

constexpr std::size_t kMaxRowsNamed = 3;

std::string hours(double from_s, double to_s) {
  return lt::format_time_of_day(from_s).substr(0, 5) + "-" + lt::format_time_of_day(to_s).substr(0, 5);
}

bool in_window(double seconds, double from_s, double to_s) {
  if (from_s <= to_s) return seconds >= from_s && seconds < to_s;
  return seconds >= from_s || seconds < to_s; // a window across midnight, 22:00-06:00
}

} // namespace

std::vector<Violation> check_outside_local_window(const history::History& history, const CheckOptions& options) {
  std::vector<Violation> violations;
  for (const Op& op : history.ops) {
    if (op.f != "renewal" || op.outcome == Outcome::fail) continue;
    auto zone = options.customer_zones.find(op.key);
    if (zone == options.customer_zones.end()) continue; // not a customer the scenario names
    const lt::Local local = lt::to_local(op.invoke_s, options.start_day, zone->second.utc_offset_s);
    if (in_window(local.seconds, options.local_window_from_s, options.local_window_to_s)) continue;
    const lt::Local utc = lt::to_local(op.invoke_s, options.start_day, 0.0);
    Violation v;
    v.check = "outside_local_window";
    v.time_s = op.invoke_s;
    v.ops = {op.id};
    v.message = (op.client.empty() ? std::string("the scheduler") : op.client) + " charged " + op.key + " (" +
                zone->second.name + ", " + lt::format_offset(zone->second.utc_offset_s) + ") at " +
                lt::format_local(local) + " their time (" + lt::format_local(utc) +
                " UTC), outside the allowed hours " +
                hours(options.local_window_from_s, options.local_window_to_s) +
                (op.outcome == Outcome::info ? "; the charge timed out, it may have gone through" : "");
    violations.push_back(std::move(v));
  }
  sort_violations(violations);
  return violations;
}

std::vector<Violation> check_wrong_day_report(const history::History& history, const CheckOptions& options) {
  const double offset_s = options.report_zone.utc_offset_s;
  std::map<std::int64_t, const Op*> charged;                  // op id -> stored row
  std::map<std::int64_t, std::vector<const Op*>> rows_of;      // report number -> its rows
  std::vector<const Op*> reports;
  for (const Op& op : history.ops) {
    if (op.outcome != Outcome::ok) continue;
    if (op.f == "charged") charged[op.id] = &op;
    else if (op.f == "report_row") rows_of[op.process].push_back(&op);
    else if (op.f == "daily_report") reports.push_back(&op);
  }
  auto describe_row = [&](const Op& row) {
    return row.key + "'s charge at " + lt::format_local(lt::to_local(row.invoke_s, options.start_day, offset_s));
  };
  std::vector<Violation> violations;
  for (const Op* report : reports) {
    const std::optional<std::int64_t> day = lt::parse_date(report->key);
    if (!day) continue; // not a report about a date
    const double from_s = lt::local_midnight_s(*day, options.start_day, offset_s);
    const double to_s = from_s + lt::kDayS;
    std::set<std::int64_t> included;
    std::vector<const Op*> foreign; // included, from another day (or no stored row at all)
    for (const Op* row : rows_of[report->process]) {
      if (!row->value) continue;
      included.insert(*row->value);
      auto it = charged.find(*row->value);
      if (it == charged.end() || it->second->invoke_s < from_s || it->second->invoke_s >= to_s)
        foreign.push_back(it == charged.end() ? row : it->second);
    }
    std::vector<const Op*> missed; // of its day, not included
    for (const auto& [id, row] : charged)
      if (row->client == report->client && row->invoke_s >= from_s && row->invoke_s < to_s && !included.count(id))
        missed.push_back(row);
    if (foreign.empty() && missed.empty()) continue;
    Violation v;
    v.check = "wrong_day_report";
    v.time_s = report->invoke_s;
    std::string message = "the daily report of " + (report->client.empty() ? std::string("billing") : report->client) +
                          " for " + report->key + " (" + options.report_zone.name + ", " +
                          lt::format_offset(offset_s) + ")";
    auto name_rows = [&](const std::vector<const Op*>& rows, const char* what) {
      std::string text = std::to_string(rows.size()) + (rows.size() == 1 ? " row " : " rows ") + what + " (";
      for (std::size_t i = 0; i < rows.size() && i < kMaxRowsNamed; ++i) {
        if (i > 0) text += "; ";
        text += rows[i]->f == "charged" ? describe_row(*rows[i]) : "row of unknown charge " + format_value(rows[i]->value);
        v.ops.push_back(rows[i]->id);
      }
      if (rows.size() > kMaxRowsNamed) text += "; ...";
      return text + ")";
    };
    if (!foreign.empty()) message += " included " + name_rows(foreign, "from another day");
    if (!missed.empty()) message += std::string(foreign.empty() ? "" : " and") + " missed " + name_rows(missed, "of its day");
    v.message = message + ", local times";
    v.ops.push_back(report->id);
    violations.push_back(std::move(v));
  }
  sort_violations(violations);
  return violations;
}

} // namespace faultlab::check
