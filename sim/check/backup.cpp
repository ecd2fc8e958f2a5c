// Checkers for backups and restores: how long the database was down after
// its disk was lost (rto_exceeded), and how much data the backup it came
// back from had lost (no_valid_backup).
//
// They read what the backup component records as ops of its own name: a
// `backup` op per run of the job (invoke: the dump's snapshot), a
// `disk_lost` incident, and one `restore` op per file tried after it (key:
// the backup's name, ok when it restored). A backup is only known to work
// once a restore of it succeeded: the job's own "ok" says nothing.
#include "check/checker.hpp"
#include "check/describe.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace faultlab::check {
namespace {

using history::Op;
using history::Outcome;

constexpr std::size_t kMaxListed = 3; // failed restores named in a message

std::string hours(double seconds) {
  char text[64];
  if (seconds >= 2 * 3600)
    std::snprintf(text, sizeof text, "%.1f h", seconds / 3600);
  else
    std::snprintf(text, sizeof text, "%.0f min", seconds / 60);
  return text;
}

// "day 20, 14:00" (day 0 is the run's first): these runs last weeks.
std::string when(double seconds) {
  const auto minutes = static_cast<long long>(seconds / 60);
  char text[64];
  std::snprintf(text, sizeof text, "day %lld, %02lld:%02lld", minutes / 1440, minutes / 60 % 24,
                minutes % 60);
  return text;
}

// One disk loss and what followed it, up to the component's next loss.
struct Recovery {
  const Op* loss = nullptr;
  std::vector<const Op*> attempts; // restore ops, in invoke order
  const Op* restored = nullptr;    // the first ok one
  bool unknown = false;            // an attempt whose outcome the history does not know
};

std::vector<Recovery> recoveries(const history::History& history) {
  std::vector<Recovery> out;
  for (const Op& op : history.ops) {
    if (op.f != "disk_lost" || op.outcome != Outcome::ok) continue;
    Recovery r;
    r.loss = &op;
    for (const Op& attempt : history.ops) {
      if (attempt.client != op.client || attempt.invoke_s < op.invoke_s) continue;
      if (attempt.f == "disk_lost" && attempt.id != op.id) break; // the next loss: a recovery of its own
      if (attempt.f != "restore" || r.restored != nullptr) continue;
      r.attempts.push_back(&attempt);
      if (attempt.outcome == Outcome::ok) r.restored = &attempt;
      if (attempt.outcome == Outcome::info) r.unknown = true;
    }
    out.push_back(std::move(r));
  }
  return out;
}

// "3 restores failed before it (backup-30: <error>; ...)".
std::string failures(const Recovery& r) {
  std::vector<const Op*> failed;
  for (const Op* a : r.attempts)
    if (a->outcome == Outcome::fail) failed.push_back(a);
  if (failed.empty()) return "";
  std::string text = std::to_string(failed.size()) + (failed.size() == 1 ? " newer file" : " newer files") +
                     " did not restore (";
  for (std::size_t i = 0; i < failed.size() && i < kMaxListed; ++i)
    text += (i > 0 ? "; " : "") + failed[i]->key + ": " + failed[i]->error;
  if (failed.size() > kMaxListed) text += "; ...";
  return text + ")";
}

void add_ops(Violation& v, const Recovery& r) {
  v.ops.push_back(r.loss->id);
  for (const Op* a : r.attempts)
    v.ops.push_back(a->id);
}

} // namespace

std::vector<Violation> check_rto_exceeded(const history::History& history, const CheckOptions& options) {
  std::vector<Violation> violations;
  double end_s = 0; // the last moment the history speaks of
  for (const Op& op : history.ops) {
    end_s = std::max(end_s, op.invoke_s);
    if (op.complete_s != history::kNever) end_s = std::max(end_s, op.complete_s);
  }
  for (const Recovery& r : recoveries(history)) {
    const double lost_s = r.loss->invoke_s;
    const double down_s = (r.restored ? r.restored->complete_s : end_s) - lost_s;
    if (down_s <= options.rto_s) continue;
    Violation v;
    v.check = "rto_exceeded";
    v.time_s = lost_s + options.rto_s;
    add_ops(v, r);
    const std::string what = "the disk of " + r.loss->key + " was lost at " + when(lost_s);
    if (r.restored)
      v.message = what + "; the database was restored from " + r.restored->key + " at " +
                  when(r.restored->complete_s) + ", " + hours(down_s) + " later, beyond the RTO of " +
                  hours(options.rto_s) + " (" + std::to_string(r.attempts.size()) +
                  (r.attempts.size() == 1 ? " file" : " files") + " tried)";
    else
      v.message = what + "; no restore had succeeded " + hours(down_s) +
                  " later, at the end of the history (" + std::to_string(r.attempts.size()) +
                  (r.attempts.size() == 1 ? " file" : " files") + " tried), beyond the RTO of " +
                  hours(options.rto_s);
    violations.push_back(std::move(v));
  }
  sort_violations(violations);
  return violations;
}

std::vector<Violation> check_no_valid_backup(const history::History& history, const CheckOptions& options) {
  std::vector<Violation> violations;
  for (const Recovery& r : recoveries(history)) {
    const double lost_s = r.loss->invoke_s;
    Violation v;
    v.check = "no_valid_backup";
    v.time_s = lost_s;
    add_ops(v, r);
    const std::string what = "the disk of " + r.loss->key + " was lost at " + when(lost_s);
    if (!r.restored) {
      if (r.unknown) continue; // a restore still running when the history ends: not known yet
      v.message = what + "; no backup restored, so every write is lost" +
                  (r.attempts.empty() ? std::string(" (there was no backup to try)") : "; " + failures(r));
      violations.push_back(std::move(v));
      continue;
    }
    // The backup it came back from: its snapshot is its job's invoke.
    const Op* taken = nullptr;
    for (const Op& op : history.ops)
      if (op.client == r.loss->client && op.f == "backup" && op.key == r.restored->key) taken = &op;
    if (taken == nullptr) continue; // when it was taken is not in the history
    const double lost_window_s = lost_s - taken->invoke_s;
    if (lost_window_s <= options.rpo_s) continue;
    v.ops.push_back(taken->id);
    std::string failed = failures(r);
    v.message = what + "; the newest backup that restored, " + r.restored->key + ", was taken at " +
                when(taken->invoke_s) + ": " + hours(lost_window_s) + " of writes lost, beyond the RPO of " +
                hours(options.rpo_s) + (failed.empty() ? "" : "; " + failed);
    violations.push_back(std::move(v));
  }
  sort_violations(violations);
  return violations;
}

} // namespace faultlab::check
