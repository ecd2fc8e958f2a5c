// unnoticed_failure: a scheduled job failed, or did less than its work, and
// nobody was told in time.
//
// It reads three kinds of ops, each recorded by whoever knows the fact:
//  - `job_run` (the scheduler): key "<job>#<run>", value: the work the run
//    had to do, outcome: ok when the job exited 0, fail otherwise;
//  - `work_done` (whoever did the work, such as the mail provider): key: the
//    run, value: units of work it actually took; their sum is what the run
//    did, whatever the job believed;
//  - `alert` (the alerting component): key: the job.
// A run is bad when it failed or its work done is short of its work. Bad
// runs in a row are one failure, which is noticed when an alert naming the
// job comes after the first bad run started and no later than `bound` after
// it ended (an alert that is still open covers the runs after it; one that
// comes after a good run is about a later failure). A
// failure that is not noticed is a violation that says how much work was
// lost until the first alert, or until the end of the history. A run whose
// outcome is unknown (info: its node crashed, the run was cut off) is not
// judged, and a failure that ended less than `bound` before the history
// did is not judged yet.
#include "check/checker.hpp"
#include "check/describe.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace faultlab::check {
namespace {

using history::Op;
using history::Outcome;

constexpr std::size_t kMaxOpsListed = 20;

// 2431000 -> "2,431,000"
std::string count(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string span(double seconds) {
  char text[64];
  if (seconds >= 2 * 86400.0) std::snprintf(text, sizeof text, "%.1f days", seconds / 86400.0);
  else if (seconds >= 3600.0) std::snprintf(text, sizeof text, "%.1f hours", seconds / 3600.0);
  else std::snprintf(text, sizeof text, "%.0f s", seconds);
  return text;
}

struct Run {
  const Op* op = nullptr;
  std::int64_t expected = 0;
  std::int64_t done = 0;
  bool bad() const { return op->outcome == Outcome::fail || done < expected; }
  std::int64_t lost() const { return std::max<std::int64_t>(0, expected - done); }
};

std::string job_of(const std::string& key) {
  const auto hash = key.rfind('#');
  return hash == std::string::npos ? key : key.substr(0, hash);
}

} // namespace

std::vector<Violation> check_unnoticed_failure(const history::History& history, const CheckOptions& options) {
  std::map<std::string, std::int64_t> done;                        // run key -> work done
  std::map<std::string, std::vector<const Op*>> alerts;            // job -> its alerts, by time
  std::map<std::string, std::vector<const Op*>> runs_of;           // job -> its judged runs, by start
  double end_s = 0;
  for (const Op& op : history.ops) {
    end_s = std::max(end_s, op.invoke_s);
    if (std::isfinite(op.complete_s)) end_s = std::max(end_s, op.complete_s);
    if (op.outcome != Outcome::ok && op.f != "job_run") continue;
    if (op.f == "work_done" && op.value) done[op.key] += *op.value;
    else if (op.f == "alert") alerts[op.key].push_back(&op);
    else if (op.f == "job_run" && op.outcome != Outcome::info) runs_of[job_of(op.key)].push_back(&op);
  }

  std::vector<Violation> violations;
  for (const auto& [job, ops] : runs_of) {
    auto unit_it = options.job_units.find(job);
    const std::string unit = unit_it == options.job_units.end() ? "items" : unit_it->second;
    std::vector<Run> runs;
    for (const Op* op : ops) {
      auto d = done.find(op->key);
      runs.push_back(Run{op, op->value.value_or(0), d == done.end() ? 0 : d->second});
    }
    const std::vector<const Op*>& told = alerts[job];
    for (std::size_t i = 0; i < runs.size();) {
      if (!runs[i].bad()) {
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j < runs.size() && runs[j].bad()) ++j; // runs[i, j) fail in a row
      const Run& first = runs[i];
      const double deadline_s = first.op->complete_s + options.alert_bound_s;
      // An alert about this failure comes after it began and before the
      // job did all its work again (a later alert is about a later failure).
      const double recovered_s = j < runs.size() ? runs[j].op->invoke_s : history::kNever;
      const Op* alert = nullptr;
      for (const Op* a : told)
        if (a->invoke_s >= first.op->invoke_s && a->invoke_s < recovered_s) {
          alert = a;
          break;
        }
      const bool noticed = alert != nullptr && alert->invoke_s <= deadline_s;
      const bool judged = alert != nullptr || deadline_s <= end_s;
      if (!noticed && judged) {
        const double noticed_s = alert ? alert->invoke_s : history::kNever;
        std::int64_t lost = 0, bad_runs = 0;
        double last_end_s = first.op->complete_s;
        Violation v;
        v.check = "unnoticed_failure";
        v.time_s = first.op->complete_s;
        for (std::size_t k = i; k < j && runs[k].op->invoke_s < noticed_s; ++k) {
          lost += runs[k].lost();
          ++bad_runs;
          last_end_s = runs[k].op->complete_s;
          if (v.ops.size() < kMaxOpsListed) v.ops.push_back(runs[k].op->id);
        }
        if (alert) v.ops.push_back(alert->id);
        std::string told_when;
        if (alert) told_when = "the first alert came at " + format_time(alert->invoke_s);
        else if (j < runs.size())
          told_when = "no alert before run " + std::to_string(runs[j].op->process) + " did all its work again";
        else told_when = "no alert by the end of the history";
        const std::string what =
            first.op->outcome == Outcome::fail
                ? "failed (exit 1) having done " + count(first.done) + " of " + count(first.expected) + " " + unit
                : "did " + count(first.done) + " of " + count(first.expected) + " " + unit +
                      " and reported success";
        v.message = "job " + job + ": run " + std::to_string(first.op->process) + " at " +
                    format_time(first.op->invoke_s) + " " + what + ", and no alert named the job within " +
                    span(options.alert_bound_s) + "; " + count(lost) + " " + unit + " not done over " +
                    std::to_string(bad_runs) + " run" + (bad_runs == 1 ? "" : "s") + " in " +
                    span(last_end_s - first.op->invoke_s) + " before anyone was told (" + told_when + ")";
        violations.push_back(std::move(v));
      }
      i = j;
    }
  }
  sort_violations(violations);
  return violations;
}

} // namespace faultlab::check
