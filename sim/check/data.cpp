// Checkers about data itself rather than about what clients read.
//
// unintended_deletion reads what a database deleted, which its model records
// in the history as ops of the database's own name (f "deleted", key: the
// table, value: the rows), and reports every delete from a table the
// scenario marks as kept (invoices kept ten years for tax law). A row
// removed through ON DELETE CASCADE is as gone as one deleted by name.
#include "check/checker.hpp"
#include "check/describe.hpp"

#include <cstdio>
#include <map>
#include <optional>

namespace faultlab::check {

using history::Op;
using history::Outcome;

std::vector<Violation> check_unintended_deletion(const history::History& history, const CheckOptions& options) {
  std::vector<Violation> violations;
  for (const Op& op : history.ops) {
    // Only deletes known to have happened: an unknown outcome is not judged.
    if (op.f != "deleted" || op.outcome != Outcome::ok || !op.value || *op.value <= 0) continue;
    auto keep = options.keep_tables.find(op.key);
    if (keep == options.keep_tables.end()) continue;
    Violation v;
    v.check = "unintended_deletion";
    v.time_s = op.invoke_s;
    v.ops = {op.id};
    v.message = "database " + op.client + " deleted " + std::to_string(*op.value) + " row" +
                (*op.value == 1 ? "" : "s") + " of " + op.key + " at " + format_time(op.invoke_s) +
                ", a table whose rows must be kept (" + keep->second + ")" +
                (op.error.empty() ? "" : "; the delete: " + op.error);
    violations.push_back(std::move(v));
  }
  sort_violations(violations);
  return violations;
}

} // namespace faultlab::check

// erasure_incomplete reads what a personal_data component recorded: the
// person's `erasure_request`, and per store each `copy` (value: when that
// copy ages out, in whole seconds; absent: nothing ages it out) and each
// `erased`, `expired` or `unreadable`. A store whose last record before the
// deadline is a copy that has not aged out by then still holds the data.
namespace faultlab::check {

namespace {
std::string day(double seconds) {
  char text[64];
  std::snprintf(text, sizeof text, "day %.1f", seconds / 86400.0);
  return text;
}
} // namespace

std::vector<Violation> check_erasure_incomplete(const history::History& history, const CheckOptions& options) {
  std::vector<Violation> violations;
  for (const Op& request : history.ops) {
    if (request.f != "erasure_request" || request.outcome != Outcome::ok) continue;
    const double deadline_s = request.invoke_s + options.erasure_deadline_s;
    struct Copy {
      bool holds = false;
      std::optional<std::int64_t> ages_out_s;
      double since_s = 0;
      std::int64_t op = 0;
    };
    std::map<std::string, Copy> stores; // by name: the report's order
    for (const Op& op : history.ops) {
      if (op.client != request.client || op.outcome != Outcome::ok || op.invoke_s > deadline_s) continue;
      Copy& c = stores[op.key];
      if (op.f == "copy") c = Copy{true, op.value, op.invoke_s, op.id};
      else if (op.f == "erased" || op.f == "expired" || op.f == "unreadable") c.holds = false;
    }
    for (const auto& [store, c] : stores) {
      if (!c.holds || (c.ages_out_s && static_cast<double>(*c.ages_out_s) <= deadline_s)) continue;
      Violation v;
      v.check = "erasure_incomplete";
      v.time_s = deadline_s;
      v.ops = {request.id, c.op};
      v.message = request.key + "'s data was still in " + store + " at the deadline (" + day(deadline_s) + ", " +
                  day(options.erasure_deadline_s).substr(4) + " days after the erasure request of " +
                  day(request.invoke_s) + "): " +
                  (c.ages_out_s ? "its last copy, taken on " + day(c.since_s) + ", ages out on " +
                                      day(static_cast<double>(*c.ages_out_s))
                                : std::string("nothing erases it and nothing ages it out"));
      violations.push_back(std::move(v));
    }
  }
  sort_violations(violations);
  return violations;
}

} // namespace faultlab::check
