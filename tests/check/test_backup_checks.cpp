// rto_exceeded and no_valid_backup on hand-made histories with known
// verdicts: the backup component's own ops (backup, disk_lost, restore,
// restore_test) as its model records them.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "check/checker.hpp"
#include "history_builder.hpp"

using faultlab::check::check_no_valid_backup;
using faultlab::check::check_rto_exceeded;
using faultlab::check::CheckOptions;
using faultlab::check::find_checker;
using faultlab::history::Outcome;
using faultlab::testing::HistoryBuilder;
using Ids = std::vector<std::int64_t>;

namespace {

constexpr double kHour = 3600;
constexpr double kDay = 86400;

// The component's ops: client "backups", as the model writes them.
struct Backups {
  HistoryBuilder b;
  Backups() { b.client = "backups"; }
  std::int64_t backup(int id, double at_s, double took_s, Outcome outcome = Outcome::ok) {
    return b.op("backup", id, "backup-" + std::to_string(id), 1000, at_s, at_s + took_s, outcome);
  }
  std::int64_t lost(double at_s) {
    const std::int64_t id = b.op("disk_lost", 0, "db-1", std::nullopt, at_s, at_s);
    b.history.ops.back().error = "the disk of db-1 is lost";
    return id;
  }
  std::int64_t restore(int backup, double from_s, double to_s, Outcome outcome, const std::string& error = "",
                       const std::string& f = "restore") {
    const std::int64_t id =
        b.op(f, 0, "backup-" + std::to_string(backup), std::nullopt, from_s, to_s, outcome);
    b.history.ops.back().error = error;
    return id;
  }
};

const std::string kEof =
    "pg_restore: error: could not read from input file: end of file (in the data of table events)";

CheckOptions objectives(double rto_s, double rpo_s) {
  CheckOptions o;
  o.rto_s = rto_s;
  o.rpo_s = rpo_s;
  return o;
}

} // namespace

TEST_CASE("both checkers are registered for the backup component type") {
  REQUIRE(find_checker("rto_exceeded") != nullptr);
  REQUIRE(find_checker("no_valid_backup") != nullptr);
  CHECK(std::string(find_checker("rto_exceeded")->needs_component_type) == "backup");
  CHECK(std::string(find_checker("no_valid_backup")->needs_component_type) == "backup");
  // The defaults: four hours down, a day of writes.
  CHECK(CheckOptions{}.rto_s == 4 * kHour);
  CHECK(CheckOptions{}.rpo_s == 24 * kHour);
}

TEST_CASE("a restore of last night's backup within the RTO passes both") {
  Backups h;
  h.backup(1, 1 * kHour, 1 * kHour);
  h.backup(2, kDay + 1 * kHour, 1 * kHour);
  h.lost(kDay + 14 * kHour);
  h.restore(2, kDay + 14 * kHour, kDay + 17 * kHour, Outcome::ok);
  const auto history = h.b.build();
  CHECK(check_rto_exceeded(history, objectives(4 * kHour, 24 * kHour)).empty());
  CHECK(check_no_valid_backup(history, objectives(4 * kHour, 24 * kHour)).empty());
  // Exactly at the objectives is within them.
  CHECK(check_rto_exceeded(history, objectives(3 * kHour, 13 * kHour)).empty());
  CHECK(check_no_valid_backup(history, objectives(3 * kHour, 13 * kHour)).empty());
  // Just below them is not.
  CHECK(check_rto_exceeded(history, objectives(3 * kHour - 1, 24 * kHour)).size() == 1);
  CHECK(check_no_valid_backup(history, objectives(4 * kHour, 13 * kHour - 1)).size() == 1);
}

TEST_CASE("a restore that takes longer than the RTO is a violation naming the times") {
  Backups h;
  h.backup(1, 1 * kHour, 1 * kHour);
  const auto loss = h.lost(2 * kDay);
  const auto restore = h.restore(1, 2 * kDay, 2 * kDay + 9.5 * kHour, Outcome::ok);
  const auto violations = check_rto_exceeded(h.b.build(), objectives(6 * kHour, 48 * kHour));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].check == "rto_exceeded");
  CHECK(violations[0].time_s == 2 * kDay + 6 * kHour);
  CHECK(violations[0].ops == Ids{loss, restore});
  CHECK(violations[0].message == "the disk of db-1 was lost at day 2, 00:00; the database was restored from "
                                 "backup-1 at day 2, 09:30, 9.5 h "
                                 "later, beyond the RTO of 6.0 h (1 file tried)");
}

TEST_CASE("a fallback through cut files: slow, and older than the RPO") {
  Backups h;
  const auto good = h.backup(1, 1 * kHour, 1 * kHour);
  h.backup(2, kDay + 1 * kHour, 1 * kHour);
  h.backup(3, 2 * kDay + 1 * kHour, 1 * kHour);
  const auto loss = h.lost(2 * kDay + 13 * kHour);
  const auto r3 = h.restore(3, 2 * kDay + 13 * kHour, 2 * kDay + 15 * kHour, Outcome::fail, kEof);
  const auto r2 = h.restore(2, 2 * kDay + 15 * kHour, 2 * kDay + 17 * kHour, Outcome::fail, kEof);
  const auto r1 = h.restore(1, 2 * kDay + 17 * kHour, 2 * kDay + 20 * kHour, Outcome::ok);
  const auto history = h.b.build();
  const auto lost = check_no_valid_backup(history, objectives(4 * kHour, 24 * kHour));
  REQUIRE(lost.size() == 1);
  CHECK(lost[0].time_s == 2 * kDay + 13 * kHour);
  CHECK(lost[0].ops == Ids{loss, r3, r2, r1, good});
  CHECK(lost[0].message ==
        "the disk of db-1 was lost at day 2, 13:00; the newest backup that restored, backup-1, was taken at "
        "day 0, "
        "01:00: 60.0 h of writes lost, beyond the RPO of 24.0 h; 2 newer files did not restore (backup-3: " +
            kEof + "; backup-2: " + kEof + ")");
  const auto slow = check_rto_exceeded(history, objectives(4 * kHour, 24 * kHour));
  REQUIRE(slow.size() == 1);
  CHECK(slow[0].message == "the disk of db-1 was lost at day 2, 13:00; the database was restored from "
                           "backup-1 at day 2, 20:00, 7.0 h "
                           "later, beyond the RTO of 4.0 h (3 files tried)");
  // With a week's RPO and a day's RTO, the same history is fine.
  CHECK(check_no_valid_backup(history, objectives(kDay, 7 * kDay)).empty());
  CHECK(check_rto_exceeded(history, objectives(kDay, 7 * kDay)).empty());
}

TEST_CASE("when no file restores, every write is lost, and the RTO runs to the end of the history") {
  Backups h;
  h.backup(1, 1 * kHour, 1 * kHour);
  h.lost(kDay);
  h.restore(1, kDay, kDay + 2 * kHour, Outcome::fail,
            "pg_restore: error: input file is too short (read 0, expected 5)");
  const auto history = h.b.build();
  const auto lost = check_no_valid_backup(history, objectives(4 * kHour, 24 * kHour));
  REQUIRE(lost.size() == 1);
  CHECK(lost[0].message ==
        "the disk of db-1 was lost at day 1, 00:00; no backup restored, so every write is lost; "
        "1 newer file did not restore (backup-1: pg_restore: error: input file is too short (read 0, "
        "expected 5))");
  // The history ends 2 h after the loss: within a 4 h RTO nothing is known yet.
  CHECK(check_rto_exceeded(history, objectives(4 * kHour, 24 * kHour)).empty());
  const auto down = check_rto_exceeded(history, objectives(1 * kHour, 24 * kHour));
  REQUIRE(down.size() == 1);
  CHECK(down[0].message ==
        "the disk of db-1 was lost at day 1, 00:00; no restore had succeeded 2.0 h later, at the "
        "end of the history (1 file tried), beyond the RTO of 60 min");
}

TEST_CASE("no backup at all to restore is a violation") {
  Backups h;
  h.lost(kDay);
  h.b.client = "users";
  h.b.op("get_order", 1, "order:1", std::nullopt, kDay + 10 * kHour, kDay + 10 * kHour + 1, Outcome::fail);
  const auto lost = check_no_valid_backup(h.b.build(), objectives(4 * kHour, 24 * kHour));
  REQUIRE(lost.size() == 1);
  CHECK(lost[0].message == "the disk of db-1 was lost at day 1, 00:00; no backup restored, so every write is "
                           "lost (there was no backup to try)");
  CHECK(check_rto_exceeded(h.b.build(), objectives(4 * kHour, 24 * kHour)).size() == 1);
}

TEST_CASE("a restore still running when the history ends leaves the RPO unknown") {
  Backups h;
  h.backup(1, 1 * kHour, 1 * kHour);
  h.lost(kDay);
  h.restore(1, kDay, kDay + 10 * kHour, Outcome::info, "the run ended");
  const auto history = h.b.build();
  CHECK(check_no_valid_backup(history, objectives(4 * kHour, 24 * kHour)).empty());
  CHECK(check_rto_exceeded(history, objectives(4 * kHour, 24 * kHour)).size() == 1);
}

TEST_CASE("without a disk loss nothing is judged, even failed restore tests and failed backups") {
  Backups h;
  h.backup(1, 1 * kHour, 1 * kHour, Outcome::fail);
  h.backup(2, kDay + 1 * kHour, 1 * kHour);
  h.restore(2, 7 * kDay, 7 * kDay + 5 * kHour, Outcome::fail, kEof, "restore_test");
  const auto history = h.b.build();
  CHECK(check_rto_exceeded(history, objectives(1 * kHour, 1 * kHour)).empty());
  CHECK(check_no_valid_backup(history, objectives(1 * kHour, 1 * kHour)).empty());
}

TEST_CASE("restore tests, restores before the loss and another component's restores do not count") {
  Backups h;
  h.backup(1, 1 * kHour, 1 * kHour);
  h.backup(2, kDay + 1 * kHour, 1 * kHour);
  h.restore(2, kDay + 5 * kHour, kDay + 6 * kHour, Outcome::ok, "", "restore"); // a drill before the loss
  h.lost(2 * kDay);
  h.restore(2, 2 * kDay + 1 * kHour, 2 * kDay + 2 * kHour, Outcome::ok, "", "restore_test");
  h.b.client = "other-backups";
  h.restore(2, 2 * kDay + 1 * kHour, 2 * kDay + 2 * kHour, Outcome::ok);
  h.b.client = "backups";
  h.restore(1, 2 * kDay + 3 * kHour, 2 * kDay + 12 * kHour, Outcome::ok);
  const auto history = h.b.build();
  const auto slow = check_rto_exceeded(history, objectives(4 * kHour, 24 * kHour));
  REQUIRE(slow.size() == 1);
  CHECK(slow[0].message ==
        "the disk of db-1 was lost at day 2, 00:00; the database was restored from backup-1 at day "
        "2, 12:00, 12.0 h later, beyond the RTO of 4.0 h (1 file tried)");
  const auto lost = check_no_valid_backup(history, objectives(4 * kHour, 24 * kHour));
  REQUIRE(lost.size() == 1);
  CHECK(lost[0].message ==
        "the disk of db-1 was lost at day 2, 00:00; the newest backup that restored, backup-1, was "
        "taken at day 0, 01:00: 47.0 h of writes lost, beyond the RPO of 24.0 h");
}
